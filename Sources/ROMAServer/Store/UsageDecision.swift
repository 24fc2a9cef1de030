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

/// Requests to add to a key's count for a day.
public struct UsageIncrement: Sendable, Hashable {
    public var keyID: String
    /// `YYYY-MM-DD` (UTC).
    public var day: String
    public var count: Int

    /// Creates an increment.
    public init(keyID: String, day: String, count: Int) {
        self.keyID = keyID
        self.day = day
        self.count = count
    }
}
