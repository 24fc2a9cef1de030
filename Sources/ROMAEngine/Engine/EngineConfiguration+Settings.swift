import ROMACore

extension EngineConfiguration {
    /// Applies a manifest's (or `roma serve --config`'s) `engine:` knobs: the limits
    /// (`max_subtasks`, `max_llm_calls`, `max_tokens`), the cost budget (`max_cost_usd`) and the
    /// tool knobs (`max_tool_calls`, `tool_timeout_seconds`, `tool_calling`, `tool_choice`,
    /// `tool_arguments`). A knob the section leaves out keeps its current value.
    public mutating func apply(_ engine: EngineSettings) {
        if let v = engine.maxSubtasks { maxSubtasks = v }
        if let v = engine.maxLLMCalls { maxLLMCalls = v }
        if let v = engine.maxTokens { maxTokens = v }
        if let v = engine.maxCostUSD { maxCostUSD = v }
        if let v = engine.maxToolCalls { maxToolCalls = v }
        if let v = engine.toolTimeoutSeconds { toolTimeout = .seconds(v) }
        if let v = engine.toolCalling.flatMap(ToolCallingMode.init(rawValue:)) { toolCalling = v }
        if let v = engine.toolChoice { requireToolCall = v == "required" }
        if let v = engine.toolArguments { requiredToolArgumentsOnly = v == "required" }
    }
}
