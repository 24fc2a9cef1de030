import Foundation
import ROMACore

/// Makes LLM calls on behalf of one node: budgets, sample indices, timing and recording.
///
/// A node's calls are sequential, so the caller is a value owned by the node's task.
struct NodeCaller {
    let engine: ExecutionEngine
    let state: ExecutionState
    let request: ResolvedRequest
    let goalID: String
    let nodeID: String
    var sequence = 0
    var seen: [String: Int] = [:]

    init(engine: ExecutionEngine, state: ExecutionState, request: ResolvedRequest, goalID: String, nodeID: String) {
        self.engine = engine
        self.state = state
        self.request = request
        self.goalID = goalID
        self.nodeID = nodeID
    }

    /// One call with the model of the purpose's agent and the request's parameters; returns the answer's text.
    mutating func call(purpose: String, messages: [ChatMessage], schema: ResponseSchema? = nil) async throws -> String {
        try await respond(purpose: purpose, messages: messages, schema: schema).content
    }

    /// One call with the model of the purpose's agent and the request's parameters; returns the whole response.
    mutating func respond(
        purpose: String, messages: [ChatMessage], schema: ResponseSchema?, tools: [ToolDefinition]? = nil
    ) async throws -> ChatResponse {
        try await state.reserveCall(nodeID: nodeID)
        let chat = ChatRequest(
            model: request.model(for: Agent(purpose: purpose)), messages: messages, temperature: request.temperature,
            maxTokens: request.maxTokens,
            responseSchema: schema, tools: tools)
        let provider = engine.model.providerName
        // Written once: for the replay keys here and for `calls.jsonl` later.
        var writer = JSONLineWriter(capacity: 4096)
        chat.write(to: &writer)
        let requestLine = writer.bytes
        let contentKey = CallRecord.key(provider: provider, requestLine: requestLine, sample: 0)
        let sample = seen[contentKey, default: 0]
        seen[contentKey] = sample + 1
        let key = sample == 0 ? contentKey : CallRecord.key(provider: provider, requestLine: requestLine, sample: sample)
        var context = CallContext(goalID: goalID, nodeID: nodeID, purpose: purpose, sampleIndex: sample)
        context.recordingKey = key

        // The OpenTelemetry GenAI conventions: operation, system, request model, token usage.
        let span = EngineSpan.start("chat \(chat.model)", kind: .client, enabled: engine.configuration.tracing)
        defer { span.end() }
        span.set("gen_ai.operation.name", "chat")
        span.set("gen_ai.system", provider)
        span.set("gen_ai.request.model", chat.model)
        span.set("roma.purpose", purpose)
        span.set("roma.node.id", nodeID)
        let startInstant = engine.clock.now()
        let startDate = engine.clock.date()
        let response: ChatResponse
        do {
            response = try await engine.model.complete(chat, context: context)
        } catch {
            span.fail("\(error)", type: String(describing: type(of: error)))
            throw error
        }
        span.set("gen_ai.usage.input_tokens", response.usage.promptTokens)
        span.set("gen_ai.usage.output_tokens", response.usage.completionTokens)
        span.set("roma.replayed", response.replayed)
        if let reason = response.finishReason { span.set("gen_ai.response.finish_reasons", reason) }
        let elapsed = engine.clock.now() - startInstant
        // Millisecond precision, the precision of the recording, so a replay computes the same figures.
        let started = (response.startedAt ?? startDate).roundedToMilliseconds
        let finished = (response.finishedAt ?? startDate.addingTimeInterval(elapsed.seconds)).roundedToMilliseconds
        let record = CallRecord(
            key: key, nodeID: nodeID,
            sequence: sequence,
            purpose: purpose, provider: provider, sample: sample, request: chat, response: response.content,
            finishReason: response.finishReason, usage: response.usage,
            latencyMs: Int((finished.timeIntervalSince(started) * 1000).rounded()),
            startedAt: Timestamp.string(started), finishedAt: Timestamp.string(finished), toolCalls: response.toolCalls,
            requestLine: requestLine)
        sequence += 1
        span.set(cost: engine.configuration.pricing.cost(record))
        do {
            try await state.record(record, started: started, finished: finished, replayed: response.replayed)
        } catch {
            span.fail(error.message, type: error.code.description)
            throw error
        }
        return response
    }

    /// A free-text call whose answer must not be blank; a blank answer is asked for again, like an
    /// unusable JSON answer, up to `maxOutputAttempts` times. Returns the answer trimmed.
    ///
    /// Small models sometimes stop at once; accepting that would leave a hole in the parent's answer.
    mutating func textCall(purpose: String, messages: [ChatMessage]) async throws -> String {
        var conversation = messages
        let attempts = max(1, engine.configuration.maxOutputAttempts)
        for attempt in 1...attempts {
            let answer = try await call(purpose: purpose, messages: conversation).trimmedWhitespace
            if !answer.isEmpty { return answer }
            await state.outputRetry(nodeID: nodeID, purpose: purpose, reason: "the answer was empty")
            guard attempt < attempts else { break }
            conversation =
                messages + [
                    .assistant(""),
                    .user("\(Self.retryPrefix) it was empty. Answer the current task now, in Markdown."),
                ]
        }
        throw EngineError(
            code: .invalidOutput,
            message: "the model's \(purpose) answer was empty after \(attempts) attempt\(attempts == 1 ? "" : "s")", nodeID: nodeID)
    }

    /// How every request to answer again begins (reports count these calls as output retries).
    static let retryPrefix = "That answer could not be used:"

    /// A call whose answer must be JSON that `parse` accepts; unusable answers are sent back with the error.
    mutating func structuredCall<T>(
        purpose: String, messages: [ChatMessage], schema: ResponseSchema,
        parse: (JSONValue) throws(StructuredOutput.Failure) -> T
    ) async throws -> T {
        var conversation = messages
        var lastFailure = ""
        // At least one attempt: `1...0` would trap on a configuration of 0.
        let attempts = max(1, engine.configuration.maxOutputAttempts)
        for attempt in 1...attempts {
            let response = try await respond(purpose: purpose, messages: conversation, schema: schema)
            let answer = response.content
            do throws(StructuredOutput.Failure) {
                return try parse(try StructuredOutput.extractJSON(answer))
            } catch {
                // A small model may run on inside a string until the token limit: say so, or the
                // model only hears that its JSON was invalid and runs on again.
                lastFailure =
                    response.finishReason == "length"
                    ? "it was cut off at the limit of \(request.maxTokens) tokens before the JSON was complete (\(error.message)); keep every value short"
                    : error.message
                await state.outputRetry(nodeID: nodeID, purpose: purpose, reason: lastFailure)
                guard attempt < attempts else { break }
                conversation =
                    messages + [
                        .assistant(answer),
                        .user("\(Self.retryPrefix) \(lastFailure). Answer again with only the JSON object, following the format exactly."),
                    ]
            }
        }
        throw EngineError(
            code: .invalidOutput,
            message: "the model's \(purpose) answer was unusable after \(attempts) attempt\(attempts == 1 ? "" : "s"): \(lastFailure)",
            nodeID: nodeID)
    }
}

extension Duration {
    /// The duration in seconds.
    public var seconds: Double {
        let (s, atto) = components
        return Double(s) + Double(atto) / 1e18
    }
}

extension Date {
    var roundedToMilliseconds: Date { Date(timeIntervalSince1970: (timeIntervalSince1970 * 1000).rounded() / 1000) }
}
