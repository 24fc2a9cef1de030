/// The body of `GET /executions/{id}/status`.
public struct ExecutionStatusResponse: Sendable, Hashable, Codable {
    public var executionId: String
    public var status: ExecutionStatus
    /// 0–100.
    public var progress: Int
    public var currentStep: String?
    public var result: String?
    public var error: APIError?
    public var metadata: ExecutionMetadata?
    public var updatedAt: String
    public var completedAt: String?
    public var failedAt: String?
    public var cancelledAt: String?

    /// Creates a status.
    public init(
        executionId: String, status: ExecutionStatus, progress: Int, currentStep: String? = nil, result: String? = nil,
        error: APIError? = nil, metadata: ExecutionMetadata? = nil, updatedAt: String, completedAt: String? = nil,
        failedAt: String? = nil, cancelledAt: String? = nil
    ) {
        self.executionId = executionId
        self.status = status
        self.progress = progress
        self.currentStep = currentStep
        self.result = result
        self.error = error
        self.metadata = metadata
        self.updatedAt = updatedAt
        self.completedAt = completedAt
        self.failedAt = failedAt
        self.cancelledAt = cancelledAt
    }

    enum CodingKeys: String, CodingKey {
        case status, progress, result, error, metadata
        case executionId = "execution_id"
        case currentStep = "current_step"
        case updatedAt = "updated_at"
        case completedAt = "completed_at"
        case failedAt = "failed_at"
        case cancelledAt = "cancelled_at"
    }
}

/// The body of `POST /executions` (202) and the items of `GET /executions`.
public struct ExecutionSummary: Sendable, Hashable, Codable {
    public var executionId: String
    public var status: ExecutionStatus
    public var initialGoal: String
    public var configProfile: ConfigProfile
    public var maxDepth: Int
    public var createdAt: String
    public var updatedAt: String

    /// Creates a summary.
    public init(
        executionId: String, status: ExecutionStatus, initialGoal: String, configProfile: ConfigProfile, maxDepth: Int,
        createdAt: String, updatedAt: String
    ) {
        self.executionId = executionId
        self.status = status
        self.initialGoal = initialGoal
        self.configProfile = configProfile
        self.maxDepth = maxDepth
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    enum CodingKeys: String, CodingKey {
        case status
        case executionId = "execution_id"
        case initialGoal = "initial_goal"
        case configProfile = "config_profile"
        case maxDepth = "max_depth"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }
}
