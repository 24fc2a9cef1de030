import Foundation
import NIOHTTP1
import ROMACore
import Testing

@testable import ROMAServer

/// A store whose chosen operations fail, as a broken disk would.
struct FaultyStore: ExecutionStore {
    let base: SQLiteExecutionStore
    let failKeys: Bool
    let failList: Bool

    struct Broken: Error {}

    func insertKey(_ key: APIKeyRecord) async throws { try await base.insertKey(key) }
    func keys() async throws -> [APIKeyRecord] { try await base.keys() }
    func keys(prefix: String) async throws -> [APIKeyRecord] {
        if failKeys { throw Broken() }
        return try await base.keys(prefix: prefix)
    }
    func revokeKey(idOrPrefix: String, at: String) async throws -> APIKeyRecord? {
        try await base.revokeKey(idOrPrefix: idOrPrefix, at: at)
    }
    func consumeRequest(keyID: String, day: String, limit: Int) async throws -> UsageDecision {
        try await base.consumeRequest(keyID: keyID, day: day, limit: limit)
    }
    func create(_ execution: StoredExecution, idempotency: IdempotencyClaim?, maxRunning: Int, now: String) async throws -> CreateOutcome {
        try await base.create(execution, idempotency: idempotency, maxRunning: maxRunning, now: now)
    }
    func execution(id: String, keyID: String, includingDAG: Bool) async throws -> StoredExecution? {
        try await base.execution(id: id, keyID: keyID, includingDAG: includingDAG)
    }
    func list(keyID: String, query: ExecutionQuery) async throws -> (items: [StoredExecution], total: Int) {
        if failList { throw Broken() }
        return try await base.list(keyID: keyID, query: query)
    }
    func updateProgress(id: String, progress: Int, currentStep: String?, at: String) async throws {
        try await base.updateProgress(id: id, progress: progress, currentStep: currentStep, at: at)
    }
    func finish(id: String, outcome: ExecutionOutcome, at: String) async throws -> StoredExecution? {
        try await base.finish(id: id, outcome: outcome, at: at)
    }
    func cancel(id: String, keyID: String, at: String) async throws -> CancelOutcome { try await base.cancel(id: id, keyID: keyID, at: at) }
    func runningExecutions() async throws -> [StoredExecution] { try await base.runningExecutions() }
    func markRestarted(id: String, at: String) async throws { try await base.markRestarted(id: id, at: at) }
}

@Suite("Server-side failures and logs")
struct FaultTests {
    @Test func aStorageFailureInARouteIsA500InternalError() async throws {
        let faulty: @Sendable (SQLiteExecutionStore) -> any ExecutionStore = { FaultyStore(base: $0, failKeys: false, failList: true) }
        try await LiveServer.with(wrapStore: faulty) { server in
            let response = try await server.request(.GET, "/api/v1/executions", key: server.key)
            #expect(response.status == 500)
            #expect(response.errorCode == "internal_error")
            #expect(response.json?["error"]?["message"]?.stringValue == "An unexpected error occurred")
            #expect(response.json?["request_id"]?.stringValue == response.header("X-Request-ID"))
            #expect(response.header("X-RateLimit-Remaining") != nil)
        }
    }

    @Test func aStorageFailureDuringAuthenticationIsA503() async throws {
        let faulty: @Sendable (SQLiteExecutionStore) -> any ExecutionStore = { FaultyStore(base: $0, failKeys: true, failList: false) }
        try await LiveServer.with(wrapStore: faulty) { server in
            let response = try await server.request(.GET, "/api/v1/executions", key: server.key)
            #expect(response.status == 503)
            #expect(response.errorCode == "service_unavailable")
        }
    }

    @Test func accessLogsHaveTheRequestButNeverTheKeyOrTheWebhookToken() async throws {
        let logs = LogCapture()
        try await WebhookReceiver.with(failures: 1) { url, receiver in
            try await LiveServer.with(logs: logs) { server in
                let id = try await server.create(
                    #"{"goal": "Log me", "max_depth": 1, "metadata": {"webhook_url": "\#(url)?sig=querysecret", "webhook_token": "tok_never_logged"}}"#
                )
                _ = await receiver.wait(for: 2)
                _ = try await server.request(.GET, "/api/v1/executions/\(id)/status", key: server.key)
                _ = try await server.request(.GET, "/api/v1/executions", key: "sk_live_" + String(repeating: "B", count: 32))
                let text = logs.text
                #expect(text.contains("method=GET"))
                #expect(text.contains("path=/api/v1/executions/\(id)/status"))
                #expect(text.contains("status=200"))
                #expect(text.contains("status=401"))
                #expect(text.contains("duration_ms="))
                #expect(text.contains("request_id=req_"))
                #expect(text.contains("webhook delivered"))
                #expect(!text.contains(server.key))
                #expect(!text.contains("sk_live_BBBB"))
                #expect(!text.contains("tok_never_logged"))
                #expect(!text.contains("querysecret"))
            }
        }
    }
}
