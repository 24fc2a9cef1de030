import ROMACore

/// A tool box whose results and errors pass through a `Redactor` before the engine sees them
/// (a tool server that prints its own credentials); see `RedactingModel`.
public struct RedactingToolBox: ToolBox {
    let base: any ToolBox
    let redactor: Redactor

    /// Wraps a tool box.
    public init(_ base: any ToolBox, redactor: Redactor) {
        self.base = base
        self.redactor = redactor
    }

    public func definitions(for references: [ToolReference]) async throws -> [ToolDefinition] {
        try await base.definitions(for: references)
    }

    public func call(server: String, tool: String, arguments: JSONValue, context: ToolCallContext) async throws -> ToolResult {
        do {
            var result = try await base.call(server: server, tool: tool, arguments: arguments, context: context)
            result.text = redactor.redact(result.text)
            return result
        } catch var error as ToolError {
            error.message = redactor.redact(error.message)
            throw error
        }
    }
}
