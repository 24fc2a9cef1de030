import Foundation
import ROMACore
import ROMAEngine
import Testing

@testable import ROMAServer

/// A running execution's status and DAG are read from the engine's own node table.
@Suite("Live progress")
struct LiveProgressTests {
    @Test("the status and DAG of a running execution show the engine's node states")
    func runningExecutionShowsTheEnginesNodes() async throws {
        let gate = Gate()
        try await LiveServer.with(model: TwoStepModel(gate: gate)) { server in
            let id = try await server.create(#"{"goal": "Report on sources", "max_depth": 2}"#)
            // The first subtask has answered; the second one's executor waits at the gate.
            await gate.waitForArrivals(1)

            let status = try await server.request(.GET, "/api/v1/executions/\(id)/status", key: server.key)
            #expect(status.json?["status"]?.stringValue == "running")
            // One of the three nodes the engine knows has finished.
            #expect(status.json?["progress"]?.intValue == 33)
            #expect(status.json?["current_step"]?.stringValue == "Write the report")

            let dag = try await server.request(.GET, "/api/v1/executions/\(id)/dag", key: server.key)
            let nodes = try #require(dag.json?["dag"]?["nodes"]?.arrayValue)
            func node(_ id: String) -> JSONValue? { nodes.first { $0["id"]?.stringValue == id } }
            #expect(nodes.compactMap { $0["id"]?.stringValue } == ["node_0", "node_0_1", "node_0_2"])
            #expect(node("node_0")?["type"]?.stringValue == "plan")
            #expect(node("node_0")?["status"]?.stringValue == "running")
            // What only the engine knows: the planned task types, the answers, the dependencies.
            #expect(node("node_0_1")?["status"]?.stringValue == "completed")
            #expect(node("node_0_1")?["task_type"]?.stringValue == "RETRIEVE")
            #expect(node("node_0_1")?["output"]?.stringValue == "three sources")
            #expect(node("node_0_2")?["status"]?.stringValue == "running")
            #expect(node("node_0_2")?["task_type"]?.stringValue == "WRITE")
            #expect(node("node_0_2")?["dependencies"]?.arrayValue?.compactMap(\.stringValue) == ["node_0_1"])
            let edges = try #require(dag.json?["dag"]?["edges"]?.arrayValue)
            #expect(
                edges.contains {
                    $0["from"]?.stringValue == "node_0_1" && $0["to"]?.stringValue == "node_0_2" && $0["type"]?.stringValue == "depends_on"
                })

            await gate.open()
            let finished = await server.waitUntilFinished(id)
            #expect(finished.status == .completed)
            let done = try await server.request(.GET, "/api/v1/executions/\(id)/status", key: server.key)
            #expect(done.json?["progress"]?.intValue == 100)
        }
    }
}

/// Plans the root into two subtasks (the second depends on the first) and holds the second's
/// executor at the gate.
private struct TwoStepModel: LanguageModel {
    let gate: Gate

    var providerName: String { "offline" }

    func complete(_ request: ChatRequest, context: CallContext) async throws -> ChatResponse {
        let content: String
        switch (context.purpose, context.nodeID) {
        case ("atomize", "node_0"):
            content = #"{"decision": "PLAN"}"#
        case ("atomize", _):
            content = #"{"decision": "EXECUTE"}"#
        case ("plan", _):
            content = #"""
                {"subtasks": [{"goal": "Gather sources", "task_type": "RETRIEVE", "dependencies": []},
                              {"goal": "Write the report", "task_type": "WRITE", "dependencies": [0]}]}
                """#
        case ("execute", "node_0_1"):
            content = "three sources"
        case ("execute", _):
            try await gate.pass()
            content = "the report"
        default:
            content = "all done"
        }
        return ChatResponse(content: content, usage: TokenUsage(promptTokens: 1, completionTokens: 1))
    }
}
