import ROMACore
import ROMAEngine

extension ExecutionOutcome {
    /// What the store keeps of an engine record.
    init(record: ExecutionRecord) {
        let details = record.details
        let lines = record.calls.compactMap { try? CanonicalJSON.encodeLine($0) }.map { String(decoding: $0, as: UTF8.self) }
        self.init(
            status: record.status, result: record.result,
            error: record.status == .cancelled
                ? APIError(code: "cancelled", message: "The execution was cancelled")
                : details.error,
            dag: record.dag,
            metrics: ExecutionMetadata(
                executionTime: details.metadata.executionTime, tokensUsed: details.metadata.tokensUsed,
                agentCalls: details.metadata.agentCalls),
            callsJSONL: lines.isEmpty ? "" : lines.joined(separator: "\n") + "\n")
    }
}
