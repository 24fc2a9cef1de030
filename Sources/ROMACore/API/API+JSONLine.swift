// Hand-written canonical JSON for the API types written to every goal folder (`execution.json`,
// `dag.json`): the same bytes as `JSONEncoder`, keys in UTF-8 byte order below, nil optionals
// left out as the synthesized `Codable` leaves them out. `CanonicalJSON.pretty` lays them out.

extension ExecutionDetails: JSONLineWritable {
    public func write(to writer: inout JSONLineWriter) {
        writer.beginObject()
        if let cancelledAt {
            writer.key("cancelled_at")
            writer.string(cancelledAt)
        }
        if let completedAt {
            writer.key("completed_at")
            writer.string(completedAt)
        }
        writer.key("config_profile")
        writer.string(configProfile.rawValue)
        writer.key("created_at")
        writer.string(createdAt)
        if let dag {
            writer.key("dag")
            dag.write(to: &writer)
        }
        if let error {
            writer.key("error")
            error.write(to: &writer)
        }
        writer.key("execution_id")
        writer.string(executionId)
        if let failedAt {
            writer.key("failed_at")
            writer.string(failedAt)
        }
        writer.key("initial_goal")
        writer.string(initialGoal)
        writer.key("max_depth")
        writer.int(maxDepth)
        writer.key("metadata")
        metadata.write(to: &writer)
        if let result {
            writer.key("result")
            writer.string(result)
        }
        writer.key("status")
        writer.string(status.rawValue)
        writer.key("updated_at")
        writer.string(updatedAt)
        writer.endObject()
    }
}

extension ExecutionMetadata: JSONLineWritable {
    public func write(to writer: inout JSONLineWriter) {
        writer.beginObject()
        if let agentCalls {
            writer.key("agent_calls")
            writer.int(agentCalls)
        }
        if let executionTime {
            writer.key("execution_time")
            writer.double(executionTime)
        }
        if let tokensUsed {
            writer.key("tokens_used")
            writer.int(tokensUsed)
        }
        if let userMetadata {
            writer.key("user_metadata")
            writer.object(userMetadata) { writer, value in writer.string(value) }
        }
        writer.endObject()
    }
}

extension APIError: JSONLineWritable {
    public func write(to writer: inout JSONLineWriter) {
        writer.beginObject()
        writer.key("code")
        writer.string(code)
        if let details {
            writer.key("details")
            writer.value(details)
        }
        writer.key("message")
        writer.string(message)
        writer.endObject()
    }
}

extension DAGResponse: JSONLineWritable {
    public func write(to writer: inout JSONLineWriter) {
        writer.beginObject()
        writer.key("dag")
        dag.write(to: &writer)
        writer.key("execution_id")
        writer.string(executionId)
        writer.endObject()
    }
}

extension DAG: JSONLineWritable {
    public func write(to writer: inout JSONLineWriter) {
        writer.beginObject()
        writer.key("edges")
        writer.beginArray()
        for edge in edges {
            writer.element()
            edge.write(to: &writer)
        }
        writer.endArray()
        writer.key("nodes")
        writer.beginArray()
        for node in nodes {
            writer.element()
            node.write(to: &writer)
        }
        writer.endArray()
        writer.key("stats")
        stats.write(to: &writer)
        writer.endObject()
    }
}

extension DAGNode: JSONLineWritable {
    public func write(to writer: inout JSONLineWriter) {
        writer.beginObject()
        if let completedAt {
            writer.key("completed_at")
            writer.string(completedAt)
        }
        writer.key("dependencies")
        writer.beginArray()
        for dependency in dependencies {
            writer.element()
            writer.string(dependency)
        }
        writer.endArray()
        writer.key("depth")
        writer.int(depth)
        if let error {
            writer.key("error")
            writer.string(error)
        }
        writer.key("id")
        writer.string(id)
        writer.key("input")
        writer.string(input)
        writer.key("llm_calls")
        writer.int(llmCalls)
        if let output {
            writer.key("output")
            writer.string(output)
        }
        if let parent {
            writer.key("parent")
            writer.string(parent)
        }
        if let startedAt {
            writer.key("started_at")
            writer.string(startedAt)
        }
        writer.key("status")
        writer.string(status.rawValue)
        writer.key("task_type")
        writer.string(taskType)
        writer.key("tokens_used")
        writer.int(tokensUsed)
        writer.key("type")
        writer.string(type)
        writer.endObject()
    }
}

extension DAGEdge: JSONLineWritable {
    public func write(to writer: inout JSONLineWriter) {
        writer.beginObject()
        writer.key("from")
        writer.string(from)
        writer.key("to")
        writer.string(to)
        writer.key("type")
        writer.string(type)
        writer.endObject()
    }
}

extension DAGStats: JSONLineWritable {
    public func write(to writer: inout JSONLineWriter) {
        writer.beginObject()
        writer.key("completed_nodes")
        writer.int(completedNodes)
        writer.key("failed_nodes")
        writer.int(failedNodes)
        writer.key("total_edges")
        writer.int(totalEdges)
        writer.key("total_nodes")
        writer.int(totalNodes)
        writer.endObject()
    }
}
