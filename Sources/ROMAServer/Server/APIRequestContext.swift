import Hummingbird

/// The per-request context of the API: the request id, and the API key once authenticated.
public struct APIRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// `req_` + 16 random characters; in the `X-Request-ID` header and every error body.
    public let requestID: String
    /// The caller's key, set by `GatekeeperMiddleware` before any route runs.
    public var apiKey: APIKeyRecord?

    /// Creates a context for a new request.
    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.requestID = Identifier.requestID()
    }

    /// The authenticated key; routes behind the gatekeeper can rely on it.
    func requireKey() throws -> APIKeyRecord {
        guard let apiKey else { throw ServerError.unauthorized }
        return apiKey
    }
}
