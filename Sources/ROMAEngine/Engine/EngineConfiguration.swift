import Foundation

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

    /// Creates a configuration.
    public init(maxSubtasks: Int = 6, maxLLMCalls: Int = 500, maxTokens: Int = 2_000_000, maxOutputAttempts: Int = 3) {
        self.maxSubtasks = maxSubtasks
        self.maxLLMCalls = maxLLMCalls
        self.maxTokens = maxTokens
        self.maxOutputAttempts = maxOutputAttempts
    }
}
