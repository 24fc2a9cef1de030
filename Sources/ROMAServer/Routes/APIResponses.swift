import ROMACore

/// One row of `GET /executions`.
struct ExecutionListItem: Sendable, Hashable, Encodable {
    var executionId: String
    var status: ExecutionStatus
    var initialGoal: String
    var configProfile: ConfigProfile
    var maxDepth: Int
    var createdAt: String
    var updatedAt: String
    var completedAt: String?
    var failedAt: String?
    var cancelledAt: String?

    enum CodingKeys: String, CodingKey {
        case status
        case executionId = "execution_id"
        case initialGoal = "initial_goal"
        case configProfile = "config_profile"
        case maxDepth = "max_depth"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
        case completedAt = "completed_at"
        case failedAt = "failed_at"
        case cancelledAt = "cancelled_at"
    }
}

/// The body of `GET /executions`.
struct ExecutionPage: Sendable, Hashable, Encodable {
    var data: [ExecutionListItem]
    var pagination: Pagination
}

/// Paging figures of a list.
struct Pagination: Sendable, Hashable, Encodable {
    var total: Int
    var limit: Int
    var offset: Int
    var hasMore: Bool

    enum CodingKeys: String, CodingKey {
        case total, limit, offset
        case hasMore = "has_more"
    }
}

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
