/// One of the four configuration presets of the ROMA API.
public enum ConfigProfile: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    case general
    case highQuality = "high_quality"
    case fast
    case cryptoAgent = "crypto_agent"

    /// The preset the hosted API documents for this profile.
    public var preset: ProfilePreset {
        switch self {
        case .general: ProfilePreset(model: "claude-3.5-sonnet", temperature: 0.7, maxTokens: 4000, maxDepth: 3)
        case .highQuality: ProfilePreset(model: "claude-3.5-sonnet", temperature: 0.6, maxTokens: 8000, maxDepth: 5)
        case .fast: ProfilePreset(model: "claude-3.5-haiku", temperature: 0.8, maxTokens: 2000, maxDepth: 2)
        case .cryptoAgent: ProfilePreset(model: "claude-3.5-sonnet", temperature: 0.5, maxTokens: 6000, maxDepth: 4)
        }
    }

    /// The profile names, in the documented order.
    public static var names: [String] { allCases.map(\.rawValue) }

    public static func < (lhs: ConfigProfile, rhs: ConfigProfile) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// The settings a profile stands for.
public struct ProfilePreset: Sendable, Hashable, Codable {
    /// The model name the hosted API uses.
    public var model: String
    /// Sampling temperature.
    public var temperature: Double
    /// Completion token limit per call.
    public var maxTokens: Int
    /// Default decomposition depth.
    public var maxDepth: Int

    /// Creates a preset.
    public init(model: String, temperature: Double, maxTokens: Int, maxDepth: Int) {
        self.model = model
        self.temperature = temperature
        self.maxTokens = maxTokens
        self.maxDepth = maxDepth
    }

    enum CodingKeys: String, CodingKey {
        case model, temperature
        case maxTokens = "max_tokens"
        case maxDepth = "max_depth"
    }
}
