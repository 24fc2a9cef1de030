import Hummingbird
import Logging

extension ServerError {
    /// Runs `body`, turning any error it throws into the API's error envelope.
    ///
    /// Middlewares that add headers to *every* response use it, so their headers also reach
    /// error responses. Errors that are not ours are logged (they are bugs) and sent as a 500.
    static func rendering(
        requestID: String, logger: Logger, _ body: () async throws -> Response
    ) async -> Response {
        do {
            return try await body()
        } catch {
            let serverError = ServerError.from(error)
            if !(error is ServerError), !(error is any HTTPResponseError) {
                logger.error("unexpected error", metadata: ["request_id": "\(requestID)", "error": "\(error)"])
            }
            return serverError.response(requestID: requestID)
        }
    }
}
