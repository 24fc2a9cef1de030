import ROMACore

extension EngineConfiguration {
    /// Applies a manifest's (or `roma serve --config`'s) tool knobs: `max_tool_calls`,
    /// `tool_timeout_seconds`, `tool_calling`, `tool_choice` and `tool_arguments`.
    public mutating func applyToolSettings(_ engine: EngineSettings) {
        if let v = engine.maxToolCalls { maxToolCalls = v }
        if let v = engine.toolTimeoutSeconds { toolTimeout = .seconds(v) }
        if let v = engine.toolCalling.flatMap(ToolCallingMode.init(rawValue:)) { toolCalling = v }
        if let v = engine.toolChoice { requireToolCall = v == "required" }
        if let v = engine.toolArguments { requiredToolArgumentsOnly = v == "required" }
    }
}
