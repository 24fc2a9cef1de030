/// A counting semaphore for LLM calls in flight, shared by every goal of a process.
///
/// Waiters are served first come, first served; a cancelled waiter leaves the queue at once.
public actor CallLimiter {
    private let limit: Int
    private var inFlight = 0
    private var waiters: [(id: UInt64, continuation: CheckedContinuation<Void, any Error>)] = []
    private var nextID: UInt64 = 0
    private var cancelledBeforeQueued: Set<UInt64> = []
    /// The most calls that were ever in flight at once (for benchmarks and tests).
    public private(set) var peak = 0

    /// Creates a limiter allowing `limit` calls at once.
    public init(limit: Int) {
        self.limit = max(1, limit)
    }

    /// Waits for a slot.
    public func acquire() async throws {
        try Task.checkCancellation()
        if inFlight < limit {
            inFlight += 1
            peak = max(peak, inFlight)
            return
        }
        let id = nextID
        nextID += 1
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                if cancelledBeforeQueued.remove(id) != nil {
                    continuation.resume(throwing: CancellationError())
                } else {
                    waiters.append((id, continuation))
                }
            }
        } onCancel: {
            Task { await self.cancelWaiter(id) }
        }
    }

    /// Returns a slot.
    public func release() {
        if waiters.isEmpty {
            inFlight -= 1
        } else {
            // The slot passes straight to the next waiter; inFlight stays the same.
            waiters.removeFirst().continuation.resume()
        }
    }

    private func cancelWaiter(_ id: UInt64) {
        guard let index = waiters.firstIndex(where: { $0.id == id }) else {
            cancelledBeforeQueued.insert(id)  // the handler ran before the waiter was queued
            return
        }
        waiters.remove(at: index).continuation.resume(throwing: CancellationError())
    }

    /// Runs `body` holding a slot.
    public nonisolated func withSlot<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        try await acquire()
        do {
            let value = try await body()
            await release()
            return value
        } catch {
            await release()
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
