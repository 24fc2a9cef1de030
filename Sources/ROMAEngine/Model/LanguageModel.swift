import Foundation
import ROMACore

/// The seam between the engine and anything that completes chat prompts.
///
/// Providers (OpenAI-compatible, offline) and wrappers (retries, call limits, recording)
/// all conform, so they compose: `RecordingModel(ResilientModel(LimitedModel(OpenAIModel)))`.
public protocol LanguageModel: Sendable {
    /// The provider's name as recorded in call keys (`openai`, `offline`).
    var providerName: String { get }
    /// Completes one chat request.
    func complete(_ request: ChatRequest, context: CallContext) async throws -> ChatResponse
}

/// One chat completion request, provider-neutral.
public struct ChatRequest: Sendable, Hashable, Codable {
    /// The model name the provider serves.
    public var model: String
    /// The conversation.
    public var messages: [ChatMessage]
    /// Sampling temperature.
    public var temperature: Double
    /// Completion token limit.
    public var maxTokens: Int
    /// The JSON schema the answer must follow, when structured output is wanted.
    public var responseSchema: ResponseSchema?
    /// Tools offered by native function calling; nil when none (so a call without tools is
    /// keyed as it was before tools existed).
    public var tools: [ToolDefinition]?

    /// Creates a request.
    public init(
        model: String, messages: [ChatMessage], temperature: Double, maxTokens: Int, responseSchema: ResponseSchema? = nil,
        tools: [ToolDefinition]? = nil
    ) {
        self.model = model
        self.messages = messages
        self.temperature = temperature
        self.maxTokens = maxTokens
        self.responseSchema = responseSchema
        self.tools = tools
    }

    enum CodingKeys: String, CodingKey {
        case model, messages, temperature, tools
        case maxTokens = "max_tokens"
        case responseSchema = "response_schema"
    }
}

/// A named JSON schema for structured output.
public struct ResponseSchema: Sendable, Hashable, Codable {
    /// A short identifier (`plan`, `atomizer_decision`).
    public var name: String
    /// The JSON schema.
    public var schema: JSONValue {
        didSet { line.bytes = nil }
    }
    /// `schema`'s canonical line, written when the schema is made; derived from `schema` (cleared
    /// when it changes), so not part of the value. Every structured call writes its schema twice —
    /// in the request's canonical line (replay key, `calls.jsonl`) and in the wire body — and the
    /// atomizer's and the planner's schemas are the same on every call: spliced in, not written
    /// again with every object's keys sorted.
    var line = DerivedBytes()

    private enum CodingKeys: String, CodingKey { case name, schema }

    /// Creates a schema.
    public init(name: String, schema: JSONValue) {
        self.name = name
        self.schema = schema
        self.line = DerivedBytes(bytes: schema.canonicalLine)
    }
}

/// One message of a chat.
public struct ChatMessage: Sendable, Hashable, Codable {
    /// `system`, `user`, `assistant` or `tool`.
    public var role: String
    /// The text.
    public var content: String
    /// The tools an assistant message called (native function calling).
    public var toolCalls: [ToolCall]?
    /// The call a `tool` message answers.
    public var toolCallID: String?

    /// Creates a message.
    public init(role: String, content: String, toolCalls: [ToolCall]? = nil, toolCallID: String? = nil) {
        self.role = role
        self.content = content
        self.toolCalls = toolCalls
        self.toolCallID = toolCallID
    }

    enum CodingKeys: String, CodingKey {
        case role, content
        case toolCalls = "tool_calls"
        case toolCallID = "tool_call_id"
    }

    /// A system message.
    public static func system(_ text: String) -> ChatMessage { ChatMessage(role: "system", content: text) }
    /// A user message.
    public static func user(_ text: String) -> ChatMessage { ChatMessage(role: "user", content: text) }
    /// An assistant message.
    public static func assistant(_ text: String) -> ChatMessage { ChatMessage(role: "assistant", content: text) }
}

/// Token counts of a call (or a sum of calls).
public struct TokenUsage: Sendable, Hashable, Codable {
    public var promptTokens: Int
    public var completionTokens: Int

    /// Creates usage.
    public init(promptTokens: Int = 0, completionTokens: Int = 0) {
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
    }

    /// Prompt plus completion.
    public var totalTokens: Int { promptTokens + completionTokens }

    enum CodingKeys: String, CodingKey {
        case promptTokens = "prompt_tokens"
        case completionTokens = "completion_tokens"
        case totalTokens = "total_tokens"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        promptTokens = try c.decodeIfPresent(Int.self, forKey: .promptTokens) ?? 0
        completionTokens = try c.decodeIfPresent(Int.self, forKey: .completionTokens) ?? 0
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(promptTokens, forKey: .promptTokens)
        try c.encode(completionTokens, forKey: .completionTokens)
        try c.encode(totalTokens, forKey: .totalTokens)
    }

    public static func + (a: TokenUsage, b: TokenUsage) -> TokenUsage {
        TokenUsage(promptTokens: a.promptTokens + b.promptTokens, completionTokens: a.completionTokens + b.completionTokens)
    }
}

/// A completed call.
public struct ChatResponse: Sendable, Hashable {
    /// The answer text.
    public var content: String
    /// Tokens used.
    public var usage: TokenUsage
    /// Why generation stopped (`stop`, `length`), if the provider said.
    public var finishReason: String?
    /// When the call started and finished; set by replay to the recorded times.
    public var startedAt: Date?
    public var finishedAt: Date?
    /// Whether the answer came from a recording rather than the provider.
    public var replayed: Bool
    /// The tools the model called instead of answering (native function calling).
    public var toolCalls: [ToolCall]?

    /// Creates a response.
    public init(
        content: String, usage: TokenUsage = TokenUsage(), finishReason: String? = nil, startedAt: Date? = nil,
        finishedAt: Date? = nil, replayed: Bool = false, toolCalls: [ToolCall]? = nil
    ) {
        self.content = content
        self.toolCalls = toolCalls
        self.usage = usage
        self.finishReason = finishReason
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.replayed = replayed
    }
}

/// Where a call comes from, for recordings, error messages and budgets.
public struct CallContext: Sendable, Hashable {
    /// The goal (or execution) the call belongs to.
    public var goalID: String
    /// The node's id (`node_0_2`).
    public var nodeID: String
    /// What the call is for: `atomize`, `plan`, `execute`, `aggregate`.
    public var purpose: String
    /// How many identical calls this node made before this one.
    public var sampleIndex: Int
    /// The call's recording key, when the caller has already computed it (saves hashing twice).
    public var recordingKey: String?

    /// Creates a context.
    public init(goalID: String, nodeID: String, purpose: String, sampleIndex: Int = 0) {
        self.goalID = goalID
        self.nodeID = nodeID
        self.purpose = purpose
        self.sampleIndex = sampleIndex
    }
}
