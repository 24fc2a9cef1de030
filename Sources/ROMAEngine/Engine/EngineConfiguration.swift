import Foundation
import ROMACore

/// Limits and budgets of the engine.
public struct EngineConfiguration: Sendable, Hashable {
    /// Most subtasks one plan may have.
    public var maxSubtasks: Int
    /// Most LLM calls one execution may make.
    public var maxLLMCalls: Int
    /// Most tokens one execution may use.
    public var maxTokens: Int
    /// How often an invalid plan or unparsable answer is sent back to the model.
    public var maxOutputAttempts: Int
    /// Most tool calls one node may make; then it must answer.
    public var maxToolCalls: Int
    /// How long one tool call may take; past it the model is told the tool timed out.
    public var toolTimeout: Duration
    /// How tools are offered to the model.
    public var toolCalling: ToolCallingMode
    /// Most characters of one tool result the model sees; the rest is cut, and the cut marked.
    public var toolOutputLimit: Int
    /// Prices by model name: what each call costs.
    public var pricing = Pricing()
    /// Most US dollars one execution may spend (nil: no limit); calls on unpriced models count as 0.
    public var maxCostUSD: Double?
    /// Whether the engine makes spans (goal, node, model call, tool call) for the process's tracer.
    /// Off by default: an untraced run asks no tracer for anything.
    public var tracing = false
    /// Whether a node's first constrained turn must call a tool (`tool_choice: required`).
    public var requireToolCall = false
    /// Whether the constrained turn offers a tool only its required arguments (`tool_arguments: required`).
    public var requiredToolArgumentsOnly = false

    /// Creates a configuration.
    public init(
        maxSubtasks: Int = 6, maxLLMCalls: Int = 500, maxTokens: Int = 2_000_000, maxOutputAttempts: Int = 3, maxToolCalls: Int = 8,
        toolTimeout: Duration = .seconds(30), toolCalling: ToolCallingMode = .auto, toolOutputLimit: Int = 8_000
    ) {
        self.maxSubtasks = maxSubtasks
        self.maxLLMCalls = maxLLMCalls
        self.maxTokens = maxTokens
        self.maxOutputAttempts = maxOutputAttempts
        self.maxToolCalls = maxToolCalls
        self.toolTimeout = toolTimeout
        self.toolCalling = toolCalling
        self.toolOutputLimit = toolOutputLimit
    }
}

/// How tools are offered to the model.
public enum ToolCallingMode: String, Sendable, Hashable, CaseIterable {
    /// Native function calling where the endpoint has it (learned per endpoint), else the constrained turn.
    case auto
    /// Native function calling only (`tools`, `tool_calls`, `tool` messages).
    case native
    /// A JSON-schema-constrained "call a tool or answer" turn, which any model with structured output can follow.
    case constrained
}
