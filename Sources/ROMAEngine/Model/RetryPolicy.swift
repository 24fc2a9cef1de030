import ROMAShared

extension RetryPolicy {
    /// The wait before attempt `attempt + 1` (attempt counts from 1), given the error and a jitter in 0...1.
    public func delay(afterAttempt attempt: Int, error: LLMError, jitter: Double) -> Duration {
        delay(afterAttempt: attempt, retryAfter: error.retryAfter, jitter: jitter)
    }
}
