import Foundation
import Testing

@testable import ROMAServer

@Suite("Daily counts: in memory, written in batches")
struct UsageCounterTests {
    static func store() throws -> (SQLiteExecutionStore, String) {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("usage-\(UUID().uuidString).sqlite").path
        return (try SQLiteExecutionStore(path: path), path)
    }

    @Test func countsReachSQLiteInBatchesAndACrashLosesAtMostOneBatchInFlightPlusOne() async throws {
        let (store, path) = try Self.store()
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let counter = UsageCounter(store: store, batchSize: 3)
        var used: [Int] = []
        for _ in 0..<7 {
            let decision = try await counter.consume(keyID: "key_a", day: "2025-11-11", limit: 10)
            #expect(decision.allowed)
            used.append(decision.used)
        }
        #expect(used == Array(1...7))
        // Written when a 4th and a 7th request found 3 uncommitted: 6 stored, 1 in memory only.
        #expect(try await store.usage(keyID: "key_a", day: "2025-11-11") == 6)

        // A "crash" here (the counter is dropped unflushed) loses 1; a new process starts from 6.
        let restarted = UsageCounter(store: store, batchSize: 3)
        for expected in 7...10 {
            #expect(try await restarted.consume(keyID: "key_a", day: "2025-11-11", limit: 10).used == expected)
        }
        let refused = try await restarted.consume(keyID: "key_a", day: "2025-11-11", limit: 10)
        #expect(!refused.allowed)
        #expect(refused.used == 10)
        try await restarted.flush(today: "2025-11-12")
        #expect(try await store.usage(keyID: "key_a", day: "2025-11-11") == 10)
        // The next day starts at zero, and writing it drops the old day's row.
        #expect(try await restarted.consume(keyID: "key_a", day: "2025-11-12", limit: 10).used == 1)
        try await restarted.flush()
        #expect(try await store.usage(keyID: "key_a", day: "2025-11-11") == 0)
        #expect(try await store.usage(keyID: "key_a", day: "2025-11-12") == 1)
    }

    @Test func concurrentRequestsNeverLeaveMoreThanTwoBatchesUnwritten() async throws {
        let (store, path) = try Self.store()
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let counter = UsageCounter(store: store, batchSize: 5)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<200 {
                group.addTask { _ = try await counter.consume(keyID: "key_b", day: "2025-11-11", limit: 1_000) }
            }
            try await group.waitForAll()
        }
        let stored = try await store.usage(keyID: "key_b", day: "2025-11-11")
        #expect(stored <= 200 && stored >= 200 - 2 * 5)
        try await counter.flush()
        #expect(try await store.usage(keyID: "key_b", day: "2025-11-11") == 200)
    }
}
