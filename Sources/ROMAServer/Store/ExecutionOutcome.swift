import ROMACore

/// What the engine produced, as the store records it.
public struct ExecutionOutcome: Sendable, Hashable {
    /// Final status (`completed`, `failed` or `cancelled`).
    public var status: ExecutionStatus
    public var result: String?
    public var error: APIError?
    public var dag: DAG
    public var metrics: ExecutionMetadata
    /// The calls as JSON Lines (kept for audits and future replay; never served).
    public var callsJSONL: String

    /// Creates an outcome.
    public init(status: ExecutionStatus, result: String?, error: APIError?, dag: DAG, metrics: ExecutionMetadata, callsJSONL: String) {
        self.status = status
        self.result = result
        self.error = error
        self.dag = dag
        self.metrics = metrics
        self.callsJSONL = callsJSONL
    }
}
