import Foundation
import ROMACore

/// Answers calls from a goal's recorded `calls.jsonl`, falling back to a live model as the mode allows.
public struct ReplayModel: LanguageModel {
    /// The mode.
    public var mode: RecordingMode
    /// The live model (unused in `.offline` mode, where it may be nil).
    public var live: (any LanguageModel)?
    /// Recorded calls by key.
    public var recordings: [String: CallRecord]
    /// The provider name calls are keyed with.
    public let providerName: String

    /// Creates a replaying model over a goal's recorded calls.
    public init(mode: RecordingMode, live: (any LanguageModel)?, providerName: String, recordings: [CallRecord]) {
        self.mode = mode
        self.live = live
        self.providerName = providerName
        var byKey: [String: CallRecord] = [:]
        for record in recordings where byKey[record.key] == nil { byKey[record.key] = record }
        self.recordings = byKey
    }

    public func complete(_ request: ChatRequest, context: CallContext) async throws -> ChatResponse {
        if mode != .record {
            let key = context.recordingKey ?? CallRecord.key(provider: providerName, request: request, sample: context.sampleIndex)
            if let hit = recordings[key] {
                try Task.checkCancellation()
                return ChatResponse(
                    content: hit.response, usage: hit.usage, finishReason: hit.finishReason,
                    startedAt: Timestamp.date(hit.startedAt), finishedAt: Timestamp.date(hit.finishedAt), replayed: true)
            }
            if mode == .offline {
                throw LLMError(
                    code: .recordingMiss,
                    message: "no recorded answer for goal '\(context.goalID)', node \(context.nodeID), \(context.purpose) call (key \(key.prefix(12))); --offline never calls the provider: re-run with --replay or --record")
            }
        }
        guard let live else {
            throw LLMError(code: .recordingMiss, message: "no live model to call for goal '\(context.goalID)', node \(context.nodeID)")
        }
        return try await live.complete(request, context: context)
    }
}
