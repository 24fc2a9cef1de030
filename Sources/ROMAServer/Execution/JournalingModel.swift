import Foundation
import ROMACore
import ROMAEngine

/// Wraps the live model of one execution: every call it answers is appended to the
/// execution's journal in the store (a `calls.jsonl` line) before the engine sees the answer, so
/// a replica that takes the execution over replays it instead of paying for it again (issue 16).
struct JournalingModel: LanguageModel {
    let base: any LanguageModel
    let executionID: String
    let owner: String
    let store: any ExecutionStore
    let sequences: NodeSequences

    var providerName: String { base.providerName }

    func complete(_ request: ChatRequest, context: CallContext) async throws -> ChatResponse {
        let started = Date()
        let response = try await base.complete(request, context: context)
        let finished = Date()
        let key = context.recordingKey ?? CallRecord.key(provider: providerName, request: request, sample: context.sampleIndex)
        // Millisecond precision, the precision of `calls.jsonl`.
        let begin = Self.milliseconds(response.startedAt ?? started)
        let end = Self.milliseconds(response.finishedAt ?? finished)
        let record = CallRecord(
            key: key, nodeID: context.nodeID, sequence: await sequences.next(context.nodeID), purpose: context.purpose,
            provider: providerName, sample: context.sampleIndex, request: request, response: response.content,
            finishReason: response.finishReason, usage: response.usage,
            latencyMs: Int((end.timeIntervalSince(begin) * 1000).rounded()), startedAt: Timestamp.string(begin),
            finishedAt: Timestamp.string(end), toolCalls: response.toolCalls)
        let line = String(decoding: try CanonicalJSON.encodeLine(record), as: UTF8.self)
        // A call that was answered (and paid for) is journaled even if the engine is being
        // stopped meanwhile: the write runs outside the caller's cancellation.
        let (store, executionID, owner) = (store, executionID, owner)
        try await Task { try await store.appendCall(executionID: executionID, owner: owner, line: line) }.value
        return response
    }

    private static func milliseconds(_ date: Date) -> Date {
        Date(timeIntervalSince1970: (date.timeIntervalSince1970 * 1000).rounded() / 1000)
    }

    /// The model an execution runs on: answers from its journal first, then from `base`,
    /// journaling each new answer.
    static func replaying(
        _ base: any LanguageModel, journal: [String], executionID: String, owner: String, store: any ExecutionStore
    ) -> any LanguageModel {
        let journaling = JournalingModel(base: base, executionID: executionID, owner: owner, store: store, sequences: NodeSequences())
        let answers = journal.compactMap { RecordedAnswer(line: Array($0.utf8)) }
        return ReplayModel(mode: .replay, live: journaling, providerName: base.providerName, recordings: answers)
    }
}

/// The next call number of each node (a node's calls are sequential).
actor NodeSequences {
    private var counts: [String: Int] = [:]

    func next(_ nodeID: String) -> Int {
        defer { counts[nodeID, default: 0] += 1 }
        return counts[nodeID, default: 0]
    }
}
