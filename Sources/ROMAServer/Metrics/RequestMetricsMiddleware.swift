import Hummingbird

/// Counts every request by route, method and status, and times it (`ServerMetrics.request`).
///
/// Outermost, so it sees what the client sees, errors included (a thrown error counts with the
/// status it is answered with). A path no route matched counts as route `unmatched`.
struct RequestMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let method = request.method.rawValue
        do {
            let response = try await next(request, context)
            ServerMetrics.request(
                route: context.endpointPath ?? "unmatched", method: method, status: response.status.code,
                duration: ContinuousClock.now - start)
            return response
        } catch {
            let status = (error as? any HTTPResponseError)?.status.code ?? 500
            ServerMetrics.request(
                route: context.endpointPath ?? "unmatched", method: method, status: status, duration: ContinuousClock.now - start)
            throw error
        }
    }
}
