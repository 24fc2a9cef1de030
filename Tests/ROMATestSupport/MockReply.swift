import Foundation
import ROMAEngine

/// What the mock OpenAI server answers to one request: a completion or a scripted fault.
public indirect enum MockReply: Sendable, Hashable {
    /// A chat completion with this content; usage defaults to characters / 4.
    case content(String, usage: TokenUsage? = nil, finishReason: String = "stop")
    /// HTTP 429 with an optional `Retry-After` header value (seconds or an HTTP date).
    case rateLimited(retryAfter: String?)
    /// HTTP 500 (or another 5xx), optionally with a `Retry-After` header.
    case serverError(status: Int = 500, retryAfter: String? = nil)
    /// Any status with this body.
    case status(Int, body: String)
    /// No answer at all until the test releases held requests or the server stops: the client times out.
    case hang
    /// HTTP 200 whose body is not a chat completion.
    case invalidJSON(String = #"{"choices": [{"message": {"content": "cut off her"#)
    /// HTTP 200 announcing the full body's length, sending half of it, then dropping the connection.
    case truncated(String)
    /// HTTP 200 announcing the full body's length, sending half of it, then nothing more until the
    /// test releases held requests or the server stops: a provider that stalls mid-body.
    case stalled(String)
    /// HTTP 400 refusing `response_format` `json_schema`, worded as llama.cpp's server does.
    case rejectJSONSchema
    /// HTTP 500 refusing `response_format` `json_schema`, as llama-cpp-python's server does: its
    /// request validation error comes back as an `internal_server_error`.
    case rejectJSONSchemaAsServerError
    /// The reply, after the server waited this long (simulated provider latency).
    case delayed(Duration, MockReply)
    /// A completion that calls tools by native function calling: `(name, arguments JSON)` pairs.
    case toolCalls([MockToolCall])
    /// HTTP 400 refusing `tools`, as a server without function calling does.
    case rejectTools
    /// The reply with these response headers added (a provider that echoes the request's credentials in them).
    case withHeaders([String: String], MockReply)

    /// A plain completion.
    public static func text(_ content: String) -> MockReply { .content(content) }

    /// An atomizer decision.
    public static func decision(_ plan: Bool, reason: String = "mock") -> MockReply {
        .content(#"{"decision": "\#(plan ? "PLAN" : "EXECUTE")", "reason": "\#(reason)"}"#)
    }

    /// An atomizer's `PLAN`.
    public static var plan: MockReply { decision(true) }
    /// An atomizer's `EXECUTE`.
    public static var execute: MockReply { decision(false) }

    /// A planner's answer.
    public static func plan(_ subtasks: [MockSubtask]) -> MockReply {
        .content(MockSubtask.json(subtasks))
    }
}

/// One tool call of a scripted native function-calling reply.
public struct MockToolCall: Sendable, Hashable {
    /// The tool's name.
    public var name: String
    /// The arguments, as JSON text.
    public var arguments: String

    /// Creates a call.
    public init(_ name: String, arguments: String) {
        self.name = name
        self.arguments = arguments
    }
}

extension MockReply {
    /// The constrained turn calling a tool.
    public static func callTool(_ name: String, arguments: String) -> MockReply {
        .content(#"{"action": "call_tool", "tool": "\#(name)", "arguments": \#(arguments)}"#)
    }

    /// The constrained turn answering.
    public static func toolTurnAnswer(_ answer: String) -> MockReply {
        let quoted = String(data: (try? JSONEncoder().encode(answer)) ?? Data(), encoding: .utf8) ?? "\"\""
        return .content(#"{"action": "answer", "answer": \#(quoted)}"#)
    }
}

/// One subtask of a scripted plan.
public struct MockSubtask: Sendable, Hashable {
    /// The subtask's goal.
    public var goal: String
    /// `THINK`, `RETRIEVE` or `WRITE`.
    public var type: String
    /// Indices of sibling subtasks it depends on.
    public var dependencies: [Int]

    /// Creates a subtask.
    public init(_ goal: String, type: String = "THINK", dependencies: [Int] = []) {
        self.goal = goal
        self.type = type
        self.dependencies = dependencies
    }

    /// The planner JSON for a list of subtasks.
    public static func json(_ subtasks: [MockSubtask]) -> String {
        let items = subtasks.map { subtask -> String in
            let goal = String(data: (try? JSONEncoder().encode(subtask.goal)) ?? Data(), encoding: .utf8) ?? "\"\""
            let deps = subtask.dependencies.map(String.init).joined(separator: ", ")
            return #"{"goal": \#(goal), "task_type": "\#(subtask.type)", "dependencies": [\#(deps)]}"#
        }
        return #"{"subtasks": [\#(items.joined(separator: ", "))]}"#
    }
}
