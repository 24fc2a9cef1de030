import Foundation
import Hummingbird
import Logging
import ROMACore
import ROMAEngine

/// Authentication and the daily request limit, in front of every route (which it calls
/// through `MethodGuard`, for the 405s).
///
/// - `OPTIONS` (CORS preflight) is answered here with 204 and needs no key.
/// - Public paths (the OpenAPI document) need no key.
/// - Everything else needs a valid, unrevoked `X-API-Key`; each such request counts once
///   against the key's daily limit (`UsageCounter`), and a request over the limit gets 429.
///
/// Every response carries `X-RateLimit-*`: the key's figures, or for requests without a key
/// the configured limit with nothing used.
struct GatekeeperMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext

    let store: any ExecutionStore
    let usage: UsageCounter
    let clock: any WallClock
    let dailyLimit: Int
    let publicPaths: Set<String>
    let methodGuard: MethodGuard
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let now = clock.date()
        let window = RateLimitWindow(now: now, limit: dailyLimit)
        if request.method == .options {
            var response = Response(status: .noContent)
            response.headers.append(contentsOf: window.headers(remaining: dailyLimit))
            return response
        }
        if publicPaths.contains(request.uri.path) {
            var response = await ServerError.rendering(requestID: context.requestID, logger: logger) {
                try await methodGuard.respond(request, context: context, next: next)
            }
            response.headers.append(contentsOf: window.headers(remaining: dailyLimit))
            return response
        }
        let key: APIKeyRecord
        let decision: UsageDecision
        do {
            guard let authenticated = try await authenticate(request.headers[.apiKey]) else {
                var response = ServerError.unauthorized.response(requestID: context.requestID)
                response.headers.append(contentsOf: window.headers(remaining: dailyLimit))
                return response
            }
            key = authenticated
            decision = try await usage.consume(keyID: key.id, day: window.day, limit: dailyLimit)
        } catch {
            logger.error("authentication failed on a storage error", metadata: ["request_id": "\(context.requestID)", "error": "\(error)"])
            var response = ServerError(.serviceUnavailable, status: .serviceUnavailable, message: "The service is temporarily unavailable")
                .response(requestID: context.requestID)
            response.headers.append(contentsOf: window.headers(remaining: dailyLimit))
            return response
        }
        let headers = window.headers(remaining: dailyLimit - decision.used)
        guard decision.allowed else {
            var response = window.exceeded(now: now).response(requestID: context.requestID)
            response.headers.append(contentsOf: headers)
            return response
        }
        var context = context
        context.apiKey = key
        var response = await ServerError.rendering(requestID: context.requestID, logger: logger) {
            try await methodGuard.respond(request, context: context, next: next)
        }
        response.headers.append(contentsOf: headers)
        return response
    }

    /// The active key whose hash matches the presented secret, compared in constant time.
    private func authenticate(_ presented: String?) async throws -> APIKeyRecord? {
        guard let presented, APIKeySecret.isWellFormed(presented) else { return nil }
        let hash = APIKeySecret.hash(presented)
        var match: APIKeyRecord?
        // Every candidate is compared (no early exit), so timing says nothing about which matched.
        for candidate in try await store.keys(prefix: APIKeySecret.prefix(of: presented)) {
            if APIKeySecret.constantTimeEquals(candidate.hash, hash), candidate.isActive { match = candidate }
        }
        return match
    }
}
