import ROMACore

// Hand-written canonical lines for the recording's types: the same bytes as `JSONEncoder`
// (sorted keys, in UTF-8 byte order below), several times faster. Replay keys hash these bytes.

extension ChatRequest: JSONLineWritable {
    public func write(to writer: inout JSONLineWriter) {
        writer.beginObject()
        writer.member("max_tokens", maxTokens)
        writer.member("messages", messages)
        writer.member("model", model)
        writer.member("response_schema", responseSchema)
        writer.member("temperature", temperature)
        if let tools { writer.member("tools", tools) }
        writer.endObject()
    }
}

extension ChatMessage: JSONLineWritable {
    public func write(to writer: inout JSONLineWriter) {
        writer.beginObject()
        writer.member("content", content)
        writer.member("role", role)
        writer.member("tool_call_id", toolCallID)
        if let toolCalls { writer.member("tool_calls", toolCalls) }
        writer.endObject()
    }
}

extension ResponseSchema: JSONLineWritable {
    public func write(to writer: inout JSONLineWriter) {
        writer.beginObject()
        writer.member("name", name)
        writer.member("schema", schema, line: line)
        writer.endObject()
    }
}

extension TokenUsage: JSONLineWritable {
    public func write(to writer: inout JSONLineWriter) {
        writer.beginObject()
        writer.member("completion_tokens", completionTokens)
        writer.member("prompt_tokens", promptTokens)
        writer.member("total_tokens", totalTokens)
        writer.endObject()
    }
}

extension CallRecord: JSONLineWritable {
    public func write(to writer: inout JSONLineWriter) {
        writer.beginObject()
        writer.member("finish_reason", finishReason)
        writer.member("finished_at", finishedAt)
        writer.member("key", key)
        writer.member("latency_ms", latencyMs)
        writer.member("node_id", nodeID)
        writer.member("provider", provider)
        writer.member("purpose", purpose)
        writer.member("request", request, line: requestLine)
        writer.member("response", response)
        writer.member("sample", sample)
        writer.member("sequence", sequence)
        writer.member("started_at", startedAt)
        if let toolCalls { writer.member("tool_calls", toolCalls) }
        writer.member("usage", usage)
        writer.endObject()
    }

    /// The bytes a replay key hashes: `{"provider":…,"request":…,"sample":…}` on one line.
    static func keyLine(provider: String, requestLine: [UInt8], sample: Int) -> [UInt8] {
        var writer = JSONLineWriter(capacity: requestLine.count + 64)
        writer.beginObject()
        writer.member("provider", provider)
        writer.member("request", json: requestLine)
        writer.member("sample", sample)
        writer.endObject()
        return writer.bytes
    }
}
