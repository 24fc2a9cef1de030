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

    /// The four headers every response gets, built (and validated) once rather than per request.
    static let responseHeaders: HTTPFields = [
        .accessControlAllowOrigin: "*", .accessControlAllowMethods: allowedMethods,
        .accessControlAllowHeaders: allowedHeaders, .accessControlExposeHeaders: exposedHeaders,
    ]

    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = await ServerError.rendering(requestID: context.requestID, logger: logger) {
            try await next(request, context)
        }
        response.headers.append(contentsOf: Self.responseHeaders)
        if request.method == .options {
            response.headers[.accessControlMaxAge] = "86400"
        }
        return response
    }
}
