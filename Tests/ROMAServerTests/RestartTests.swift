import Foundation
import NIOHTTP1
import ROMACore
import Testing

@testable import ROMAServer

@Suite("State survives a restart; interrupted executions are re-run")
struct RestartTests {
    @Test func executionsInFlightAreRerunFromTheStartByTheNextServer() async throws {
        let database = try await TestDatabase.make()
        defer { database.remove() }
        let gate = Gate()
        let (done, interrupted) = try await LiveServer.with(model: ScriptedModel(gate: gate), database: database) { server in
            let done = try await server.create(#"{"goal": "finished before the stop", "max_depth": 1}"#)
            _ = await server.waitUntilFinished(done)
            let interrupted = try await server.create(#"{"goal": "interrupted by the stop [block]"}"#)
            await gate.waitForArrivals(1)
            return (done, interrupted)  // the server stops here, with the execution in flight
        }
        // The stop left it running (not cancelled, not failed).
        let store = try SQLiteExecutionStore(path: database.path)
        let keyID = try #require(try await store.keys(prefix: APIKeySecret.prefix(of: database.keys[0])).first?.id)
        #expect(try await store.execution(id: interrupted, keyID: keyID)?.status == .running)

        try await LiveServer.with(database: database) { server in
            let finished = await server.waitUntilFinished(interrupted)
            #expect(finished.status == .completed)
            #expect(finished.restarts == 1)
            let status = try await server.request(.GET, "/api/v1/executions/\(interrupted)/status", key: server.key)
            #expect(status.json?["status"]?.stringValue == "completed")
            // The execution finished before the stop is intact, DAG and result included.
            let details = try await server.request(.GET, "/api/v1/executions/\(done)", key: server.key)
            #expect(details.json?["status"]?.stringValue == "completed")
            #expect(details.json?["result"]?.stringValue?.isEmpty == false)
            #expect((details.json?["dag"]?["nodes"]?.arrayValue?.count ?? 0) > 0)
            let list = try await server.request(.GET, "/api/v1/executions", key: server.key)
            #expect(list.json?["pagination"]?["total"]?.intValue == 2)
        }
    }
}

/// issue-16: a restart replays the calls the stopped server had finished (its journal).
@Suite("A restarted SQLite server pays for no finished call twice")
struct RestartReplayTests {
    @Test func theNextServerReplaysTheJournaledCalls() async throws {
        let database = try await TestDatabase.make()
        defer { database.remove() }
        let gate = Gate()
        let counter = CallCounter()
        let id = try await LiveServer.with(model: CountingModel(counter: counter, gate: gate, answering: 3), database: database) {
            server in
            let id = try await server.create(#"{"goal": "Compare three databases", "max_depth": 2}"#)
            await gate.waitForArrivals(1)  // 3 calls answered; the server stops in the next one
            return id
        }
        try await LiveServer.with(model: CountingModel(counter: counter), database: database) { server in
            let finished = await server.waitUntilFinished(id)
            #expect(finished.status == .completed)
            #expect(finished.restarts == 1)
        }
        let counts = await counter.counts
        #expect(counts.values.allSatisfy { $0 == 1 }, "calls answered twice: \(counts.filter { $0.value > 1 })")
    }
}
