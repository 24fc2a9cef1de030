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

    /// The backoff ceiling after failed attempt `attempt` (1-based): base × 2^(attempt−1), capped
    /// at `maxDelay`.
    public func ceiling(afterAttempt attempt: Int) -> Duration {
        min(baseDelay * (1 << min(attempt - 1, 20)), maxDelay)
    }

    /// The wait before attempt `attempt + 1` (attempt counts from 1): the server's `Retry-After`
    /// when it gave one (capped at `maxDelay`), else half the ceiling plus a random half
    /// (`jitter` in 0...1), which spreads a thundering herd without ever retrying at once.
    public func delay(afterAttempt attempt: Int, retryAfter: Duration?, jitter: Double) -> Duration {
        if let retryAfter { return min(retryAfter, maxDelay) }
        let ceiling = ceiling(afterAttempt: attempt)
        return ceiling * 0.5 + ceiling * (0.5 * jitter)
    }
}
