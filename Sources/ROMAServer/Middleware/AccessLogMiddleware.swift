import Hummingbird
import Logging

/// The outermost middleware: stamps `X-Request-ID` on every response and writes one structured
/// access-log line per request (method, path, status, duration, request id — never a header's
/// value, so never an API key).
struct AccessLogMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext

    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        var response = await ServerError.rendering(requestID: context.requestID, logger: logger) {
            try await next(request, context)
        }
        response.headers[.requestID] = context.requestID
        let elapsed = ContinuousClock.now - start
        let milliseconds = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        logger.info(
            "request",
            metadata: [
                "method": "\(request.method.rawValue)", "path": "\(request.uri.path)", "status": "\(response.status.code)",
                "duration_ms": "\((milliseconds * 1000).rounded() / 1000)", "request_id": "\(context.requestID)",
            ])
        return response
    }
}
