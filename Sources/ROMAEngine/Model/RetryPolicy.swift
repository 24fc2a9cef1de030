/// Exponential backoff with full jitter, bounded attempts, `Retry-After` honoured.
public struct RetryPolicy: Sendable, Hashable {
    /// Total attempts, the first included.
    public var maxAttempts: Int
    /// The first backoff.
    public var baseDelay: Duration
    /// The largest backoff (and the largest `Retry-After` honoured).
    public var maxDelay: Duration

    /// Creates a policy.
    public init(maxAttempts: Int = 5, baseDelay: Duration = .milliseconds(500), maxDelay: Duration = .seconds(30)) {
        self.maxAttempts = maxAttempts
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
    }

    /// The wait before attempt `attempt + 1` (attempt counts from 1), given the error and a jitter in 0...1.
    public func delay(afterAttempt attempt: Int, error: LLMError, jitter: Double) -> Duration {
        if let retryAfter = error.retryAfter { return min(retryAfter, maxDelay) }
        let exponent = min(attempt - 1, 20)
        let ceiling = min(baseDelay * (1 << exponent), maxDelay)
        // Half fixed, half random: spreads a thundering herd without ever retrying at once.
        return ceiling * 0.5 + ceiling * (0.5 * jitter)
    }
}
