import Foundation
import ROMACore
import ROMAEngine

/// Wraps the live model of one execution: every call it answers is appended to the
/// execution's journal in the store (a `calls.jsonl` line) before the engine sees the answer, so
/// a replica that takes the execution over replays it instead of paying for it again (issue 16).
///
/// The line goes to the execution's journal writer (`ExecutionRunner`), a task that is not
/// cancelled with the engine, and the call waits until it is written.
struct JournalingModel: LanguageModel {
    let base: any LanguageModel
    let queue: JournalQueue
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
        // stopped meanwhile: the writer runs outside the caller's cancellation.
        try await withCheckedThrowingContinuation { (written: CheckedContinuation<Void, any Error>) in
            queue.append(JournalEntry(line: line, written: written))
        }
        return response
    }

    private static func milliseconds(_ date: Date) -> Date {
        Date(timeIntervalSince1970: (date.timeIntervalSince1970 * 1000).rounded() / 1000)
    }

    /// The model an execution runs on: answers from its journal first, then from `base`,
    /// journaling each new answer.
    static func replaying(
        _ base: any LanguageModel, journal: [String], queue: JournalQueue
    ) -> any LanguageModel {
        let journaling = JournalingModel(base: base, queue: queue, sequences: NodeSequences())
        let answers = journal.compactMap { RecordedAnswer(line: Array($0.utf8)) }
        return ReplayModel(mode: .replay, live: journaling, providerName: base.providerName, recordings: answers)
    }
}

/// A journal line on its way to the store, and the call that waits for it to be written.
struct JournalEntry: Sendable {
    let line: String
    let written: CheckedContinuation<Void, any Error>
}

/// The next call number of each node (a node's calls are sequential).
actor NodeSequences {
    private var counts: [String: Int] = [:]

    func next(_ nodeID: String) -> Int {
        defer { counts[nodeID, default: 0] += 1 }
        return counts[nodeID, default: 0]
    }
}
