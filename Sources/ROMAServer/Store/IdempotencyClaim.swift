/// A remembered `X-Idempotency-Key` and the response it produced.
public struct IdempotencyClaim: Sendable, Hashable {
    /// The client's key (scoped to the API key).
    public var key: String
    /// The response to replay.
    public var status: Int
    public var body: [UInt8]
    /// When the claim stops counting (ISO 8601).
    public var expiresAt: String

    /// Creates a claim.
    public init(key: String, status: Int, body: [UInt8], expiresAt: String) {
        self.key = key
        self.status = status
        self.body = body
        self.expiresAt = expiresAt
    }
}
