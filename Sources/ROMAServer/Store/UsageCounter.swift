/// The daily request counts, kept in memory and written to the store in batches.
///
/// Counting every request with its own SQLite write capped the server at about 3,000 requests a
/// second. Here a request is counted in memory (the decision is made against the in-memory
/// figure, which starts from the stored count the first time a key is seen on a day) and counts
/// reach SQLite in batches: whenever a key has `batchSize` uncommitted requests, every few
/// seconds (`UsageFlushService`), and on shutdown.
///
/// **Crash margin.** A key's uncommitted count never exceeds `batchSize` while no write is in
/// flight: a request that would pass it waits for the write. A crash therefore loses at most
/// `2 × batchSize` requests of any one key (one batch being written, one accumulating), and
/// after a restart that key may make that many more requests than its daily limit.
actor UsageCounter {
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

    private let store: any ExecutionStore
    /// Uncommitted requests per key that trigger a write.
    let batchSize: Int
    private var entries: [Slot: Entry] = [:]
    private var writing = false
    private var writeWaiters: [CheckedContinuation<Void, Never>] = []

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
        if entries[slot] == nil {
            let stored = try await store.usage(keyID: keyID, day: day)
            if entries[slot] == nil { entries[slot] = Entry(used: stored) }
        }
        while let entry = entries[slot], entry.pending >= batchSize { try await flush() }
        guard var entry = entries[slot] else { return UsageDecision(allowed: false, used: limit) }
        guard entry.used < limit else { return UsageDecision(allowed: false, used: entry.used) }
        entry.used += 1
        entry.pending += 1
        entries[slot] = entry
        return UsageDecision(allowed: true, used: entry.used)
    }

    /// Writes every uncommitted count in one transaction (or, if a write is already in flight,
    /// waits for it). Counts of days before `today`, once written, are forgotten.
    func flush(today: String? = nil) async throws {
        if writing {
            await withCheckedContinuation { writeWaiters.append($0) }
            return
        }
        writing = true
        defer {
            writing = false
            let waiters = writeWaiters
            writeWaiters = []
            for waiter in waiters { waiter.resume() }
        }
        let batch = entries.compactMap { slot, entry in
            entry.pending > 0 ? UsageIncrement(keyID: slot.keyID, day: slot.day, count: entry.pending) : nil
        }
        for increment in batch { entries[Slot(keyID: increment.keyID, day: increment.day)]?.pending = 0 }
        do {
            try await store.addUsage(batch)
        } catch {
            // Not written: keep them for the next attempt.
            for increment in batch { entries[Slot(keyID: increment.keyID, day: increment.day)]?.pending += increment.count }
            throw error
        }
        if let today { entries = entries.filter { $0.key.day >= today || $0.value.pending > 0 } }
    }
}
