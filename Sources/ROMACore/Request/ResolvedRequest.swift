import Foundation

/// A request after defaults and profile resolution: what a goal will actually run with.
///
/// Its canonical JSON is `request.json` in the results tree, and its hash decides whether a
/// goal's existing result is still current.
public struct ResolvedRequest: Sendable, Hashable, Codable {
    /// The goal's id.
    public var id: String
    /// The request as given (defaults merged).
    public var goal: String
    /// The resolved depth limit.
    public var maxDepth: Int
    /// The resolved profile.
    public var configProfile: ConfigProfile
    /// The overrides as given.
    public var configOverrides: ConfigOverrides
    /// The user's metadata.
    public var metadata: [String: String]
    /// The model the provider is asked for.
    public var model: String
    /// The sampling temperature in force.
    public var temperature: Double
    /// The completion token limit in force.
    public var maxTokens: Int
    /// The tools the goal's executors may call (`server` or `server.tool`); nil for none, so a
    /// request without tools hashes as it did before tools existed.
    public var tools: [String]?
    /// Tasks shallower than this are planned without asking the atomizer; nil for none.
    public var minDepth: Int?
    /// Agents that run on a model other than `model` (by agent name); nil for none, so a request
    /// without them hashes as it did before they existed.
    public var agentModels: [String: String]?

    enum CodingKeys: String, CodingKey {
        case id, goal, metadata, model, temperature, tools
        case agentModels = "agent_models"
        case minDepth = "min_depth"
        case maxDepth = "max_depth"
        case configProfile = "config_profile"
        case configOverrides = "config_overrides"
        case maxTokens = "max_tokens"
    }

    /// Resolves a request against a profile table.
    ///
    /// - Parameters:
    ///   - tools: the goal's allow list; the profile's toolset (`profiles.tools`) is added to it.
    ///   - minDepth: the depth before which tasks are always planned (clamped to the depth limit).
    public init(id: String, request: ExecutionRequest, profiles: ProfileTable, tools: [String]? = nil, minDepth: Int? = nil) {
        let profile = request.profile
        let preset = profile.preset
        self.id = id
        self.goal = request.goal
        self.maxDepth = request.maxDepth ?? preset.maxDepth
        self.configProfile = profile
        self.configOverrides = request.configOverrides
        self.metadata = request.metadata
        self.model = request.configOverrides.model ?? profiles.model(for: profile)
        self.temperature = request.configOverrides.temperature ?? preset.temperature
        self.maxTokens = request.configOverrides.maxTokens ?? preset.maxTokens
        var allowed = tools ?? []
        for tool in profiles.tools[profile] ?? [] where !allowed.contains(tool) { allowed.append(tool) }
        self.tools = allowed.isEmpty ? nil : allowed
        self.minDepth = minDepth.flatMap { $0 > 0 ? min($0, maxDepth) : nil }
        // A goal's own `config_overrides.model` runs every agent on that model (a matrix over
        // models compares whole runs); otherwise the profile's per-agent models apply.
        var agents: [String: String] = [:]
        if request.configOverrides.model == nil {
            for (agent, name) in profiles.agents[profile] ?? [:] where name != model { agents[agent.rawValue] = name }
        }
        self.agentModels = agents.isEmpty ? nil : agents
    }

    /// The model an agent's calls go to.
    public func model(for agent: Agent?) -> String {
        agent.flatMap { agentModels?[$0.rawValue] } ?? model
    }

    /// Every model the request may call: its own and its agents'.
    public var models: Set<String> { Set([model] + (agentModels.map { Array($0.values) } ?? [])) }

    /// The request as the API takes it (for remote mode).
    public var apiRequest: ExecutionRequest {
        ExecutionRequest(
            goal: goal, maxDepth: maxDepth, configProfile: configProfile, configOverrides: configOverrides,
            metadata: metadata)
    }

    /// The SHA-256 of the canonical JSON: changes whenever anything that shapes the run changes.
    public var contentHash: String {
        let data = (try? CanonicalJSON.pretty(self)) ?? Data()
        return SHA256.hex(bytes: data)
    }
}

/// Which model each profile runs on, for the provider at hand.
public struct ProfileTable: Sendable, Hashable {
    /// Explicit models per profile.
    public var models: [ConfigProfile: String]
    /// The model for profiles without an explicit entry (`nil`: the preset's name).
    public var fallback: String?
    /// Toolsets profiles bring (`profiles: {crypto_agent: {tools: [prices]}}`).
    public var tools: [ConfigProfile: [String]]
    /// Per-agent models of profiles (`profiles: {general: {planner: gpt-4o}}`).
    public var agents: [ConfigProfile: [Agent: String]] = [:]

    /// Creates a table.
    public init(models: [ConfigProfile: String] = [:], fallback: String? = nil, tools: [ConfigProfile: [String]] = [:]) {
        self.models = models
        self.fallback = fallback
        self.tools = tools
    }

    /// Builds the table: manifest `profiles:` first, then `ROMA_MODEL_<PROFILE>`, then `ROMA_MODEL`,
    /// then the hosted API's preset names.
    public static func resolve(manifest: [ConfigProfile: String], environment: [String: String]) -> ProfileTable {
        var models: [ConfigProfile: String] = [:]
        for profile in ConfigProfile.allCases {
            let fromManifest = manifest[profile].flatMap { $0.isEmpty ? nil : $0 }
            let fromEnvironment = environment["ROMA_MODEL_" + profile.rawValue.uppercased()].flatMap { $0.isEmpty ? nil : $0 }
            if let model = fromManifest ?? fromEnvironment {
                models[profile] = model
            }
        }
        let fallback = environment["ROMA_MODEL"].flatMap { $0.isEmpty ? nil : $0 }
        return ProfileTable(models: models, fallback: fallback)
    }

    /// The model for a profile.
    public func model(for profile: ConfigProfile) -> String {
        models[profile] ?? fallback ?? profile.preset.model
    }
}
