import Foundation
import ROMACore

extension NodeCaller {
    /// Answers a task with tools at hand: the model calls tools (natively where the endpoint has
    /// function calling, else through the constrained "call a tool or answer" turn) until it
    /// answers or reaches `maxToolCalls`, after which it must answer.
    mutating func answerWithTools(purpose: String, messages: [ChatMessage], tools: [ToolDefinition]) async throws -> String {
        let mode = engine.configuration.toolCalling
        if mode != .constrained {
            do {
                return try await nativeToolLoop(purpose: purpose, messages: messages, tools: tools)
            } catch let error as LLMError where error.code == .toolsUnsupported && mode == .auto {
                // No native function calling here: the constrained turn works wherever JSON does.
            }
        }
        return try await constrainedToolLoop(purpose: purpose, messages: messages, tools: tools)
    }

    /// Native function calling: `tools` offered, `tool_calls` answered by `tool` messages.
    private mutating func nativeToolLoop(purpose: String, messages: [ChatMessage], tools: [ToolDefinition]) async throws -> String {
        var conversation = messages
        var used = 0
        let limit = engine.configuration.maxToolCalls
        while true {
            let offered = used < limit ? tools : nil
            if offered == nil && used > 0 { conversation.append(.user(Self.answerNow)) }
            let response = try await respond(purpose: purpose, messages: conversation, schema: nil, tools: offered)
            guard offered != nil, let calls = response.toolCalls, !calls.isEmpty else {
                let answer = response.content.trimmedWhitespace
                if !answer.isEmpty { return answer }
                return try await textCall(purpose: purpose, messages: conversation + [.assistant(""), .user(Self.answerNow)])
            }
            conversation.append(ChatMessage(role: "assistant", content: response.content, toolCalls: calls))
            for call in calls {
                let text: String
                if used >= limit {
                    text = "error: the limit of \(limit) tool calls is reached; answer with what you have"
                } else {
                    used += 1
                    text = try await runTool(named: call.name, argumentsText: call.arguments, tools: tools)
                }
                conversation.append(ChatMessage(role: "tool", content: text, toolCallID: call.id))
            }
        }
    }

    /// The constrained turn: a JSON object saying which tool to call with which arguments, or the answer.
    private mutating func constrainedToolLoop(purpose: String, messages: [ChatMessage], tools: [ToolDefinition]) async throws -> String {
        var conversation = messages
        // `tool_arguments: required`: the model sees (and may write) only the required arguments.
        let tools = engine.configuration.requiredToolArgumentsOnly ? tools.map(\.requiredArgumentsOnly) : tools
        if let system = conversation.first, system.role == "system" {
            conversation[0] = .system(system.content + "\n\n" + Self.toolInstructions(tools))
        }
        let names = tools.map(\.name)
        for round in 0..<engine.configuration.maxToolCalls {
            // `tool_choice: required`: the first turn can only be a call.
            let schema = Self.turnSchema(tools, callOnly: round == 0 && engine.configuration.requireToolCall)
            let turn = try await structuredCall(purpose: purpose, messages: conversation, schema: schema) {
                value throws(StructuredOutput.Failure) in try ToolTurn.parse(value, names: names)
            }
            switch turn {
            case .answer(let text):
                return text
            case .call(let name, let arguments):
                let text = try await runTool(named: name, arguments: arguments, tools: tools)
                let asked = JSONValue.object(["action": .string("call_tool"), "tool": .string(name), "arguments": arguments])
                conversation += [
                    .assistant(String(decoding: asked.canonicalLine, as: UTF8.self)),
                    .user(
                        "Result of the tool \(name):\n\(text)\n\nNow answer the task with {\"action\": \"answer\", \"answer\": \"…\"}, or call another tool."
                    ),
                ]
            }
        }
        let text = try await textCall(purpose: purpose, messages: conversation + [.user(Self.answerNow)])
        return Self.unwrappedAnswer(text)
    }

    /// The answer inside a plain-text reply that is the constrained turn's answer object (the
    /// system prompt showed the model that form, and a small model keeps to it); other text as it is.
    static func unwrappedAnswer(_ text: String) -> String {
        let trimmed = text.trimmedWhitespace
        guard trimmed.hasPrefix("{"), trimmed.hasSuffix("}"), let value = try? JSONParser.parse(Array(trimmed.utf8)),
            value["action"]?.stringValue?.lowercased() == "answer", let answer = value["answer"]?.stringValue?.trimmedWhitespace,
            !answer.isEmpty
        else { return text }
        return answer
    }

    /// Runs a tool the model named, with arguments as JSON text; returns what the model is told.
    private mutating func runTool(named name: String, argumentsText: String, tools: [ToolDefinition]) async throws -> String {
        let trimmed = argumentsText.trimmedWhitespace
        guard let arguments = trimmed.isEmpty ? .object([:]) : try? JSONParser.parse(Array(trimmed.utf8)) else {
            return "error: the arguments are not valid JSON: \(trimmed.prefix(200))"
        }
        return try await runTool(named: name, arguments: arguments, tools: tools)
    }

    private mutating func runTool(named name: String, arguments: JSONValue, tools: [ToolDefinition]) async throws -> String {
        guard let definition = tools.first(where: { $0.name == name }) else {
            return "error: there is no tool named '\(name)'; the tools are: \(tools.map(\.name).joined(separator: ", "))"
        }
        let result = try await callTool(definition, arguments: arguments)
        return result.isError ? "error: " + result.text : result.text
    }

    /// Calls one tool through the engine's tool box: timed out after `toolTimeout`, capped, recorded.
    mutating func callTool(_ definition: ToolDefinition, arguments: JSONValue) async throws -> ToolResult {
        guard let box = engine.tools else {
            throw ToolError(code: .serverFailed, server: definition.server, message: "no tool servers are configured for this run")
        }
        let contentKey = ToolCallRecord.key(server: definition.server, tool: definition.tool, arguments: arguments, sample: 0)
        let sample = seen[contentKey, default: 0]
        seen[contentKey] = sample + 1
        let key =
            sample == 0
            ? contentKey : ToolCallRecord.key(server: definition.server, tool: definition.tool, arguments: arguments, sample: sample)
        let context = ToolCallContext(goalID: goalID, nodeID: nodeID, sampleIndex: sample, recordingKey: key)
        let timeout = engine.configuration.toolTimeout
        let startInstant = engine.clock.now()
        let startDate = engine.clock.date()
        let (server, tool) = (definition.server, definition.tool)
        let span = EngineSpan.start("execute_tool \(tool)", enabled: engine.configuration.tracing)
        defer { span.end() }
        span.set("gen_ai.operation.name", "execute_tool")
        span.set("gen_ai.tool.name", tool)
        span.set("roma.tool.server", server)
        span.set("roma.node.id", nodeID)
        var result =
            try await Self.within(timeout) { try await box.call(server: server, tool: tool, arguments: arguments, context: context) }
            ?? ToolResult(text: "the tool \(server).\(tool) did not answer within \(timeout)", isError: true)
        // A replayed result was capped when it was recorded: capping it again would cut the mark.
        if !result.replayed { result = result.capped(at: engine.configuration.toolOutputLimit) }
        let elapsed = engine.clock.now() - startInstant
        let started = (result.startedAt ?? startDate).roundedToMilliseconds
        let finished = (result.finishedAt ?? startDate.addingTimeInterval(elapsed.seconds)).roundedToMilliseconds
        let record = ToolCallRecord(
            key: key, nodeID: nodeID, sequence: sequence, server: server, tool: tool, arguments: arguments, sample: sample,
            output: result.text, isError: result.isError, latencyMs: Int((finished.timeIntervalSince(started) * 1000).rounded()),
            startedAt: Timestamp.string(started), finishedAt: Timestamp.string(finished))
        sequence += 1
        await state.record(record, started: started, finished: finished, replayed: result.replayed)
        span.set("roma.replayed", result.replayed)
        if result.isError { span.fail("the tool \(server).\(tool) reported an error", type: "tool_error") }
        return result
    }

    /// Runs `operation`; nil if it takes longer than `timeout` (it is then cancelled).
    static func within<T: Sendable>(_ timeout: Duration, _ operation: @escaping @Sendable () async throws -> T) async throws -> T? {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await operation() }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next() else { return nil }
            return first
        }
    }

    static let answerNow =
        "You have used all your tool calls. Answer the current task now, in Markdown, from what the tools returned."

    /// The tool list the constrained turn adds to the system prompt.
    static func toolInstructions(_ tools: [ToolDefinition]) -> String {
        var text = "You can call tools. Answer with one JSON object, either\n"
        text += #"{"action": "call_tool", "tool": "<tool name>", "arguments": {…}} to call a tool, or"# + "\n"
        text += #"{"action": "answer", "answer": "<your answer in Markdown>"} when you can answer."# + "\n\nTools:\n"
        for tool in tools {
            text += "- \(tool.name): \(tool.description.trimmedWhitespace)\n  arguments: "
            text += String(decoding: tool.inputSchema.canonicalLine, as: UTF8.self) + "\n"
        }
        return text
    }

    /// The JSON schema of the constrained turn: a call (tool and arguments required) or an answer.
    /// With one tool its arguments follow the tool's own schema, so a grammar-constrained server
    /// cannot leave out a required argument.
    static func turnSchema(_ tools: [ToolDefinition], callOnly: Bool = false) -> ResponseSchema {
        let arguments: JSONValue = tools.count == 1 ? tools[0].inputSchema : .object(["type": .string("object")])
        func choice(_ value: String) -> JSONValue { .object(["type": .string("string"), "enum": .array([.string(value)])]) }
        let call: JSONValue = .object([
            "type": .string("object"),
            "properties": .object([
                "action": choice("call_tool"),
                "tool": .object(["type": .string("string"), "enum": .array(tools.map { .string($0.name) })]),
                "arguments": arguments,
            ]),
            "required": .array([.string("action"), .string("tool"), .string("arguments")]),
        ])
        let answer: JSONValue = .object([
            "type": .string("object"),
            "properties": .object(["action": choice("answer"), "answer": .object(["type": .string("string")])]),
            "required": .array([.string("action"), .string("answer")]),
        ])
        if callOnly { return ResponseSchema(name: "tool_turn", schema: call) }
        return ResponseSchema(name: "tool_turn", schema: .object(["type": .string("object"), "anyOf": .array([call, answer])]))
    }
}

/// One answer of the constrained turn.
enum ToolTurn {
    case call(name: String, arguments: JSONValue)
    case answer(String)

    static func parse(_ value: JSONValue, names: [String]) throws(StructuredOutput.Failure) -> ToolTurn {
        let action = value["action"]?.stringValue?.lowercased() ?? ""
        let answer = value["answer"]?.stringValue?.trimmedWhitespace ?? ""
        if action.hasPrefix("call") || action == "tool" || (action.isEmpty && value["tool"] != nil) {
            guard let name = value["tool"]?.stringValue, names.contains(name) else {
                throw .init(
                    message: "\"tool\" must name one of the tools: \(names.joined(separator: ", "))")
            }
            let arguments = value["arguments"] ?? .object([:])
            guard arguments.objectValue != nil else { throw .init(message: "\"arguments\" must be a JSON object") }
            return .call(name: name, arguments: arguments)
        }
        guard !answer.isEmpty else {
            throw .init(
                message:
                    #"the JSON must be {"action": "call_tool", "tool": …, "arguments": {…}} or {"action": "answer", "answer": "…"} with a non-empty answer"#
            )
        }
        return .answer(answer)
    }
}
