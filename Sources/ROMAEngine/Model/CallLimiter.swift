import Synchronization

/// A counting semaphore for LLM calls in flight, shared by every goal of a process.
///
/// Waiters are served first come, first served; a cancelled waiter leaves the queue at once.
/// A lock-protected class rather than an actor: the cancellation handler runs synchronously and
/// can resume the waiter itself, so no unstructured task is needed to reach the queue.
public final class CallLimiter: Sendable {
    private let limit: Int
    private let state = Mutex(State())

    private struct State {
        var inFlight = 0
        var peak = 0
        var waiters: [Waiter] = []

        /// Takes a free slot if there is one.
        mutating func take(limit: Int) -> Bool {
            guard inFlight < limit else { return false }
            inFlight += 1
            peak = max(peak, inFlight)
            return true
        }
    }

    /// One suspended `acquire`; touched only under `state`'s lock.
    private final class Waiter: @unchecked Sendable {
        var continuation: CheckedContinuation<Void, any Error>?
        var cancelled = false
    }

    /// Creates a limiter allowing `limit` calls at once.
    public init(limit: Int) {
        self.limit = max(1, limit)
    }

    /// The most calls that were ever in flight at once (for benchmarks and tests).
    public var peak: Int { state.withLock { $0.peak } }

    /// Waits for a slot.
    public func acquire() async throws {
        try Task.checkCancellation()
        if state.withLock({ $0.take(limit: limit) }) { return }
        let waiter = Waiter()
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                enum Outcome { case queued, granted, cancelled }
                let outcome = state.withLock { state -> Outcome in
                    // The handler ran before this body: leave at once.
                    if waiter.cancelled { return .cancelled }
                    // A slot freed between the first attempt and now.
                    if state.take(limit: limit) { return .granted }
                    waiter.continuation = continuation
                    state.waiters.append(waiter)
                    return .queued
                }
                switch outcome {
                case .queued: break
                case .granted: continuation.resume()
                case .cancelled: continuation.resume(throwing: CancellationError())
                }
            }
        } onCancel: {
            let continuation = state.withLock { state -> CheckedContinuation<Void, any Error>? in
                waiter.cancelled = true
                guard let queued = waiter.continuation, let index = state.waiters.firstIndex(where: { $0 === waiter }) else {
                    return nil  // not queued yet, or already holding its slot
                }
                state.waiters.remove(at: index)
                waiter.continuation = nil
                return queued
            }
            continuation?.resume(throwing: CancellationError())
        }
    }

    /// Returns a slot.
    public func release() {
        let next = state.withLock { state -> CheckedContinuation<Void, any Error>? in
            guard !state.waiters.isEmpty else {
                state.inFlight -= 1
                return nil
            }
            // The slot passes straight to the next waiter; inFlight stays the same.
            let waiter = state.waiters.removeFirst()
            defer { waiter.continuation = nil }
            return waiter.continuation
        }
        next?.resume()
    }

    /// Runs `body` holding a slot.
    public func withSlot<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        try await acquire()
        do {
            let value = try await body()
            release()
            return value
        } catch {
            release()
            throw error
        }
    }
}

/// A model whose calls wait for a slot of a shared `CallLimiter`.
public struct LimitedModel<Base: LanguageModel>: LanguageModel {
    /// The wrapped model.
    public var base: Base
    /// The shared limiter.
    public var limiter: CallLimiter

    /// Creates the wrapper.
    public init(_ base: Base, limiter: CallLimiter) {
        self.base = base
        self.limiter = limiter
    }

    public var providerName: String { base.providerName }

    public func complete(_ request: ChatRequest, context: CallContext) async throws -> ChatResponse {
        try await limiter.withSlot { try await base.complete(request, context: context) }
    }
}
