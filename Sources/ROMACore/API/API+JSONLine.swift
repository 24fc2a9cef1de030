// Hand-written canonical JSON for the API types written to every goal folder (`execution.json`,
// `dag.json`): the same bytes as `JSONEncoder`, keys in UTF-8 byte order below, nil optionals
// left out as the synthesized `Codable` leaves them out. `CanonicalJSON.pretty` lays them out.

extension ExecutionDetails: JSONLineWritable {
    public func write(to writer: inout JSONLineWriter) {
        writer.beginObject()
        writer.member("cancelled_at", cancelledAt)
        writer.member("completed_at", completedAt)
        writer.member("config_profile", configProfile.rawValue)
        writer.member("created_at", createdAt)
        writer.member("dag", dag)
        writer.member("error", error)
        writer.member("execution_id", executionId)
        writer.member("failed_at", failedAt)
        writer.member("initial_goal", initialGoal)
        writer.member("max_depth", maxDepth)
        writer.member("metadata", metadata)
        writer.member("result", result)
        writer.member("status", status.rawValue)
        writer.member("updated_at", updatedAt)
        writer.endObject()
    }
}

extension ExecutionMetadata: JSONLineWritable {
    public func write(to writer: inout JSONLineWriter) {
        writer.beginObject()
        writer.member("agent_calls", agentCalls)
        writer.member("cost_usd", costUSD)
        writer.member("execution_time", executionTime)
        writer.member("tokens_used", tokensUsed)
        if let unpricedModels { writer.member("unpriced_models", unpricedModels) }
        writer.member("user_metadata", userMetadata)
        writer.endObject()
    }
}

extension APIError: JSONLineWritable {
    public func write(to writer: inout JSONLineWriter) {
        writer.beginObject()
        writer.member("code", code)
        writer.member("details", details)
        writer.member("message", message)
        writer.endObject()
    }
}

extension DAGResponse: JSONLineWritable {
    public func write(to writer: inout JSONLineWriter) {
        writer.beginObject()
        writer.member("dag", dag)
        writer.member("execution_id", executionId)
        writer.endObject()
    }
}

extension DAG: JSONLineWritable {
    public func write(to writer: inout JSONLineWriter) {
        writer.beginObject()
        writer.member("edges", edges)
        writer.member("nodes", nodes)
        writer.member("stats", stats)
        writer.endObject()
    }
}

extension DAGNode: JSONLineWritable {
    public func write(to writer: inout JSONLineWriter) {
        writer.beginObject()
        writer.member("completed_at", completedAt)
        writer.member("cost_usd", costUSD)
        writer.member("dependencies", dependencies)
        writer.member("depth", depth)
        writer.member("error", error)
        writer.member("id", id)
        writer.member("input", input)
        writer.member("llm_calls", llmCalls)
        writer.member("output", output)
        writer.member("parent", parent)
        writer.member("started_at", startedAt)
        writer.member("status", status.rawValue)
        writer.member("task_type", taskType)
        writer.member("tokens_used", tokensUsed)
        if let toolCalls { writer.member("tool_calls", toolCalls) }
        writer.member("type", type)
        writer.endObject()
    }
}

extension DAGToolCall: JSONLineWritable {
    public func write(to writer: inout JSONLineWriter) {
        writer.beginObject()
        writer.member("arguments", arguments)
        writer.member("latency_ms", latencyMs)
        writer.member("ok", ok)
        writer.member("server", server)
        writer.member("tool", tool)
        writer.endObject()
    }
}

extension DAGEdge: JSONLineWritable {
    public func write(to writer: inout JSONLineWriter) {
        writer.beginObject()
        writer.member("from", from)
        writer.member("to", to)
        writer.member("type", type)
        writer.endObject()
    }
}

extension DAGStats: JSONLineWritable {
    public func write(to writer: inout JSONLineWriter) {
        writer.beginObject()
        writer.member("completed_nodes", completedNodes)
        writer.member("failed_nodes", failedNodes)
        writer.member("total_edges", totalEdges)
        writer.member("total_nodes", totalNodes)
        writer.endObject()
    }
}

extension CostUSD: JSONLineWritable {
    public func write(to writer: inout JSONLineWriter) {
        switch self {
        case .unknown: writer.null()
        case .usd(let value): writer.double(value)
        }
    }
}
