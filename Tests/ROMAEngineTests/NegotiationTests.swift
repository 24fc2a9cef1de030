import Foundation
import ROMACore
import ROMAEngine
import ROMATestSupport
import Testing

/// Structured-output negotiation: json_schema, then `{type: json_object, schema}`, then plain text.
@Suite("Response format negotiation")
struct NegotiationTests {
    static let tree = RoleRouter(
        atomizer: { $0.depth == 0 ? .plan : .execute },
        planner: { _ in .plan([MockSubtask("A"), MockSubtask("B"), MockSubtask("C", dependencies: [0, 1])]) })

    @Test("a server that refuses json_schema (like llama.cpp) is asked once, then json_object is remembered")
    func jsonSchemaRefused() async throws {
        try await MockOpenAIServer.withServer(MockOpenAIServer.refusingJSONSchema(Self.tree.script)) { server in
            let harness = EngineHarness(server)
            let record = await harness.run("Root", maxDepth: 2)
            #expect(record.status == .completed, "\(record.error?.message ?? "")")

            let structured = server.journal.all.filter { $0.role == .atomizer || $0.role == .planner }
            // Root atomizer (refused, then json_object), root planner, three child atomizers.
            #expect(structured.count == 6)
            #expect(structured.filter { $0.responseFormatType == "json_schema" }.count == 1)
            #expect(structured.first?.responseFormatType == "json_schema")
            #expect(structured.dropFirst().allSatisfy { $0.responseFormatType == "json_object" })
            #expect(structured.dropFirst().allSatisfy { $0.responseFormat?["schema"]?["type"] == .string("object") })
            // Free-text agents never ask for a format.
            #expect(server.journal.all.filter { $0.isExecutor || $0.role == .aggregator }.allSatisfy { $0.responseFormat == nil })
            // The refusal is no failure: nothing was retried by the resilience layer.
            #expect(harness.sleeper.delays.isEmpty)
            #expect(harness.formats.mode(for: server.baseURL.absoluteString) == .jsonObjectSchema)

            // A second run through the same provider starts with the remembered form.
            let before = server.journal.count
            let again = await harness.run("Root again", maxDepth: 2)
            #expect(again.status == .completed)
            let second = server.journal.all.dropFirst(before)
            #expect(second.filter { $0.responseFormatType == "json_schema" }.isEmpty)
            #expect(second.filter { $0.responseFormatType == "json_object" }.count == 5)
        }
    }

    @Test("a server that refuses json_schema with a 500 (like llama-cpp-python) moves to json_object at once, without retries")
    func jsonSchemaRefusedWithServerError() async throws {
        let script = MockOpenAIServer.refusingJSONSchema(with: .rejectJSONSchemaAsServerError, Self.tree.script)
        try await MockOpenAIServer.withServer(script) { server in
            let harness = EngineHarness(server)
            let record = await harness.run("Root", maxDepth: 2)
            #expect(record.status == .completed, "\(record.error?.message ?? "")")
            let structured = server.journal.all.filter { $0.role == .atomizer || $0.role == .planner }
            #expect(structured.map { $0.responseFormatType ?? "plain" } == ["json_schema"] + Array(repeating: "json_object", count: 5))
            #expect(harness.sleeper.delays.isEmpty)
            #expect(harness.retried.all.isEmpty)
            #expect(harness.formats.mode(for: server.baseURL.absoluteString) == .jsonObjectSchema)
        }
    }

    @Test("a 500 that says nothing of the response format is retried, not taken for a refusal")
    func plainServerErrorIsNoRefusal() async throws {
        let first = Counter()
        let script = Self.tree.script
        let flaky: MockOpenAIServer.Script = { request in first.next() == 0 ? .serverError() : await script(request) }
        try await MockOpenAIServer.withServer(flaky) { server in
            let harness = EngineHarness(server)
            let record = await harness.run("Root", maxDepth: 2)
            #expect(record.status == .completed, "\(record.error?.message ?? "")")
            #expect(harness.retried.all.map(\.status) == [500])
            #expect(server.journal.all.prefix(2).map { $0.responseFormatType } == ["json_schema", "json_schema"])
            #expect(harness.formats.mode(for: server.baseURL.absoluteString) == .jsonSchema)
        }
    }

    @Test("a server that refuses every response_format falls back to plain prompts")
    func everyFormatRefused() async throws {
        let script = Self.tree.script
        let refusing: MockOpenAIServer.Script = { request in
            request.responseFormat == nil
                ? await script(request)
                : .status(400, body: #"{"error": {"message": "Unrecognized request argument supplied: response_format"}}"#)
        }
        try await MockOpenAIServer.withServer(refusing) { server in
            let harness = EngineHarness(server)
            let record = await harness.run("Root", maxDepth: 2)
            #expect(record.status == .completed, "\(record.error?.message ?? "")")
            let formats = server.journal.all.filter { $0.role == .atomizer || $0.role == .planner }.map { $0.responseFormatType ?? "plain" }
            #expect(formats == ["json_schema", "json_object"] + Array(repeating: "plain", count: 5))
            #expect(harness.formats.mode(for: server.baseURL.absoluteString) == .plain)
        }
    }

    @Test("a server that takes json_schema gets the schema by name")
    func jsonSchemaAccepted() async throws {
        try await MockOpenAIServer.withServer(Self.tree.script) { server in
            let record = await EngineHarness(server).run("Root", maxDepth: 2)
            #expect(record.status == .completed)
            let planner = try #require(server.journal.requests(.planner).first)
            #expect(planner.responseFormatType == "json_schema")
            #expect(planner.responseFormat?["json_schema"]?["name"] == .string("plan"))
            let subtasks = planner.responseFormat?["json_schema"]?["schema"]?["properties"]?["subtasks"]
            #expect(subtasks?["maxItems"] == .int(6))
            let atomizer = try #require(server.journal.requests(.atomizer).first)
            #expect(atomizer.responseFormat?["json_schema"]?["name"] == .string("atomizer_decision"))
        }
    }
}
