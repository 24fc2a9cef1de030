import Foundation
import ROMACore
import ROMATestSupport
import Testing

@testable import ROMAEngine

/// Executors calling tools: native function calling and the constrained turn, tool errors,
/// timeouts, big results, dead servers, the per-node limit, and replay of it all.
@Suite("Tool calling")
struct ToolCallingTests {
    /// A request that allows the scripted box's tools.
    static func request(_ goal: String = "Weather report", maxDepth: Int = 1) -> ResolvedRequest {
        var request = resolved(goal, maxDepth: maxDepth)
        request.tools = [ScriptedToolBox.server]
        return request
    }

    /// An executor that calls `tool` natively until it has a result, then answers with it.
    static func nativeExecutor(_ tool: String, arguments: String = #"{"city": "Paris"}"#) -> RoleRouter.Answer {
        { request in
            if let result = request.toolResults.last { return .text("Answer using: \(result.prefix(200))") }
            return request.toolNames.isEmpty ? .text("no tools offered") : .toolCalls([MockToolCall(tool, arguments: arguments)])
        }
    }

    static func engine(_ harness: EngineHarness, tools: any ToolBox, configure: (inout EngineConfiguration) -> Void = { _ in })
        -> ExecutionEngine
    {
        var configuration = harness.configuration
        configure(&configuration)
        return ExecutionEngine(model: harness.model, configuration: configuration, tools: tools)
    }

    @Test("native function calling: tool_calls answered by a tool message, recorded, listed on the node")
    func native() async throws {
        let router = RoleRouter(executor: Self.nativeExecutor("lookup"))
        try await MockOpenAIServer.withServer(router.script) { server in
            let box = ScriptedToolBox()
            let record = await Self.engine(EngineHarness(server), tools: box).run(Self.request())
            #expect(record.status == .completed, "\(record.error?.message ?? "")")
            #expect(record.result?.contains("weather in Paris: sunny") == true)
            #expect(box.received.map(\.tool) == ["lookup"])
            #expect(record.toolCalls.map(\.tool) == ["lookup"])
            #expect(record.tools.map(\.name) == ScriptedToolBox.tools.map(\.tool).sorted())
            let calls = try #require(record.node("node_0")?.toolCalls)
            #expect(
                calls == [
                    DAGToolCall(
                        server: "test", tool: "lookup", arguments: .object(["city": .string("Paris")]), ok: true,
                        latencyMs: calls[0].latencyMs)
                ])
            let executor = server.journal.executorRequests
            #expect(executor.count == 2)
            #expect(executor[0].toolNames.contains("lookup"))
            #expect(executor[1].toolResults.first?.hasPrefix("weather in Paris") == true)
            // The model's tool call is in the recording, so a replay asks the tool again with the same arguments.
            #expect(record.calls.first { $0.purpose == "execute" }?.toolCalls?.first?.name == "lookup")
        }
    }

    @Test("an endpoint without function calling gets the constrained turn, negotiated once per endpoint")
    func constrained() async throws {
        let router = RoleRouter(
            atomizer: { $0.depth == 0 ? .plan : .execute },
            planner: { _ in .plan([MockSubtask("Paris", type: "RETRIEVE"), MockSubtask("Rome", type: "RETRIEVE")]) },
            executor: { request in
                if !request.toolNames.isEmpty { return .rejectTools }
                if request.lastUserMessage.hasPrefix("Result of the tool lookup") {
                    return .toolTurnAnswer("It is sunny in \(request.currentTask).")
                }
                return .callTool("lookup", arguments: #"{"city": "\#(request.currentTask)"}"#)
            })
        try await MockOpenAIServer.withServer(router.script) { server in
            let harness = EngineHarness(server)
            let box = ScriptedToolBox()
            let record = await Self.engine(harness, tools: box).run(Self.request(maxDepth: 2))
            #expect(record.status == .completed, "\(record.error?.message ?? "")")
            #expect(Set(box.received.compactMap { $0.arguments["city"]?.stringValue }) == ["Paris", "Rome"])
            let executor = server.journal.executorRequests
            // `tools` is refused once per executor already asking when the first refusal came (the two
            // siblings run at once); every other executor request is the constrained turn.
            #expect((1...2).contains(executor.filter { !$0.toolNames.isEmpty }.count))
            #expect(executor.filter { $0.toolNames.isEmpty }.allSatisfy { $0.isToolTurn })
            #expect(harness.formats.hasNativeTools(server.baseURL.absoluteString) == false)
            #expect(record.node("node_0_1")?.toolCalls?.count == 1)
            #expect(record.node("node_0_2")?.output == "It is sunny in Rome.")
        }
    }

    @Test("tool_choice required: the first constrained turn can only be a call (tool and arguments required)")
    func requiredCall() async throws {
        let router = RoleRouter(executor: { request in
            request.lastUserMessage.hasPrefix("Result of the tool")
                ? .toolTurnAnswer("done") : .callTool("lookup", arguments: #"{"city": "Oslo"}"#)
        })
        try await MockOpenAIServer.withServer(router.script) { server in
            let record = await Self.engine(EngineHarness(server), tools: ScriptedToolBox()) {
                $0.toolCalling = .constrained
                $0.requireToolCall = true
            }.run(Self.request())
            #expect(record.status == .completed, "\(record.error?.message ?? "")")
            let schemas = server.journal.executorRequests.compactMap { $0.responseFormat?["json_schema"]?["schema"] }
            #expect(schemas.count == 2)
            #expect(schemas.first?["anyOf"] == nil)
            #expect(schemas.first?["required"] == .array([.string("action"), .string("tool"), .string("arguments")]))
            #expect(schemas.last?["anyOf"]?.arrayValue?.count == 2)
        }
    }

    @Test("tool_arguments required: the constrained turn offers a tool only its required arguments")
    func requiredArgumentsOnly() async throws {
        let router = RoleRouter(executor: { request in
            request.lastUserMessage.hasPrefix("Result of the tool")
                ? .toolTurnAnswer("done") : .callTool("lookup", arguments: #"{"city": "Oslo"}"#)
        })
        try await MockOpenAIServer.withServer(router.script) { server in
            var request = Self.request()
            request.tools = ["test.lookup"]
            let record = await Self.engine(EngineHarness(server), tools: ScriptedToolBox()) {
                $0.toolCalling = .constrained
                $0.requiredToolArgumentsOnly = true
            }.run(request)
            #expect(record.status == .completed, "\(record.error?.message ?? "")")
            let first = try #require(server.journal.executorRequests.first)
            let arguments = first.responseFormat?["json_schema"]?["schema"]?["anyOf"]?.arrayValue?.first?["properties"]?["arguments"]
            #expect(arguments?["properties"] == .object(["city": .object(["type": .string("string")])]))
            #expect(arguments?["additionalProperties"] == .bool(false))
            #expect(first.messages.first?.content.contains(#""additionalProperties":false"#) == true)
        }
        // Optional arguments are dropped; a schema that is not an object is left as it is.
        let definition = ToolDefinition(
            server: "s", tool: "fetch", description: "Fetch a page.",
            inputSchema: .object([
                "type": .string("object"), "required": .array([.string("url")]),
                "properties": .object(["url": .object(["type": .string("string")]), "max_length": .object(["type": .string("integer")])]),
            ]))
        #expect(definition.requiredArgumentsOnly.inputSchema["properties"] == .object(["url": .object(["type": .string("string")])]))
        let odd = ToolDefinition(server: "s", tool: "t", description: "", inputSchema: .bool(true))
        #expect(odd.requiredArgumentsOnly == odd)
    }

    @Test("a tool error, a timeout and a 1 MB result go back to the model as tool results", arguments: ["fail", "slow", "big"])
    func toolResults(tool: String) async throws {
        let router = RoleRouter(executor: Self.nativeExecutor(tool, arguments: "{}"))
        try await MockOpenAIServer.withServer(router.script) { server in
            let record = await Self.engine(EngineHarness(server), tools: ScriptedToolBox()) {
                $0.toolTimeout = .milliseconds(200)
                $0.toolOutputLimit = 1_000
            }.run(Self.request())
            #expect(record.status == .completed, "\(record.error?.message ?? "")")
            let result = try #require(server.journal.executorRequests.last?.toolResults.first)
            let toolCall = try #require(record.toolCalls.first)
            switch tool {
            case "fail":
                #expect(result == "error: lookup failed: no reason")
                #expect(toolCall.isError)
            case "slow":
                #expect(result == "error: the tool test.slow did not answer within 0.2 seconds")
                #expect(toolCall.isError)
            default:
                #expect(result.count < 1_200)
                #expect(result.hasSuffix("[… cut: the tool returned 1048576 characters; the first 1000 are shown]"))
                #expect(!toolCall.isError && toolCall.output == result)
            }
            #expect(record.node("node_0")?.toolCalls?.first?.ok == (tool == "big"))
        }
    }

    @Test("a tool server that dies mid-call fails the execution with an error naming it")
    func serverDies() async throws {
        let router = RoleRouter(executor: Self.nativeExecutor("die", arguments: "{}"))
        try await MockOpenAIServer.withServer(router.script) { server in
            let record = await Self.engine(EngineHarness(server), tools: ScriptedToolBox()).run(Self.request())
            #expect(record.status == .failed)
            #expect(record.error?.message.contains("the tool server 'test' exited (status 3) during a call to die") == true)
            #expect(record.error?.nodeID == "node_0")
        }
    }

    @Test("after max_tool_calls the node is offered no tools and must answer")
    func limit() async throws {
        let router = RoleRouter(executor: { request in
            request.toolNames.isEmpty
                ? .text("answered after \(request.toolResults.count) results")
                : .toolCalls([MockToolCall("lookup", arguments: #"{"city": "Oslo"}"#)])
        })
        try await MockOpenAIServer.withServer(router.script) { server in
            let box = ScriptedToolBox()
            let record = await Self.engine(EngineHarness(server), tools: box) { $0.maxToolCalls = 3 }.run(Self.request())
            #expect(record.status == .completed, "\(record.error?.message ?? "")")
            #expect(box.received.count == 3)
            #expect(record.result == "answered after 3 results")
            // Identical calls are told apart by their sample index, as identical model calls are.
            #expect(record.toolCalls.map(\.sample) == [0, 1, 2])
            #expect(server.journal.executorRequests.last?.lastUserMessage.hasPrefix("You have used all your tool calls") == true)
        }
    }

    @Test("constrained: after the last call the plain-text answer is unwrapped when the model writes the answer object")
    func unwrapsAnswerObject() async throws {
        let router = RoleRouter(executor: { request in
            request.lastUserMessage.hasPrefix("You have used all your tool calls")
                ? .text(#" {"action":"answer", "answer":"It rains in Oslo."} "#) : .callTool("lookup", arguments: #"{"city": "Oslo"}"#)
        })
        try await MockOpenAIServer.withServer(router.script) { server in
            let record = await Self.engine(EngineHarness(server), tools: ScriptedToolBox()) {
                $0.toolCalling = .constrained
                $0.maxToolCalls = 1
            }.run(Self.request())
            #expect(record.status == .completed, "\(record.error?.message ?? "")")
            #expect(record.result == "It rains in Oslo.")
        }
        #expect(NodeCaller.unwrappedAnswer("Plain **Markdown**") == "Plain **Markdown**")
        #expect(NodeCaller.unwrappedAnswer(#"{"action": "call_tool", "tool": "x"}"#) == #"{"action": "call_tool", "tool": "x"}"#)
        #expect(NodeCaller.unwrappedAnswer(#"{"action": "answer", "answer": " "}"#) == #"{"action": "answer", "answer": " "}"#)
    }

    @Test("offline replay answers model and tool calls from the recording (the same call in two nodes too); a changed argument is a miss")
    func replay() async throws {
        let router = RoleRouter(
            atomizer: { $0.depth == 0 ? .plan : .execute },
            planner: { _ in .plan([MockSubtask("Paris", type: "RETRIEVE"), MockSubtask("Write it up", type: "WRITE", dependencies: [0])]) },
            executor: Self.nativeExecutor("lookup"))
        let recorded = try await MockOpenAIServer.withServer(router.script) { server in
            await Self.engine(EngineHarness(server), tools: ScriptedToolBox()).run(Self.request(maxDepth: 2))
        }
        #expect(recorded.status == .completed, "\(recorded.error?.message ?? "")")
        #expect(recorded.toolCalls.count == 2)

        let model = ReplayModel(mode: .offline, live: nil, providerName: "openai", recordings: recorded.calls)
        let tools = ReplayToolBox(mode: .offline, live: nil, recordedTools: recorded.tools, recordings: recorded.toolCalls)
        let replayed = await ExecutionEngine(model: model, tools: tools).run(Self.request(maxDepth: 2))
        #expect(replayed.status == .completed, "\(replayed.error?.message ?? "")")
        #expect(replayed.calls == recorded.calls)
        #expect(replayed.toolCalls == recorded.toolCalls)
        #expect(replayed.dag == recorded.dag)
        #expect(replayed.executionID == recorded.executionID)

        // The same recording with one tool result keyed for other arguments: a miss, named, never a stale hit.
        var changed = recorded.toolCalls
        for index in changed.indices {
            changed[index].key = ToolCallRecord.key(
                server: "test", tool: "lookup", arguments: .object(["city": .string("Lyon")]), sample: 0)
        }
        let missing = ReplayToolBox(mode: .offline, live: nil, recordedTools: recorded.tools, recordings: changed)
        let missed = await ExecutionEngine(model: model, tools: missing).run(Self.request(maxDepth: 2))
        #expect(missed.status == .failed)
        #expect(missed.error?.isRecordingMiss == true)
        #expect(missed.error?.message.contains("tool test.lookup") == true)
    }

    @Test("min_depth plans shallow tasks without asking the atomizer")
    func minDepth() async throws {
        let router = RoleRouter(planner: { _ in .plan([MockSubtask("one"), MockSubtask("two", dependencies: [0])]) })
        try await MockOpenAIServer.withServer(router.script) { server in
            var request = resolved("Root", maxDepth: 3)
            request.minDepth = 1
            let record = await EngineHarness(server).engine.run(request)
            #expect(record.status == .completed, "\(record.error?.message ?? "")")
            #expect(record.dag.nodes.count == 3)
            // The root was planned without an atomizer call; its children were asked (and executed).
            #expect(server.journal.requests(.atomizer).count == 2)
        }
    }

    @Test("a required split must be one: a one-subtask plan above min_depth is sent back; elsewhere it is executed")
    func requiredSplit() async throws {
        // The planner first gives one subtask, then (told why) two.
        let router = RoleRouter(planner: { request in
            request.lastUserMessage.contains("must be split")
                ? .plan([MockSubtask("one"), MockSubtask("two", dependencies: [0])]) : .plan([MockSubtask("only")])
        })
        try await MockOpenAIServer.withServer(router.script) { server in
            var request = resolved("Root", maxDepth: 1)
            request.minDepth = 1
            let record = await EngineHarness(server).engine.run(request)
            #expect(record.status == .completed, "\(record.error?.message ?? "")")
            #expect(record.dag.nodes.count == 3)
            let plans = server.journal.requests(.planner)
            #expect(plans.count == 2)
            #expect(plans.last?.lastUserMessage.contains("the plan has 1 subtask; this task must be split: give 2 to 6") == true)
            let items = plans.first?.responseFormat?["json_schema"]?["schema"]?["properties"]?["subtasks"]?["minItems"]
            #expect(items == .int(2))
        }
        // Without min_depth the atomizer's PLAN may give one subtask: it is executed, asked once, minItems 1.
        let planning = RoleRouter(atomizer: { $0.depth == 0 ? .plan : .execute }, planner: { _ in .plan([MockSubtask("only")]) })
        try await MockOpenAIServer.withServer(planning.script) { server in
            let record = await EngineHarness(server).engine.run(resolved("Root", maxDepth: 1))
            #expect(record.status == .completed, "\(record.error?.message ?? "")")
            #expect(record.dag.nodes.count == 1)
            let plans = server.journal.requests(.planner)
            #expect(plans.count == 1)
            #expect(plans.first?.responseFormat?["json_schema"]?["schema"]?["properties"]?["subtasks"]?["minItems"] == .int(1))
        }
    }
}
