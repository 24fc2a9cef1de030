import Hummingbird
import Logging

/// The outermost middleware, what every response gets: errors rendered as the API's envelope,
/// gzip (`ResponseCompression`), the CORS headers (`CrossOrigin`), `X-Request-ID`, one
/// structured access-log line per request (method, path, status, duration, request id — never a
/// header's value, so never an API key), and the request's metrics (`ServerMetrics.request`, by
/// route, method and status; a path no route matched counts as route `unmatched`).
///
/// One middleware rather than one per concern: each layer of Hummingbird's middleware chain is
/// an async call with its own frame, and at 10,000 requests a second the layers showed up in
/// the profile (see docs/server.md, Benchmarks).
struct ResponseMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext

    let compression: ResponseCompression
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        var response = await ServerError.rendering(requestID: context.requestID, logger: logger) {
            try await next(request, context)
        }
        response = await compression.apply(to: response, for: request, requestID: context.requestID)
        CrossOrigin.stamp(&response, method: request.method)
        response.headers[.requestID] = context.requestID
        let elapsed = ContinuousClock.now - start
        ServerMetrics.request(
            route: context.endpointPath ?? "unmatched", method: request.method.rawValue, status: response.status.code,
            duration: elapsed)
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
