import Hummingbird
import Logging

/// CORS as the API documents it: any origin, `GET, POST, OPTIONS`, and the headers a browser
/// client sends. Preflights themselves are answered (204, no auth) by `GatekeeperMiddleware`.
struct CrossOriginMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext

    static let allowedMethods = "GET, POST, OPTIONS"
    static let allowedHeaders = "Content-Type, X-API-Key, X-Idempotency-Key"
    /// Headers a browser script may read from responses.
    static let exposedHeaders = "X-Request-ID, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset"

    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = await ServerError.rendering(requestID: context.requestID, logger: logger) {
            try await next(request, context)
        }
        response.headers[.accessControlAllowOrigin] = "*"
        response.headers[.accessControlAllowMethods] = Self.allowedMethods
        response.headers[.accessControlAllowHeaders] = Self.allowedHeaders
        response.headers[.accessControlExposeHeaders] = Self.exposedHeaders
        if request.method == .options {
            response.headers[.accessControlMaxAge] = "86400"
        }
        return response
    }
}
