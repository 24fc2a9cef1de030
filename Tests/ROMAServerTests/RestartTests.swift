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
