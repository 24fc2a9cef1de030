import ROMACore

/// The body of `POST /executions/{id}/cancel`.
struct CancelResponse: Sendable, Hashable, Encodable {
    var executionId: String
    var status: ExecutionStatus
    var cancelledAt: String

    enum CodingKeys: String, CodingKey {
        case status
        case executionId = "execution_id"
        case cancelledAt = "cancelled_at"
    }
}
