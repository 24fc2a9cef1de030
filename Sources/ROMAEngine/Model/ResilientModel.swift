import Foundation

/// Retries a model's retryable failures (transport, timeouts, 429, 5xx, garbage) with backoff.
public struct ResilientModel<Base: LanguageModel>: LanguageModel {
    /// The wrapped model.
    public var base: Base
    /// The retry policy.
    public var policy: RetryPolicy
    /// The clock to wait on.
    public var sleeper: any Sleeper
    /// Called before each retry (for logs and counters).
    public var onRetry: @Sendable (LLMError, Int, Duration) -> Void

    /// Creates the wrapper.
    public init(
        _ base: Base, policy: RetryPolicy = RetryPolicy(), sleeper: any Sleeper = ContinuousSleeper(),
        onRetry: @escaping @Sendable (LLMError, Int, Duration) -> Void = { _, _, _ in }
    ) {
        self.base = base
        self.policy = policy
        self.sleeper = sleeper
        self.onRetry = onRetry
    }

    public var providerName: String { base.providerName }

    public func complete(_ request: ChatRequest, context: CallContext) async throws -> ChatResponse {
        var attempt = 1
        while true {
            try Task.checkCancellation()
            do {
                return try await base.complete(request, context: context)
            } catch let error as LLMError where error.isRetryable && attempt < policy.maxAttempts {
                let delay = policy.delay(afterAttempt: attempt, error: error, jitter: Double.random(in: 0...1))
                onRetry(error, attempt, delay)
                try await sleeper.sleep(for: delay)
                attempt += 1
            } catch let error as LLMError where error.isRetryable {
                throw LLMError(
                    code: error.code, message: "\(error.message) (gave up after \(attempt) attempts)",
                    status: error.status, retryAfter: error.retryAfter)
            }
        }
    }
}
