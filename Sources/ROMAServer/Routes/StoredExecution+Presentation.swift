import ROMACore

extension StoredExecution {
    /// The 202 body of a create (and what an idempotent replay repeats).
    var summary: ExecutionSummary {
        ExecutionSummary(
            executionId: id, status: status, initialGoal: request.goal, configProfile: profile, maxDepth: maxDepth,
            createdAt: createdAt, updatedAt: updatedAt)
    }

    /// A row of the list.
    var listItem: ExecutionListItem {
        ExecutionListItem(
            executionId: id, status: status, initialGoal: request.goal, configProfile: profile, maxDepth: maxDepth,
            createdAt: createdAt, updatedAt: updatedAt, completedAt: status == .completed ? terminalAt : nil,
            failedAt: status == .failed ? terminalAt : nil, cancelledAt: status == .cancelled ? terminalAt : nil)
    }

    /// The DAG to show: the live one of an execution running here, else the stored one (the
    /// engine's once it returned; while running on another replica, the live DAG it stores).
    func currentDAG(live: LiveExecution?) -> DAG {
        live?.dag ?? dag ?? DAG(nodes: [], edges: [])
    }

    /// `GET /executions/{id}`.
    func details(live: LiveExecution?) -> ExecutionDetails {
        ExecutionDetails(
            executionId: id, status: status, initialGoal: request.goal, result: status == .completed ? result : nil,
            configProfile: profile, maxDepth: maxDepth, dag: currentDAG(live: live),
            metadata: ExecutionMetadata(
                executionTime: metrics?.executionTime, tokensUsed: metrics?.tokensUsed, agentCalls: metrics?.agentCalls,
                userMetadata: ExecutionMetadata.publicMetadata(request.metadata)),
            error: status == .failed || status == .cancelled ? error : nil,
            createdAt: createdAt, updatedAt: updatedAt,
            completedAt: status == .completed ? terminalAt : nil, failedAt: status == .failed ? terminalAt : nil,
            cancelledAt: status == .cancelled ? terminalAt : nil)
    }

    /// `GET /executions/{id}/status`, in the shape of its status.
    func statusResponse(live: LiveExecution?) -> ExecutionStatusResponse {
        switch status {
        case .running:
            ExecutionStatusResponse(
                executionId: id, status: .running, progress: max(live?.progress ?? 0, progress),
                currentStep: live?.currentStep ?? currentStep ?? "Starting", updatedAt: updatedAt)
        case .completed:
            ExecutionStatusResponse(
                executionId: id, status: .completed, progress: 100, result: result,
                metadata: ExecutionMetadata(
                    executionTime: metrics?.executionTime, tokensUsed: metrics?.tokensUsed, agentCalls: metrics?.agentCalls),
                updatedAt: updatedAt, completedAt: terminalAt)
        case .failed:
            ExecutionStatusResponse(
                executionId: id, status: .failed, progress: progress,
                error: error ?? APIError(code: "execution_error", message: "Task execution failed"), updatedAt: updatedAt,
                failedAt: terminalAt)
        case .cancelled:
            ExecutionStatusResponse(
                executionId: id, status: .cancelled, progress: progress, updatedAt: updatedAt, cancelledAt: terminalAt)
        }
    }
}
