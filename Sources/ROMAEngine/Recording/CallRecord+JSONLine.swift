import ROMACore

// Hand-written canonical lines for the recording's types: the same bytes as `JSONEncoder`
// (sorted keys, in UTF-8 byte order below), several times faster. Replay keys hash these bytes.

extension ChatRequest: JSONLineWritable {
    public func write(to writer: inout JSONLineWriter) {
        writer.beginObject()
        writer.key("max_tokens")
        writer.int(maxTokens)
        writer.key("messages")
        writer.beginArray()
        for message in messages {
            writer.element()
            message.write(to: &writer)
        }
        writer.endArray()
        writer.key("model")
        writer.string(model)
        if let responseSchema {
            writer.key("response_schema")
            responseSchema.write(to: &writer)
        }
        writer.key("temperature")
        writer.double(temperature)
        writer.endObject()
    }
}

extension ChatMessage: JSONLineWritable {
    public func write(to writer: inout JSONLineWriter) {
        writer.beginObject()
        writer.key("content")
        writer.string(content)
        writer.key("role")
        writer.string(role)
        writer.endObject()
    }
}

extension ResponseSchema: JSONLineWritable {
    public func write(to writer: inout JSONLineWriter) {
        writer.beginObject()
        writer.key("name")
        writer.string(name)
        writer.key("schema")
        writer.value(schema)
        writer.endObject()
    }
}

extension TokenUsage: JSONLineWritable {
    public func write(to writer: inout JSONLineWriter) {
        writer.beginObject()
        writer.key("completion_tokens")
        writer.int(completionTokens)
        writer.key("prompt_tokens")
        writer.int(promptTokens)
        writer.key("total_tokens")
        writer.int(totalTokens)
        writer.endObject()
    }
}

extension CallRecord: JSONLineWritable {
    public func write(to writer: inout JSONLineWriter) {
        writer.beginObject()
        if let finishReason {
            writer.key("finish_reason")
            writer.string(finishReason)
        }
        writer.key("finished_at")
        writer.string(finishedAt)
        writer.key("key")
        writer.string(key)
        writer.key("latency_ms")
        writer.int(latencyMs)
        writer.key("node_id")
        writer.string(nodeID)
        writer.key("provider")
        writer.string(provider)
        writer.key("purpose")
        writer.string(purpose)
        writer.key("request")
        request.write(to: &writer)
        writer.key("response")
        writer.string(response)
        writer.key("sample")
        writer.int(sample)
        writer.key("sequence")
        writer.int(sequence)
        writer.key("started_at")
        writer.string(startedAt)
        writer.key("usage")
        usage.write(to: &writer)
        writer.endObject()
    }

    /// The bytes a replay key hashes: `{"provider":…,"request":…,"sample":…}` on one line.
    static func keyLine(provider: String, request: ChatRequest, sample: Int) -> [UInt8] {
        var writer = JSONLineWriter(capacity: 2048)
        writer.beginObject()
        writer.key("provider")
        writer.string(provider)
        writer.key("request")
        request.write(to: &writer)
        writer.key("sample")
        writer.int(sample)
        writer.endObject()
        return writer.bytes
    }
}
