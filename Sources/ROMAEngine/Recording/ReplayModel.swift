import Foundation
import ROMACore

/// Answers calls from a goal's recorded `calls.jsonl`, falling back to a live model as the mode allows.
public struct ReplayModel: LanguageModel {
    /// The mode.
    public var mode: RecordingMode
    /// The live model (unused in `.offline` mode, where it may be nil).
    public var live: (any LanguageModel)?
    /// Recorded answers by key.
    public var recordings: [String: RecordedAnswer]
    /// The provider name calls are keyed with.
    public let providerName: String

    /// Creates a replaying model over a goal's recorded calls.
    public init(mode: RecordingMode, live: (any LanguageModel)?, providerName: String, recordings: [RecordedAnswer]) {
        self.mode = mode
        self.live = live
        self.providerName = providerName
        var byKey: [String: RecordedAnswer] = [:]
        for record in recordings where byKey[record.key] == nil { byKey[record.key] = record }
        self.recordings = byKey
    }

    /// Creates a replaying model over whole recorded calls.
    public init(mode: RecordingMode, live: (any LanguageModel)?, providerName: String, recordings: [CallRecord]) {
        self.init(mode: mode, live: live, providerName: providerName, recordings: recordings.map(RecordedAnswer.init))
    }

    public func complete(_ request: ChatRequest, context: CallContext) async throws -> ChatResponse {
        if mode != .record {
            let key = context.recordingKey ?? CallRecord.key(provider: providerName, request: request, sample: context.sampleIndex)
            if let hit = recordings[key] {
                try Task.checkCancellation()
                return ChatResponse(
                    content: hit.response, usage: hit.usage, finishReason: hit.finishReason,
                    startedAt: Timestamp.date(hit.startedAt), finishedAt: Timestamp.date(hit.finishedAt), replayed: true,
                    toolCalls: hit.toolCalls)
            }
            if mode == .offline, request.tools != nil {
                // The recording may have been made with the constrained turn (the endpoint had no
                // native function calling): let the engine ask that way, as it did then.
                throw LLMError(code: .toolsUnsupported, message: "no recorded native tool call; trying the constrained turn")
            }
            if mode == .offline {
                throw LLMError(
                    code: .recordingMiss,
                    message:
                        "no recorded answer for goal '\(context.goalID)', node \(context.nodeID), \(context.purpose) call (key \(key.prefix(12))); --offline never calls the provider: re-run with --replay or --record"
                )
            }
        }
        guard let live else {
            throw LLMError(code: .recordingMiss, message: "no live model to call for goal '\(context.goalID)', node \(context.nodeID)")
        }
        return try await live.complete(request, context: context)
    }
}

/// The answer half of a recorded call: what a replay returns. Reading it from `calls.jsonl`
/// skips the request, which the engine rebuilds (and hashes) itself.
public struct RecordedAnswer: Sendable, Hashable {
    public var key: String
    public var response: String
    public var finishReason: String?
    public var usage: TokenUsage
    public var startedAt: String
    public var finishedAt: String
    public var toolCalls: [ToolCall]?

    /// The answer of a whole record.
    public init(_ record: CallRecord) {
        key = record.key
        response = record.response
        finishReason = record.finishReason
        usage = record.usage
        startedAt = record.startedAt
        finishedAt = record.finishedAt
        toolCalls = record.toolCalls
    }

    /// Reads the answer out of one line of `calls.jsonl`, skipping the request; nil if the line
    /// is not a call record.
    public init?(line: some Collection<UInt8>) {
        guard let fields = try? JSONParser.parseObject(line, keeping: Self.fields),
            let key = fields["key"]?.stringValue, let response = fields["response"]?.stringValue,
            let startedAt = fields["started_at"]?.stringValue, let finishedAt = fields["finished_at"]?.stringValue
        else { return nil }
        self.key = key
        self.response = response
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        finishReason = fields["finish_reason"]?.stringValue
        let usage = fields["usage"]
        self.usage = TokenUsage(
            promptTokens: usage?["prompt_tokens"]?.intValue ?? 0, completionTokens: usage?["completion_tokens"]?.intValue ?? 0)
        toolCalls = fields["tool_calls"]?.arrayValue?.compactMap { call in
            guard let id = call["id"]?.stringValue, let name = call["name"]?.stringValue,
                let arguments = call["arguments"]?.stringValue
            else { return nil }
            return ToolCall(id: id, name: name, arguments: arguments)
        }
    }

    private static let fields: Set<String> = ["key", "response", "finish_reason", "usage", "started_at", "finished_at", "tool_calls"]
}
