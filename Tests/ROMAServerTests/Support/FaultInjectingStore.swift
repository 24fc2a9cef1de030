import NIOConcurrencyHelpers
import ROMACore

@testable import ROMAServer

/// A store whose chosen operations fail, as a broken or flaky disk would: `failures` counts the
/// failures left per operation (`keys` for key lookups, `list`, `create`, `read`); `Int.max` is
/// a disk that never recovers.
struct FaultInjectingStore: ExecutionStore {
    let base: SQLiteExecutionStore
    let failures: NIOLockedValueBox<[String: Int]>

    struct Broken: Error {}

    private func maybeFail(_ what: String) throws {
        let fail = failures.withLockedValue { counts -> Bool in
            guard let left = counts[what], left > 0 else { return false }
            counts[what] = left - 1
            return true
        }
        if fail { throw Broken() }
    }

    func insertKey(_ key: APIKeyRecord) async throws { try await base.insertKey(key) }
    func keys() async throws -> [APIKeyRecord] { try await base.keys() }
    func keys(prefix: String) async throws -> [APIKeyRecord] {
        try maybeFail("keys")
        return try await base.keys(prefix: prefix)
    }
    func revokeKey(idOrPrefix: String, at: String) async throws -> APIKeyRecord? {
        try await base.revokeKey(idOrPrefix: idOrPrefix, at: at)
    }
    func usage(keyID: String, day: String) async throws -> Int { try await base.usage(keyID: keyID, day: day) }
    func addUsage(_ increments: [UsageIncrement]) async throws { try await base.addUsage(increments) }
    func create(
        _ execution: StoredExecution, idempotency: IdempotencyClaim?, maxRunning: Int, now: String, lease: ExecutionLease?
    ) async throws -> CreateOutcome {
        try maybeFail("create")
        return try await base.create(execution, idempotency: idempotency, maxRunning: maxRunning, now: now, lease: lease)
    }
    func execution(id: String, keyID: String, includingDAG: Bool) async throws -> StoredExecution? {
        try maybeFail("read")
        return try await base.execution(id: id, keyID: keyID, includingDAG: includingDAG)
    }
    func list(keyID: String, query: ExecutionQuery) async throws -> (items: [StoredExecution], total: Int) {
        try maybeFail("list")
        return try await base.list(keyID: keyID, query: query)
    }
    func updateProgress(id: String, progress: Int, currentStep: String?, dag: DAG?, at: String) async throws {
        try await base.updateProgress(id: id, progress: progress, currentStep: currentStep, dag: dag, at: at)
    }
    func finish(id: String, outcome: ExecutionOutcome, at: String, owner: String?) async throws -> StoredExecution? {
        try await base.finish(id: id, outcome: outcome, at: at, owner: owner)
    }
    func cancel(id: String, keyID: String, at: String) async throws -> CancelOutcome { try await base.cancel(id: id, keyID: keyID, at: at) }
    func runningExecutions() async throws -> [StoredExecution] { try await base.runningExecutions() }
    func markRestarted(id: String, at: String) async throws { try await base.markRestarted(id: id, at: at) }
    var isShared: Bool { base.isShared }
    func claim(_ lease: ExecutionLease, limit: Int, includingLive: Bool, at: String) async throws -> [StoredExecution] {
        try await base.claim(lease, limit: limit, includingLive: includingLive, at: at)
    }
    func renew(_ lease: ExecutionLease, ids: [String]) async throws -> [String: ExecutionStatus] { try await base.renew(lease, ids: ids) }
    func appendCall(executionID: String, owner: String, line: String) async throws {
        try await base.appendCall(executionID: executionID, owner: owner, line: line)
    }
    func journal(executionID: String) async throws -> [String] { try await base.journal(executionID: executionID) }
    func consumeUsage(keyID: String, day: String, limit: Int) async throws -> UsageDecision {
        try await base.consumeUsage(keyID: keyID, day: day, limit: limit)
    }
}
