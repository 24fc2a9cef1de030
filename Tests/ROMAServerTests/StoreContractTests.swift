import Foundation
import ROMACore
import Testing

@testable import ROMAServer

/// One `ExecutionStore` contract, checked against SQLite and PostgreSQL alike (issue 16).
@Suite("StoreContract: SQLite and PostgreSQL keep the same ExecutionStore contract")
struct StoreContractTests {
    @Test func sqlite() async throws {
        try await StoreContract.check(try StoreFixture.sqlite())
    }

    @Test(.enabled(if: StoreFixture.postgresURL != nil, StoreFixture.postgresSkipReason))
    func postgreSQL() async throws {
        try await StoreFixture.withPostgres { try await StoreContract.check($0) }
    }

    @Test func sqliteIsExactUnderConcurrency() async throws {
        try await StoreContract.checkConcurrency(try StoreFixture.sqlite())
    }

    @Test(.enabled(if: StoreFixture.postgresURL != nil, StoreFixture.postgresSkipReason))
    func postgreSQLIsExactUnderConcurrency() async throws {
        try await StoreFixture.withPostgres(maxConnections: 40) { try await StoreContract.checkConcurrency($0) }
    }

    @Test(.enabled(if: StoreFixture.postgresURL != nil, StoreFixture.postgresSkipReason))
    func aDatabaseThatCannotBeOpenedIsOneLineFromTheServer() async throws {
        var url = try PostgresDatabaseURL(
            try #require(StoreFixture.postgresURL), passwordAllowed: true, environment: ProcessInfo.processInfo.environment)
        url.database = "roma_missing_" + StoreFixture.schemaSuffix()
        let error = await #expect(throws: (any Error).self) {
            try await PostgresExecutionStore.withStore(url: url) { _ in }
        }
        #expect(PostgresExecutionStore.reason(try #require(error)) == "database \"\(url.database)\" does not exist")
    }
}

/// The checks themselves, written once against the protocol.
enum StoreContract {
    static let now = "2025-11-11T10:30:00.000Z"
    static let later = "2025-11-11T10:31:00.000Z"

    static func execution(keyID: String, goal: String = "a goal", createdAt: String = now) -> StoredExecution {
        StoredExecution(
            id: Identifier.executionID(), keyID: keyID, status: .running, request: ExecutionRequest(goal: goal), maxDepth: 2,
            createdAt: createdAt, updatedAt: createdAt)
    }

    static func key(_ store: any ExecutionStore) async throws -> APIKeyRecord {
        let (_, record) = APIKeySecret.makeKey(name: "contract", now: Date())
        try await store.insertKey(record)
        return record
    }

    static func check(_ store: any ExecutionStore) async throws {
        // Keys.
        let key = try await key(store)
        #expect(try await store.keys().map(\.id).contains(key.id))
        #expect(try await store.keys(prefix: key.prefix).map(\.id) == [key.id])
        #expect(try await store.revokeKey(idOrPrefix: "nope", at: now) == nil)

        // Create, idempotency, the running cap.
        let lease = ExecutionLease(owner: "replica_a", duration: .seconds(60))
        let first = execution(keyID: key.id, goal: "first")
        let claim = IdempotencyClaim(key: "idem-1", status: 202, body: Array(#"{"x":1}"#.utf8), expiresAt: later)
        #expect(try await store.create(first, idempotency: claim, maxRunning: 2, now: now, lease: lease) == .created(first))
        let duplicate = execution(keyID: key.id)
        #expect(
            try await store.create(duplicate, idempotency: claim, maxRunning: 2, now: now, lease: lease)
                == .replayed(status: 202, body: Array(#"{"x":1}"#.utf8)))
        let second = execution(keyID: key.id, goal: "second")
        #expect(try await store.create(second, idempotency: nil, maxRunning: 2, now: now, lease: lease) == .created(second))
        #expect(
            try await store.create(execution(keyID: key.id), idempotency: nil, maxRunning: 2, now: now, lease: lease)
                == .concurrencyLimit(running: 2))

        // Reads, progress with a live DAG, list.
        let read = try #require(try await store.execution(id: first.id, keyID: key.id))
        #expect(read.request.goal == "first" && read.status == .running && read.dag == nil)
        #expect(try await store.execution(id: first.id, keyID: "key_other") == nil)
        let liveDAG = DAG(
            nodes: [DAGNode(id: "node_0", type: "pending", taskType: "THINK", status: .running, input: "first", depth: 0, parent: nil)],
            edges: [])
        try await store.updateProgress(id: first.id, progress: 40, currentStep: "step", dag: liveDAG, at: later)
        let progressed = try #require(try await store.execution(id: first.id, keyID: key.id))
        #expect(progressed.progress == 40 && progressed.currentStep == "step" && progressed.dag == liveDAG)
        #expect(try await store.execution(id: first.id, keyID: key.id, includingDAG: false)?.dag == nil)
        let page = try await store.list(keyID: key.id, query: ExecutionQuery(limit: 1, order: .asc))
        #expect(page.total == 2 && page.items.count == 1)
        #expect(try await store.list(keyID: key.id, query: ExecutionQuery(status: .completed)).total == 0)

        // Leases: a live lease is not claimed; a lapsed one is, and the old owner then loses it.
        let other = ExecutionLease(owner: "replica_b", duration: .seconds(60))
        #expect(try await store.claim(other, limit: 10, includingLive: false, at: later).isEmpty)
        #expect(try await store.renew(lease, ids: [first.id, second.id]) == [first.id: .running, second.id: .running])
        let lapsing = ExecutionLease(owner: "replica_a", duration: .zero)
        _ = try await store.renew(lapsing, ids: [second.id])  // the lease now ends at once
        try await store.appendCall(executionID: second.id, owner: "replica_a", line: #"{"key":"k1"}"#)
        let taken = try await store.claim(other, limit: 10, includingLive: false, at: later)
        #expect(taken.map(\.id) == [second.id])
        #expect(taken.first?.restarts == 1)
        #expect(try await store.renew(lease, ids: [first.id, second.id]) == [first.id: .running])
        // Only the holder journals; the journal keeps its order.
        try await store.appendCall(executionID: second.id, owner: "replica_a", line: #"{"key":"lost"}"#)
        try await store.appendCall(executionID: second.id, owner: "replica_b", line: #"{"key":"k2"}"#)
        #expect(try await store.journal(executionID: second.id) == [#"{"key":"k1"}"#, #"{"key":"k2"}"#])

        // Finish: only the holder's outcome counts, once.
        let outcome = ExecutionOutcome(
            status: .completed, result: "done", error: nil, dag: liveDAG, metrics: ExecutionMetadata(tokensUsed: 3),
            callsJSONL: "{}\n")
        #expect(try await store.finish(id: second.id, outcome: outcome, at: later, owner: "replica_a") == nil)
        let finished = try #require(try await store.finish(id: second.id, outcome: outcome, at: later, owner: "replica_b"))
        #expect(finished.status == .completed && finished.result == "done" && finished.progress == 100)

        // Cancel.
        guard case .cancelled(let cancelled) = try await store.cancel(id: first.id, keyID: key.id, at: later) else {
            Issue.record("cancel of a running execution did not cancel it")
            return
        }
        #expect(cancelled.status == .cancelled)
        guard case .notRunning = try await store.cancel(id: first.id, keyID: key.id, at: later) else {
            Issue.record("a second cancel changed something")
            return
        }
        #expect(try await store.cancel(id: "exec_none", keyID: key.id, at: later) == .notFound)
        #expect(try await store.renew(lease, ids: [first.id]) == [first.id: .cancelled])
        // A cancelled execution stays cancelled when the engine's outcome arrives.
        #expect(try await store.finish(id: first.id, outcome: outcome, at: later, owner: "replica_a")?.status == .cancelled)
        #expect(try await store.runningExecutions().isEmpty)

        // Usage.
        try await store.addUsage([UsageIncrement(keyID: key.id, day: "2025-11-11", count: 5)])
        #expect(try await store.usage(keyID: key.id, day: "2025-11-11") == 5)
        #expect(try await store.consumeUsage(keyID: key.id, day: "2025-11-11", limit: 6) == UsageDecision(allowed: true, used: 6))
        #expect(try await store.consumeUsage(keyID: key.id, day: "2025-11-11", limit: 6) == UsageDecision(allowed: false, used: 6))
    }

    /// 50 concurrent creates with one idempotency key make one execution; 150 concurrent requests
    /// against a limit of 100 admit exactly 100.
    static func checkConcurrency(_ store: any ExecutionStore) async throws {
        let key = try await key(store)
        let claim = IdempotencyClaim(key: "same", status: 202, body: Array("{}".utf8), expiresAt: later)
        let created = try await withThrowingTaskGroup(of: Bool.self) { group in
            for index in 0..<50 {
                group.addTask {
                    let lease = ExecutionLease(owner: "replica_\(index % 3)", duration: .seconds(60))
                    let outcome = try await store.create(
                        execution(keyID: key.id), idempotency: claim, maxRunning: 1000, now: now, lease: lease)
                    if case .created = outcome { return true }
                    return false
                }
            }
            return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(created == 1)
        #expect(try await store.list(keyID: key.id, query: ExecutionQuery()).total == 1)

        let admitted = try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0..<150 {
                group.addTask { try await store.consumeUsage(keyID: key.id, day: "2025-11-12", limit: 100).allowed }
            }
            return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(admitted == 100)
        #expect(try await store.usage(keyID: key.id, day: "2025-11-12") == 100)
    }
}
