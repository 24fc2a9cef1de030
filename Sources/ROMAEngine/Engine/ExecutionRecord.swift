import Foundation
import ROMACore

/// The outcome of one execution: everything the results tree and the API need.
public struct ExecutionRecord: Sendable, Hashable {
    /// The execution id (`exec_` + 16 hex characters).
    public var executionID: String
    /// The request that ran.
    public var request: ResolvedRequest
    /// Final status.
    public var status: ExecutionStatus
    /// The final answer (when completed).
    public var result: String?
    /// Why it failed or was cancelled.
    public var error: EngineError?
    /// The tree of tasks in the API's DAG shape.
    public var dag: DAG
    /// Every call, in canonical order.
    public var calls: [CallRecord]
    /// Every tool call, in canonical order.
    public var toolCalls: [ToolCallRecord] = []
    /// The tools the execution offered its executors (empty when it had none).
    public var tools: [ToolDefinition] = []
    /// When the execution started and ended (from its calls, so replays reproduce them).
    public var createdAt: Date
    public var finishedAt: Date
    /// What every call cost, from the recorded usage and the prices in force (unknown when a
    /// model has no price).
    public var costUSD: CostUSD = .zero
    /// The models, sorted, whose calls had no price (why `costUSD` is unknown); empty when every call had one.
    public var unpricedModels: [String] = []

    /// Total tokens of all calls.
    public var tokensUsed: Int { calls.reduce(0) { $0 + $1.usage.totalTokens } }

    /// Calls that asked the model again because its previous answer was unusable (no valid JSON,
    /// an invalid plan or decision, a blank answer): how well a model keeps to the formats.
    /// Read from the calls, so a replay counts the same.
    public var outputRetries: Int {
        calls.count { $0.request.messages.last.map { $0.role == "user" && $0.content.hasPrefix(NodeCaller.retryPrefix) } ?? false }
    }

    /// The API's details shape (`execution.json`).
    public var details: ExecutionDetails {
        let created = Timestamp.string(createdAt)
        let finished = Timestamp.string(finishedAt)
        let seconds = (finishedAt.timeIntervalSince(createdAt) * 1000).rounded() / 1000
        return ExecutionDetails(
            executionId: executionID, status: status, initialGoal: request.goal, result: result,
            configProfile: request.configProfile, maxDepth: request.maxDepth, dag: dag,
            metadata: ExecutionMetadata(
                executionTime: seconds, tokensUsed: tokensUsed, agentCalls: calls.count,
                userMetadata: ExecutionMetadata.publicMetadata(request.metadata), costUSD: costUSD,
                unpricedModels: unpricedModels.isEmpty ? nil : unpricedModels),
            error: error.map {
                APIError(
                    code: status == .cancelled ? "cancelled" : "execution_error", message: $0.message,
                    details: $0.nodeID.map { .object(["node_id": .string($0)]) })
            },
            createdAt: created, updatedAt: finished,
            completedAt: status == .completed ? finished : nil,
            failedAt: status == .failed ? finished : nil,
            cancelledAt: status == .cancelled ? finished : nil)
    }
}
