/// A request to run one goal: the body of `POST /api/v1/executions`.
public struct ExecutionRequest: Sendable, Hashable, Codable {
    /// The task description (1–10,000 characters, not blank).
    public var goal: String
    /// Decomposition depth 1–10; `nil` means the profile's default.
    public var maxDepth: Int?
    /// The configuration preset; `nil` means `general`.
    public var configProfile: ConfigProfile?
    /// Per-request overrides of the profile.
    public var configOverrides: ConfigOverrides
    /// Free-form string pairs (at most 10; keys 1–50, values 1–500 characters).
    public var metadata: [String: String]

    /// Creates a request.
    public init(
        goal: String, maxDepth: Int? = nil, configProfile: ConfigProfile? = nil,
        configOverrides: ConfigOverrides = ConfigOverrides(), metadata: [String: String] = [:]
    ) {
        self.goal = goal
        self.maxDepth = maxDepth
        self.configProfile = configProfile
        self.configOverrides = configOverrides
        self.metadata = metadata
    }

    enum CodingKeys: String, CodingKey {
        case goal, metadata
        case maxDepth = "max_depth"
        case configProfile = "config_profile"
        case configOverrides = "config_overrides"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        goal = try c.decode(String.self, forKey: .goal)
        maxDepth = try c.decodeIfPresent(Int.self, forKey: .maxDepth)
        configProfile = try c.decodeIfPresent(ConfigProfile.self, forKey: .configProfile)
        configOverrides = try c.decodeIfPresent(ConfigOverrides.self, forKey: .configOverrides) ?? ConfigOverrides()
        metadata = try c.decodeIfPresent([String: String].self, forKey: .metadata) ?? [:]
    }

    /// The profile in force (`general` when none was given).
    public var profile: ConfigProfile { configProfile ?? .general }
}

/// Overrides of a profile's settings; only these three keys exist.
public struct ConfigOverrides: Sendable, Hashable, Codable {
    /// Sampling temperature, 0.0–1.0.
    public var temperature: Double?
    /// Completion token limit per call, 100–16,000.
    public var maxTokens: Int?
    /// The model name to use instead of the profile's.
    public var model: String?

    /// Creates overrides.
    public init(temperature: Double? = nil, maxTokens: Int? = nil, model: String? = nil) {
        self.temperature = temperature
        self.maxTokens = maxTokens
        self.model = model
    }

    enum CodingKeys: String, CodingKey {
        case temperature, model
        case maxTokens = "max_tokens"
    }

    /// These overrides with `other`'s keys taking precedence where set.
    public func merging(_ other: ConfigOverrides) -> ConfigOverrides {
        ConfigOverrides(
            temperature: other.temperature ?? temperature, maxTokens: other.maxTokens ?? maxTokens,
            model: other.model ?? model)
    }

    /// Whether no key is set.
    public var isEmpty: Bool { temperature == nil && maxTokens == nil && model == nil }
}
