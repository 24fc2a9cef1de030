import Hummingbird

/// CORS as the API documents it: any origin, `GET, POST, OPTIONS`, and the headers a browser
/// client sends. Preflights themselves are answered (204, no auth) by `GatekeeperMiddleware`.
enum CrossOrigin {
    static let allowedMethods = "GET, POST, OPTIONS"
    static let allowedHeaders = "Content-Type, X-API-Key, X-Idempotency-Key"
    /// Headers a browser script may read from responses.
    static let exposedHeaders = "X-Request-ID, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset"

    /// The four headers every response gets, built (and validated) once rather than per request.
    static let responseHeaders: HTTPFields = [
        .accessControlAllowOrigin: "*", .accessControlAllowMethods: allowedMethods,
        .accessControlAllowHeaders: allowedHeaders, .accessControlExposeHeaders: exposedHeaders,
    ]

    /// Adds the CORS headers to a response (and `Access-Control-Max-Age` to a preflight's).
    static func stamp(_ response: inout Response, method: HTTPRequest.Method) {
        response.headers.append(contentsOf: responseHeaders)
        if method == .options {
            response.headers[.accessControlMaxAge] = "86400"
        }
    }
}
