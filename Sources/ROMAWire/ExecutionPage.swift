/// The body of `GET /api/v1/executions`: one page of executions and its paging figures.
public struct ExecutionPage: Sendable, Hashable, Codable {
    public var data: [ExecutionListItem]
    public var pagination: Pagination

    /// Creates a page.
    public init(data: [ExecutionListItem], pagination: Pagination) {
        self.data = data
        self.pagination = pagination
    }
}

/// Paging figures of a list.
public struct Pagination: Sendable, Hashable, Codable {
    /// Executions matching the filters, over all pages.
    public var total: Int
    public var limit: Int
    public var offset: Int
    /// Whether executions follow this page.
    public var hasMore: Bool

    /// Creates figures.
    public init(total: Int, limit: Int, offset: Int, hasMore: Bool) {
        self.total = total
        self.limit = limit
        self.offset = offset
        self.hasMore = hasMore
    }

    enum CodingKeys: String, CodingKey {
        case total, limit, offset
        case hasMore = "has_more"
    }
}

/// One row of `GET /api/v1/executions`: the summary plus the terminal timestamp of its status.
public struct ExecutionListItem: Sendable, Hashable, Codable {
    public var executionId: String
    public var status: ExecutionStatus
    public var initialGoal: String
    public var configProfile: ConfigProfile
    public var maxDepth: Int
    public var createdAt: String
    public var updatedAt: String
    public var completedAt: String?
    public var failedAt: String?
    public var cancelledAt: String?

    /// Creates a row.
    public init(
        executionId: String, status: ExecutionStatus, initialGoal: String, configProfile: ConfigProfile, maxDepth: Int,
        createdAt: String, updatedAt: String, completedAt: String? = nil, failedAt: String? = nil, cancelledAt: String? = nil
    ) {
        self.executionId = executionId
        self.status = status
        self.initialGoal = initialGoal
        self.configProfile = configProfile
        self.maxDepth = maxDepth
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.completedAt = completedAt
        self.failedAt = failedAt
        self.cancelledAt = cancelledAt
    }

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

/// The body of `POST /api/v1/executions/{id}/cancel`.
public struct CancelResponse: Sendable, Hashable, Codable {
    public var executionId: String
    public var status: ExecutionStatus
    public var cancelledAt: String

    /// Creates a response.
    public init(executionId: String, status: ExecutionStatus, cancelledAt: String) {
        self.executionId = executionId
        self.status = status
        self.cancelledAt = cancelledAt
    }

    enum CodingKeys: String, CodingKey {
        case status
        case executionId = "execution_id"
        case cancelledAt = "cancelled_at"
    }
}
