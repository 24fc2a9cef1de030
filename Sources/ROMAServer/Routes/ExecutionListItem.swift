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
