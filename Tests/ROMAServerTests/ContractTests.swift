import Foundation
import NIOHTTP1
import ROMACore
import Testing

@testable import ROMAServer

/// The server and `openapi.yaml` held together: every body the server sends, for executions in
/// each status and for each documented error, is checked against the schema the document
/// gives that operation and status (strictly: no member the document does not list).
@Suite("Response bodies match openapi.yaml")
struct ContractTests {
    @Test func everyResponseMatchesItsDocumentedSchema() async throws {
        let validator = try SchemaValidator(yaml: OpenAPIDocument.yaml)
        try await LiveServer.with(
            configuration: ServerConfiguration(maxConcurrentExecutions: 2), model: ScriptedModel(gate: Gate())
        ) { server in
            var checked: [(String, String, TestResponse)] = []
            func call(_ method: HTTPMethod, _ path: String, template: String, body: String? = nil, key: String? = nil) async throws
                -> TestResponse
            {
                let response = try await server.request(method, path, key: key ?? server.key, body: body)
                checked.append((method.rawValue, template, response))
                return response
            }
            let execution = "/api/v1/executions/{execution_id}"
            let completed = try await server.create(#"{"goal": "done", "metadata": {"team": "a", "webhook_token": "t"}}"#)
            let failed = try await server.create(#"{"goal": "Analyze [fail] things"}"#)
            _ = await server.waitUntilFinished(completed)
            _ = await server.waitUntilFinished(failed)
            let running = try await call(.POST, "/api/v1/executions", template: "/api/v1/executions", body: #"{"goal": "[block] wait"}"#)
            let runningID = try #require(running.json?["execution_id"]?.stringValue)
            let cancelled = try await server.create(#"{"goal": "[block] then cancel", "config_profile": "fast"}"#)
            _ = try await call(.POST, "/api/v1/executions", template: "/api/v1/executions", body: #"{"goal": "over the cap"}"#)  // 429
            _ = try await call(.POST, "/api/v1/executions/\(cancelled)/cancel", template: execution + "/cancel")
            _ = await server.waitUntilFinished(cancelled)
            for id in [completed, failed, runningID, cancelled] {
                _ = try await call(.GET, "/api/v1/executions/\(id)", template: execution)
                _ = try await call(.GET, "/api/v1/executions/\(id)/status", template: execution + "/status")
                _ = try await call(.GET, "/api/v1/executions/\(id)/dag", template: execution + "/dag")
            }
            _ = try await call(.GET, "/api/v1/executions", template: "/api/v1/executions")
            _ = try await call(.GET, "/api/v1/executions?status=completed&limit=1", template: "/api/v1/executions")
            _ = try await call(.GET, "/api/v1/executions?limit=0", template: "/api/v1/executions")  // 400
            _ = try await call(.POST, "/api/v1/executions", template: "/api/v1/executions", body: "{}")  // 400
            _ = try await call(.GET, "/api/v1/executions", template: "/api/v1/executions", key: "sk_live_nope")  // 401
            _ = try await call(.GET, "/api/v1/executions/exec_0000000000000000", template: execution)  // 404
            _ = try await call(.POST, "/api/v1/executions/\(completed)/cancel", template: execution + "/cancel")  // 400

            #expect(Set(checked.map(\.2.status)) == [200, 202, 400, 401, 404, 429])
            for (method, path, response) in checked {
                let schema = try #require(
                    validator.responseSchema(method, path, status: response.status), "\(method) \(path) \(response.status) is undocumented")
                let body = try #require(response.json, "\(method) \(path): not JSON")
                let problems = validator.violations(of: body, against: schema)
                #expect(problems.isEmpty, "\(method) \(path) \(response.status): \(problems.joined(separator: "; "))")
            }
        }
    }

    @Test func theValidatorCatchesWhatItShould() throws {
        let validator = try SchemaValidator(yaml: OpenAPIDocument.yaml)
        let schema = try #require(validator.responseSchema("GET", "/api/v1/executions/{execution_id}/status", status: 200))
        let good: JSONValue = .object([
            "execution_id": .string("exec_a"), "status": .string("running"), "progress": .int(5),
            "updated_at": .string("2025-11-11T10:30:00.000Z"), "request_id": .string("req_a"),
        ])
        #expect(validator.violations(of: good, against: schema).isEmpty)
        var extra = good.objectValue ?? [:]
        extra["surprise"] = .int(1)
        #expect(!validator.violations(of: .object(extra), against: schema).isEmpty)
        var wrong = good.objectValue ?? [:]
        wrong["progress"] = .int(101)
        wrong["result"] = .null
        #expect(validator.violations(of: .object(wrong), against: schema).count == 2)
    }
}
