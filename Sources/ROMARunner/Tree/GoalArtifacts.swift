import Foundation
import ROMACore
import ROMAEngine

/// The files of one goal folder, built from an execution.
public enum GoalArtifacts {
    /// Every file of the folder, canonical bytes (`execution.json` and `dag.json` from the
    /// hand-written writer, byte-identical to `CanonicalJSON.encode`).
    ///
    /// `requestBytes`, when given, is `request.json` already encoded (the runner has it).
    public static func files(
        request: ResolvedRequest, details: ExecutionDetails, calls: [CallRecord]?, toolCalls: [ToolCallRecord] = [],
        tools: [ToolDefinition] = [], requestBytes: Data? = nil
    ) throws -> [String: Data] {
        var files: [String: Data] = [
            ResultsTree.File.request: try requestBytes ?? CanonicalJSON.pretty(request.publicView),
            ResultsTree.File.execution: try CanonicalJSON.pretty(details),
            ResultsTree.File.dag: try CanonicalJSON.pretty(
                DAGResponse(executionId: details.executionId, dag: details.dag ?? DAG(nodes: [], edges: []))),
            ResultsTree.File.mermaid: Data(MermaidRenderer.render(details.dag ?? DAG(nodes: [], edges: [])).utf8),
            ResultsTree.File.result: Data(resultMarkdown(request: request, details: details).utf8),
        ]
        if let calls {
            files[ResultsTree.File.calls] = Data(callLines(calls, toolCalls: toolCalls, tools: tools))
        }
        return files
    }

    /// `result.md`: the answer, or what went wrong.
    static func resultMarkdown(request: ResolvedRequest, details: ExecutionDetails) -> String {
        var text = "# \(MermaidRenderer.shorten(request.goal, 120))\n\n"
        text +=
            "_Status: \(details.status.rawValue) · profile \(request.configProfile.rawValue) · model \(request.model) · max depth \(request.maxDepth) · \(details.metadata.tokensUsed ?? 0) tokens · execution \(details.executionId)_\n\n"
        switch details.status {
        case .completed:
            text += (details.result ?? "") + "\n"
            text += sourcesMarkdown(details.dag)
        default:
            text += "**The execution \(details.status.rawValue).**\n\n"
            if let error = details.error { text += "> \(error.message)\n" }
        }
        return text
    }

    /// Reads the recorded calls of a goal folder, whole (requests included).
    public static func readCalls(_ data: Data?) -> [CallRecord] {
        guard let data else { return [] }
        let decoder = JSONDecoder()
        return lines(data).compactMap { try? decoder.decode(CallRecord.self, from: $0) }
    }

    /// Reads the answers of a goal folder's recorded calls: all a replay needs, several times
    /// faster than `readCalls` because the requests are skipped.
    public static func readAnswers(_ data: Data?) -> [RecordedAnswer] {
        guard let data else { return [] }
        return lines(data).compactMap { RecordedAnswer(line: $0) }
    }

    /// The non-empty lines of a JSON Lines file.
    static func lines(_ data: Data) -> [Data] {
        data.withUnsafeBytes { (buffer: UnsafeRawBufferPointer) -> [Data] in
            guard let base = buffer.baseAddress else { return [] }
            var lines: [Data] = []
            var start = 0
            while start < buffer.count {
                let rest = buffer.count - start
                let end =
                    memchr(base + start, Int32(UInt8(ascii: "\n")), rest).map { base.distance(to: UnsafeRawPointer($0)) } ?? buffer.count
                if end > start { lines.append(Data(buffer[start..<end])) }
                start = end + 1
            }
            return lines
        }
    }
}

extension ResolvedRequest {
    /// The request as written to `request.json`: metadata secrets (webhook tokens) removed.
    public var publicView: ResolvedRequest {
        var copy = self
        copy.metadata = ExecutionMetadata.publicMetadata(metadata)
        return copy
    }
}
