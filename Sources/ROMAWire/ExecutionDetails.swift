/// The body of `GET /executions/{id}` (and of `execution.json` in the results tree).
public struct ExecutionDetails: Sendable, Hashable, Codable {
    public var executionId: String
    public var status: ExecutionStatus
    public var initialGoal: String
    public var result: String?
    public var configProfile: ConfigProfile
    public var maxDepth: Int
    public var dag: DAG?
    public var metadata: ExecutionMetadata
    public var error: APIError?
    public var createdAt: String
    public var updatedAt: String
    public var completedAt: String?
    public var failedAt: String?
    public var cancelledAt: String?

    /// Creates details.
    public init(
        executionId: String, status: ExecutionStatus, initialGoal: String, result: String?,
        configProfile: ConfigProfile, maxDepth: Int, dag: DAG?, metadata: ExecutionMetadata, error: APIError? = nil,
        createdAt: String, updatedAt: String, completedAt: String? = nil, failedAt: String? = nil,
        cancelledAt: String? = nil
    ) {
        self.executionId = executionId
        self.status = status
        self.initialGoal = initialGoal
        self.result = result
        self.configProfile = configProfile
        self.maxDepth = maxDepth
        self.dag = dag
        self.metadata = metadata
        self.error = error
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.completedAt = completedAt
        self.failedAt = failedAt
        self.cancelledAt = cancelledAt
    }

    enum CodingKeys: String, CodingKey {
        case status, result, dag, metadata, error
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

/// Execution metadata: time, tokens, calls, and the user's own metadata.
public struct ExecutionMetadata: Sendable, Hashable, Codable {
    /// Seconds from the first LLM call to the end.
    public var executionTime: Double?
    /// Tokens used by every call.
    public var tokensUsed: Int?
    /// LLM calls made.
    public var agentCalls: Int?
    /// The request's metadata (secrets such as `webhook_token` removed).
    public var userMetadata: [String: String]?
    /// What every call cost (`null` when a model has no price); nil when not reported.
    public var costUSD: CostUSD?
    /// The models, sorted, whose calls had no price: why `costUSD` is unknown, written where the
    /// cost is, so a summary rebuilt from the folder names them. Nil when every call had one.
    public var unpricedModels: [String]?

    /// Creates metadata.
    public init(
        executionTime: Double? = nil, tokensUsed: Int? = nil, agentCalls: Int? = nil, userMetadata: [String: String]? = nil,
        costUSD: CostUSD? = nil, unpricedModels: [String]? = nil
    ) {
        self.costUSD = costUSD
        self.unpricedModels = unpricedModels
        self.executionTime = executionTime
        self.tokensUsed = tokensUsed
        self.agentCalls = agentCalls
        self.userMetadata = userMetadata
    }

    /// Decodes metadata; `cost_usd: null` stays unknown (see `decodeCost(forKey:)`).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            executionTime: try c.decodeIfPresent(Double.self, forKey: .executionTime),
            tokensUsed: try c.decodeIfPresent(Int.self, forKey: .tokensUsed),
            agentCalls: try c.decodeIfPresent(Int.self, forKey: .agentCalls),
            userMetadata: try c.decodeIfPresent([String: String].self, forKey: .userMetadata), costUSD: try c.decodeCost(forKey: .costUSD),
            unpricedModels: try c.decodeIfPresent([String].self, forKey: .unpricedModels))
    }

    enum CodingKeys: String, CodingKey {
        case executionTime = "execution_time"
        case tokensUsed = "tokens_used"
        case agentCalls = "agent_calls"
        case userMetadata = "user_metadata"
        case costUSD = "cost_usd"
        case unpricedModels = "unpriced_models"
    }

    /// Metadata keys that are secrets and never leave the process (not in files, not in responses).
    public static let secretKeys: Set<String> = ["webhook_token"]

    /// The user's metadata without secret keys.
    public static func publicMetadata(_ metadata: [String: String]) -> [String: String] {
        metadata.filter { !secretKeys.contains($0.key) }
    }
}

/// The API's error object.
public struct APIError: Sendable, Hashable, Codable, Error {
    public var code: String
    public var message: String
    public var details: JSONValue?

    /// Creates an error object.
    public init(code: String, message: String, details: JSONValue? = nil) {
        self.code = code
        self.message = message
        self.details = details
    }
}

/// The API's error envelope: `{"error": {...}, "request_id": "..."}`.
public struct APIErrorEnvelope: Sendable, Hashable, Codable {
    public var error: APIError
    public var requestId: String?

    /// Creates an envelope.
    public init(error: APIError, requestId: String?) {
        self.error = error
        self.requestId = requestId
    }

    enum CodingKeys: String, CodingKey {
        case error
        case requestId = "request_id"
    }
}
