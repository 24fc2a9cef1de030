import ROMACore

/// Something that happened during an execution, for progress displays and the server.
public enum ExecutionEvent: Sendable, Hashable {
    /// A node began.
    case nodeStarted(nodeID: String, depth: Int, goal: String)
    /// A node ended.
    case nodeFinished(nodeID: String, status: String, completed: Int, total: Int)
    /// An LLM call ended, on `model`, costing `costUSD` (unknown when the model has no price).
    case call(nodeID: String, purpose: String, model: String, tokens: Int, costUSD: CostUSD, replayed: Bool)
    /// A tool call ended (`ok` false when the tool reported an error or timed out).
    case toolCall(nodeID: String, server: String, tool: String, ok: Bool, replayed: Bool)
    /// A plan or answer was unusable and was sent back to the model.
    case outputRetry(nodeID: String, purpose: String, reason: String)
}
