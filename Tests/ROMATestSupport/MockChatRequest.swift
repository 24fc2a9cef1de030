import Foundation
import ROMACore
import ROMAEngine

/// One chat completion request as the mock OpenAI server received it, parsed for assertions.
public struct MockChatRequest: Sendable, Hashable {
    /// Which of the engine's agents sent a request, read from the system prompt's tag.
    public enum Role: Sendable, Hashable, CustomStringConvertible {
        case atomizer
        case planner
        /// An executor, with its task type (`THINK`, `RETRIEVE`, `WRITE`).
        case executor(String)
        case aggregator

        public var description: String {
            switch self {
            case .atomizer: "atomizer"
            case .planner: "planner"
            case .executor(let type): "executor:\(type)"
            case .aggregator: "aggregator"
            }
        }
    }

    /// The position of the request among all the server received (0-based).
    public var index: Int
    /// The raw body.
    public var body: String
    /// The parsed body.
    public var json: JSONValue
    /// The `Authorization` header, if any.
    public var authorization: String?

    /// Parses a body; `nil` when it is not a JSON object.
    public init?(index: Int, body: String, authorization: String? = nil) {
        guard let json = try? JSONParser.parse(Array(body.utf8)), json.objectValue != nil else {
            return nil
        }
        self.index = index
        self.body = body
        self.json = json
        self.authorization = authorization
    }

    /// `model`.
    public var model: String? { json["model"]?.stringValue }
    /// `messages`.
    public var messages: [ChatMessage] {
        (json["messages"]?.arrayValue ?? []).map {
            ChatMessage(role: $0["role"]?.stringValue ?? "", content: $0["content"]?.stringValue ?? "")
        }
    }
    /// `temperature`.
    public var temperature: Double? {
        switch json["temperature"] {
        case .double(let d): d
        case .int(let i): Double(i)
        default: nil
        }
    }
    /// `max_tokens`.
    public var maxTokens: Int? { json["max_tokens"]?.intValue }
    /// The request as the engine builds one: model, messages, temperature and token limit (0 for a
    /// temperature or a limit the body does not give).
    public var chatRequest: ChatRequest {
        ChatRequest(model: model ?? "", messages: messages, temperature: temperature ?? 0, maxTokens: maxTokens ?? 0)
    }
    /// `response_format`, if sent.
    public var responseFormat: JSONValue? { json["response_format"] }
    /// `response_format.type` (`json_schema`, `json_object`), if sent.
    public var responseFormatType: String? { responseFormat?["type"]?.stringValue }

    /// The names of the tools offered by native function calling (`tools`), empty when none.
    public var toolNames: [String] { (json["tools"]?.arrayValue ?? []).compactMap { $0["function"]?["name"]?.stringValue } }
    /// The `tool` messages: results of the tools called so far (native function calling).
    public var toolResults: [String] {
        (json["messages"]?.arrayValue ?? []).filter { $0["role"]?.stringValue == "tool" }.compactMap { $0["content"]?.stringValue }
    }
    /// Whether the request asks for the constrained "call a tool or answer" turn.
    public var isToolTurn: Bool {
        responseFormat?["json_schema"]?["name"]?.stringValue == "tool_turn" || system.contains("You can call tools.")
    }

    /// The system prompt.
    public var system: String { messages.first { $0.role == "system" }?.content ?? "" }
    /// The first user message: the task's context.
    public var prompt: String { messages.first { $0.role == "user" }?.content ?? "" }
    /// The last user message (the feedback, when an answer was sent back).
    public var lastUserMessage: String { messages.last { $0.role == "user" }?.content ?? "" }

    /// The agent that sent the request, from the `[roma:…]` tag on the system prompt's first line.
    public var role: Role? {
        let tag = system.split(separator: "\n", maxSplits: 1).first.map(String.init) ?? ""
        switch tag {
        case "[roma:atomizer]": return .atomizer
        case "[roma:planner]": return .planner
        case "[roma:aggregator]": return .aggregator
        default:
            guard tag.hasPrefix("[roma:executor:"), tag.hasSuffix("]") else { return nil }
            return .executor(String(tag.dropFirst("[roma:executor:".count).dropLast()))
        }
    }

    /// Whether an executor sent the request.
    public var isExecutor: Bool {
        if case .executor = role { return true }
        return false
    }

    /// The `Current task:` line of the prompt.
    public var currentTask: String { field("Current task") ?? "" }
    /// The depth from the `Depth: d of at most m` line.
    public var depth: Int? { field("Depth").flatMap { Int($0.split(separator: " ").first ?? "") } }
    /// The depth limit from the `Depth: d of at most m` line.
    public var maxDepth: Int? { field("Depth").flatMap { Int($0.split(separator: " ").last ?? "") } }

    /// The value of a `Key: value` line of the first user message.
    public func field(_ key: String) -> String? {
        for line in prompt.split(separator: "\n") where line.hasPrefix(key + ":") {
            return line.dropFirst(key.count + 1).trimmingCharacters(in: .whitespaces)
        }
        return nil
    }
}
