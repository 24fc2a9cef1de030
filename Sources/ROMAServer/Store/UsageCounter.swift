/// The daily request counts, kept in memory and written to the store in batches.
///
/// Counting every request with its own SQLite write capped the server at about 3,000 requests a
/// second. Here a request is counted in memory, under a lock and without suspending (the
/// decision is made against the in-memory figure, which starts from the stored count the first
/// time a key is seen on a day), and counts reach SQLite in batches: whenever a key has
/// `batchSize` uncommitted requests, every few seconds (`UsageFlushService`), and on shutdown.
///
/// **Crash margin.** A key's uncommitted count never exceeds `batchSize` while no write is in
/// flight: a request that would pass it waits for the write. A crash therefore loses at most
/// `2 × batchSize` requests of any one key (one batch being written, one accumulating), and
/// after a restart that key may make that many more requests than its daily limit.
final class UsageCounter: Sendable {
    private struct Entry {
        /// Requests counted today (stored and not yet stored).
        var used: Int
        /// Requests not yet written.
        var pending = 0
    }
    private struct Slot: Hashable {
        let keyID: String
        let day: String
    }
    private struct State {
        var entries: [Slot: Entry] = [:]
        var writing = false
        var writeWaiters: [CheckedContinuation<Void, Never>] = []
    }
    private enum Step {
        case decided(UsageDecision)
        case load
        case flush
    }

    private let store: any ExecutionStore
    /// Uncommitted requests per key that trigger a write.
    let batchSize: Int
    private let state = Locked(State())

    init(store: any ExecutionStore, batchSize: Int) {
        self.store = store
        self.batchSize = max(1, batchSize)
    }

    /// Counts one request against the key's limit for `day`, unless the limit is reached (a
    /// refused request does not count).
    func consume(keyID: String, day: String, limit: Int) async throws -> UsageDecision {
        // issue-16: a store shared by replicas counts every request itself, exactly.
        if store.isShared { return try await store.consumeUsage(keyID: keyID, day: day, limit: limit) }
        let slot = Slot(keyID: keyID, day: day)
        while true {
            let step = state.withLock { state -> Step in
                guard var entry = state.entries[slot] else { return .load }
                if entry.pending >= batchSize { return .flush }
                guard entry.used < limit else { return .decided(UsageDecision(allowed: false, used: entry.used)) }
                entry.used += 1
                entry.pending += 1
                state.entries[slot] = entry
                return .decided(UsageDecision(allowed: true, used: entry.used))
            }
            switch step {
            case .decided(let decision):
                return decision
            case .load:
                let stored = try await store.usage(keyID: keyID, day: day)
                state.withLock { state in
                    if state.entries[slot] == nil { state.entries[slot] = Entry(used: stored) }
                }
            case .flush:
                try await flush()
            }
        }
    }

    /// Writes every uncommitted count in one transaction (or, if a write is already in flight,
    /// waits for it). Counts of days before `today`, once written, are forgotten.
    func flush(today: String? = nil) async throws {
        let batch = state.withLock { state -> [UsageIncrement]? in
            guard !state.writing else { return nil }
            state.writing = true
            var batch: [UsageIncrement] = []
            for (slot, entry) in state.entries where entry.pending > 0 {
                batch.append(UsageIncrement(keyID: slot.keyID, day: slot.day, count: entry.pending))
                state.entries[slot]?.pending = 0
            }
            return batch
        }
        guard let batch else {
            await waitForWrite()
            return
        }
        var failure: (any Error)?
        do {
            try await store.addUsage(batch)
        } catch {
            failure = error
        }
        let waiters = state.withLock { state in
            if failure != nil {
                // Not written: keep them for the next attempt.
                for increment in batch { state.entries[Slot(keyID: increment.keyID, day: increment.day)]?.pending += increment.count }
            } else if let today {
                state.entries = state.entries.filter { $0.key.day >= today || $0.value.pending > 0 }
            }
            state.writing = false
            defer { state.writeWaiters = [] }
            return state.writeWaiters
        }
        for waiter in waiters { waiter.resume() }
        if let failure { throw failure }
    }

    /// Returns once the write in flight (if any) has finished.
    private func waitForWrite() async {
        await withCheckedContinuation { continuation in
            let resumeNow = state.withLock { state in
                guard state.writing else { return true }
                state.writeWaiters.append(continuation)
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }
}
