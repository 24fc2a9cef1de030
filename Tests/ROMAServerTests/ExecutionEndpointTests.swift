import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import ROMACore
import Testing

@testable import ROMAServer

@Suite("Execution endpoints")
struct ExecutionEndpointTests {
    static var idPattern: Regex<Substring> { /exec_[a-z0-9]{16}/ }
    static var timestampPattern: Regex<(Substring, Substring?)> { /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z/ }

    @Test func createReturns202WithTheSummaryShapeAndTheExecutionCompletes() async throws {
        try await LiveServer.with { server in
            let response = try await server.request(
                .POST, "/api/v1/executions", key: server.key,
                body: #"{"goal": "Research AI trends in 2025", "config_profile": "high_quality", "metadata": {"user_id": "u1"}}"#)
            #expect(response.status == 202)
            let json = try #require(response.json)
            let id = try #require(json["execution_id"]?.stringValue)
            #expect(id.wholeMatch(of: Self.idPattern) != nil)
            #expect(json["status"]?.stringValue == "running")
            #expect(json["initial_goal"]?.stringValue == "Research AI trends in 2025")
            #expect(json["config_profile"]?.stringValue == "high_quality")
            #expect(json["max_depth"]?.intValue == 5)
            let created = try #require(json["created_at"]?.stringValue)
            #expect(created.wholeMatch(of: Self.timestampPattern) != nil)
            #expect(json["updated_at"]?.stringValue == created)

            let finished = await server.waitUntilFinished(id)
            #expect(finished.status == .completed)

            let details = try await server.request(.GET, "/api/v1/executions/\(id)", key: server.key)
            #expect(details.status == 200)
            let body = try #require(details.json)
            #expect(body["status"]?.stringValue == "completed")
            #expect(body["result"]?.stringValue?.contains("[synthetic]") == true)
            #expect(body["completed_at"]?.stringValue?.wholeMatch(of: Self.timestampPattern) != nil)
            #expect(body["metadata"]?["user_metadata"]?["user_id"]?.stringValue == "u1")
            #expect((body["metadata"]?["tokens_used"]?.intValue ?? 0) > 0)
            #expect((body["metadata"]?["agent_calls"]?.intValue ?? 0) > 0)
            #expect((body["dag"]?["nodes"]?.arrayValue?.count ?? 0) > 1)

            let status = try await server.request(.GET, "/api/v1/executions/\(id)/status", key: server.key)
            #expect(status.status == 200)
            #expect(status.json?["status"]?.stringValue == "completed")
            #expect(status.json?["progress"] == .int(100))
            #expect(status.json?["result"]?.stringValue == body["result"]?.stringValue)
            #expect(status.json?["metadata"]?["tokens_used"] != nil)
            #expect(status.json?["completed_at"] != nil)

            let dag = try await server.request(.GET, "/api/v1/executions/\(id)/dag", key: server.key)
            #expect(dag.status == 200)
            #expect(dag.json?["execution_id"]?.stringValue == id)
            let nodes = try #require(dag.json?["dag"]?["nodes"]?.arrayValue)
            let edges = try #require(dag.json?["dag"]?["edges"]?.arrayValue)
            #expect(dag.json?["dag"]?["stats"]?["total_nodes"]?.intValue == nodes.count)
            #expect(dag.json?["dag"]?["stats"]?["total_edges"]?.intValue == edges.count)
            #expect(dag.json?["dag"]?["stats"]?["completed_nodes"]?.intValue == nodes.count)
        }
    }

    struct InvalidBody: Sendable, CustomTestStringConvertible {
        let body: String
        let field: String
        let issue: String
        var testDescription: String { body }
    }

    @Test(arguments: [
        InvalidBody(body: "{}", field: "goal", issue: "missing_required_field"),
        InvalidBody(body: #"{"goal": "   "}"#, field: "goal", issue: "invalid_value"),
        InvalidBody(body: #"{"goal": 42}"#, field: "goal", issue: "invalid_type"),
        InvalidBody(body: #"{"goal": "x", "max_depth": 11}"#, field: "max_depth", issue: "out_of_range"),
        InvalidBody(body: #"{"goal": "x", "config_profile": "turbo"}"#, field: "config_profile", issue: "invalid_value"),
        InvalidBody(
            body: #"{"goal": "x", "config_overrides": {"temperature": 2}}"#, field: "config_overrides.temperature", issue: "out_of_range"),
        InvalidBody(body: #"{"goal": "x", "colour": "red"}"#, field: "colour", issue: "unknown_field"),
        InvalidBody(body: "not json", field: "body", issue: "syntax"),
        InvalidBody(
            body: #"{"goal": "x", "metadata": {"webhook_url": "ftp://example.test/h"}}"#, field: "metadata.webhook_url",
            issue: "invalid_value"),
    ])
    func invalidBodiesAre400WithFieldAndIssue(_ invalid: InvalidBody) async throws {
        try await LiveServer.with { server in
            let response = try await server.request(.POST, "/api/v1/executions", key: server.key, body: invalid.body)
            #expect(response.status == 400)
            let error = try #require(response.json?["error"])
            #expect(error["code"]?.stringValue == "invalid_request")
            #expect(error["details"]?["field"]?.stringValue == invalid.field, "\(response.text)")
            #expect(error["details"]?["issue"]?.stringValue == invalid.issue, "\(response.text)")
            #expect(response.json?["request_id"]?.stringValue == response.header("X-Request-ID"))
            if invalid.body == "{}" { #expect(error["message"]?.stringValue == "The 'goal' field is required") }
        }
    }

    @Test func oversizedBodiesAre413() async throws {
        try await LiveServer.with { server in
            let goal = String(repeating: "a", count: (1 << 20) + 10)
            let response = try await server.request(.POST, "/api/v1/executions", key: server.key, body: #"{"goal": "\#(goal)"}"#)
            #expect(response.status == 413)
            #expect(response.errorCode == "invalid_request")
            #expect(response.json?["error"]?["details"]?["limit_bytes"]?.intValue == 1 << 20)
        }
    }

    @Test func oversizedChunkedBodiesAre413Too() async throws {
        try await LiveServer.with { server in
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(server.port)/api/v1/executions")
            request.method = .POST
            request.headers.add(name: "X-API-Key", value: server.key)
            request.headers.add(name: "Content-Type", value: "application/json")
            let chunk = ByteBuffer(string: String(repeating: " ", count: 64 * 1024))
            let chunks = [ByteBuffer(string: #"{"goal": "x""#)] + Array(repeating: chunk, count: 20) + [ByteBuffer(string: "}")]
            request.body = .stream(chunks.async, length: .unknown)
            let response = try await LiveServer.client.execute(request, timeout: .seconds(60))
            #expect(response.status.code == 413)
            #expect(response.headers.first(name: "Content-Length") != nil)
        }
    }

    @Test func unknownExecutionsAre404OnEveryEndpoint() async throws {
        try await LiveServer.with { server in
            for (method, path) in [
                (HTTPMethod.GET, "/api/v1/executions/exec_0000000000000000"),
                (.GET, "/api/v1/executions/exec_0000000000000000/status"),
                (.GET, "/api/v1/executions/exec_0000000000000000/dag"),
                (.POST, "/api/v1/executions/exec_0000000000000000/cancel"),
                (.GET, "/api/v1/nothing-here"),
            ] {
                let response = try await server.request(method, path, key: server.key)
                #expect(response.status == 404, "\(method) \(path)")
                #expect(response.errorCode == "not_found")
                #expect(response.json?["request_id"]?.stringValue?.hasPrefix("req_") == true)
            }
        }
    }

    @Test func missingWrongAndRevokedKeysAre401() async throws {
        try await LiveServer.with { server in
            let wellFormedUnknown = "sk_live_" + String(repeating: "A", count: 32)
            // One character changed (never to itself: a random key may already end in "Z").
            let altered = String(server.keys[1].dropLast()) + (server.keys[1].hasSuffix("Z") ? "Y" : "Z")
            for key in [nil, "nope", wellFormedUnknown, altered] {
                let response = try await server.request(.GET, "/api/v1/executions", key: key)
                #expect(response.status == 401)
                #expect(response.errorCode == "unauthorized")
                #expect(response.json?["error"]?["message"]?.stringValue == "Invalid or revoked API key")
            }
            #expect(try await server.request(.GET, "/api/v1/executions", key: server.keys[1]).status == 200)
            _ = try await server.store.revokeKey(idOrPrefix: APIKeySecret.prefix(of: server.keys[1]), at: "2025-11-11T10:30:00.000Z")
            let revoked = try await server.request(.GET, "/api/v1/executions", key: server.keys[1])
            #expect(revoked.status == 401)
        }
    }

    @Test func eachKeySeesOnlyItsOwnExecutions() async throws {
        try await LiveServer.with { server in
            let id = try await server.create()
            _ = await server.waitUntilFinished(id)
            let other = server.keys[1]
            for path in ["/api/v1/executions/\(id)", "/api/v1/executions/\(id)/status", "/api/v1/executions/\(id)/dag"] {
                #expect(try await server.request(.GET, path, key: other).status == 404)
                #expect(try await server.request(.GET, path, key: server.key).status == 200)
            }
            #expect(try await server.request(.POST, "/api/v1/executions/\(id)/cancel", key: other).status == 404)
            let list = try await server.request(.GET, "/api/v1/executions", key: other)
            #expect(list.json?["pagination"]?["total"]?.intValue == 0)
            let mine = try await server.request(.GET, "/api/v1/executions", key: server.key)
            #expect(mine.json?["pagination"]?["total"]?.intValue == 1)
        }
    }

    @Test func runningStatusCancelAndInvalidOperation() async throws {
        let gate = Gate()
        try await LiveServer.with(model: GateModel(gate: gate)) { server in
            let id = try await server.create()
            await gate.waitForArrivals(1)
            let status = try await server.request(.GET, "/api/v1/executions/\(id)/status", key: server.key)
            #expect(status.status == 200)
            #expect(status.json?["status"]?.stringValue == "running")
            let progress = try #require(status.json?["progress"]?.intValue)
            #expect((0...100).contains(progress))
            #expect(status.json?["current_step"]?.stringValue == "Research AI trends in 2025")
            #expect(status.json?["updated_at"] != nil)
            #expect(status.json?["result"] == nil)

            let liveDAG = try await server.request(.GET, "/api/v1/executions/\(id)/dag", key: server.key)
            #expect(liveDAG.json?["dag"]?["nodes"]?.arrayValue?.first?["id"]?.stringValue == "node_0")

            let cancel = try await server.request(.POST, "/api/v1/executions/\(id)/cancel", key: server.key)
            #expect(cancel.status == 200)
            #expect(cancel.json?["execution_id"]?.stringValue == id)
            #expect(cancel.json?["status"]?.stringValue == "cancelled")
            #expect(cancel.json?["cancelled_at"]?.stringValue?.wholeMatch(of: Self.timestampPattern) != nil)

            let finished = await server.waitUntilFinished(id)
            #expect(finished.status == .cancelled)
            let after = try await server.request(.GET, "/api/v1/executions/\(id)/status", key: server.key)
            #expect(after.json?["status"]?.stringValue == "cancelled")
            #expect(after.json?["cancelled_at"]?.stringValue == cancel.json?["cancelled_at"]?.stringValue)
            let details = try await server.request(.GET, "/api/v1/executions/\(id)", key: server.key)
            #expect(details.json?["status"]?.stringValue == "cancelled")
            #expect(details.json?["result"] == nil)

            let again = try await server.request(.POST, "/api/v1/executions/\(id)/cancel", key: server.key)
            #expect(again.status == 400)
            #expect(again.errorCode == "invalid_operation")
            #expect(again.json?["error"]?["message"]?.stringValue == "Cannot cancel execution in cancelled state")
        }
    }

    @Test func cancellingACompletedExecutionIsAnInvalidOperation() async throws {
        try await LiveServer.with { server in
            let id = try await server.create()
            _ = await server.waitUntilFinished(id)
            let response = try await server.request(.POST, "/api/v1/executions/\(id)/cancel", key: server.key)
            #expect(response.status == 400)
            #expect(response.errorCode == "invalid_operation")
            #expect(response.json?["error"]?["message"]?.stringValue == "Cannot cancel execution in completed state")
        }
    }

    @Test func failedExecutionsHaveTheFailedStatusShape() async throws {
        try await LiveServer.with(model: ScriptedModel(gate: Gate())) { server in
            let id = try await server.create(#"{"goal": "Analyze [fail] things"}"#)
            let finished = await server.waitUntilFinished(id)
            #expect(finished.status == .failed)
            let status = try await server.request(.GET, "/api/v1/executions/\(id)/status", key: server.key)
            #expect(status.json?["status"]?.stringValue == "failed")
            #expect(status.json?["error"]?["code"]?.stringValue == "execution_error")
            #expect(status.json?["error"]?["message"]?.stringValue?.contains("scripted failure") == true)
            #expect(status.json?["failed_at"] != nil)
            #expect(status.json?["progress"]?.intValue != nil)
            #expect(status.json?["result"] == nil)
            let details = try await server.request(.GET, "/api/v1/executions/\(id)", key: server.key)
            #expect(details.json?["failed_at"] != nil)
            #expect(details.json?["dag"]?["nodes"]?.arrayValue?.isEmpty == false)
        }
    }

    @Test func theConcurrentExecutionCapIsPerKey() async throws {
        let gate = Gate()
        try await LiveServer.with(configuration: ServerConfiguration(maxConcurrentExecutions: 2), model: GateModel(gate: gate)) { server in
            let first = try await server.create()
            let second = try await server.create()
            let third = try await server.request(.POST, "/api/v1/executions", key: server.key, body: #"{"goal": "one too many"}"#)
            #expect(third.status == 429)
            #expect(third.errorCode == "rate_limit_exceeded")
            #expect(third.json?["error"]?["message"]?.stringValue?.contains("Concurrent execution limit of 2") == true)
            #expect(third.json?["error"]?["details"]?["running"]?.intValue == 2)
            // Another key has its own cap.
            _ = try await server.create(key: server.keys[1])
            await gate.open()
            _ = await server.waitUntilFinished(first)
            _ = await server.waitUntilFinished(second)
            _ = try await server.create()
        }
    }
}
