/// The result of counting one request against a key's daily limit.
public struct UsageDecision: Sendable, Hashable {
    /// Whether the request may proceed.
    public var allowed: Bool
    /// Requests counted today, this one included when allowed.
    public var used: Int

    /// Creates a decision.
    public init(allowed: Bool, used: Int) {
        self.allowed = allowed
        self.used = used
    }
}
