/// A validated manifest: a named batch of goals with the engine settings to run them with.
public struct Manifest: Sendable, Hashable {
    /// The output folder name (the `name:` key, or the file's stem).
    public var name: String
    /// The file it was read from, as the user named it.
    public var path: String
    /// Engine settings from the `engine:` section (command-line flags win over them).
    public var engine: EngineSettings
    /// Model names per profile from the `profiles:` section.
    public var profileModels: [ConfigProfile: String]
    /// The goals, in file order, with defaults merged in.
    public var goals: [GoalSpec]

    /// Creates a manifest.
    public init(
        name: String, path: String, engine: EngineSettings = EngineSettings(),
        profileModels: [ConfigProfile: String] = [:], goals: [GoalSpec]
    ) {
        self.name = name
        self.path = path
        self.engine = engine
        self.profileModels = profileModels
        self.goals = goals
    }
}

/// One goal of a manifest, with defaults already applied.
public struct GoalSpec: Sendable, Hashable {
    /// The stable slug naming the goal's folder.
    public var id: String
    /// The request (defaults merged; profile not yet resolved).
    public var request: ExecutionRequest
    /// The line the goal starts on.
    public var line: Int
    /// The template and combination the goal was expanded from; nil for a goal written as it runs.
    public var origin: GoalOrigin?

    /// Creates a goal.
    public init(id: String, request: ExecutionRequest, line: Int = 0, origin: GoalOrigin? = nil) {
        self.id = id
        self.request = request
        self.line = line
        self.origin = origin
    }

    /// A stable id derived from goal text: a slug of its first words and a short content hash.
    public static func derivedID(for goal: String) -> String {
        var words: [String] = []
        var current = ""
        for scalar in goal.lowercased().unicodeScalars {
            if scalar.properties.isAlphabetic && scalar.isASCII || ("0"..."9").contains(scalar) {
                current.unicodeScalars.append(scalar)
            } else if !current.isEmpty {
                words.append(current)
                current = ""
            }
            if words.count == 5 { break }
        }
        if !current.isEmpty && words.count < 5 { words.append(current) }
        var slug = ""
        for word in words {
            let candidate = slug.isEmpty ? word : slug + "-" + word
            if candidate.count > 32 { break }
            slug = candidate
        }
        if slug.isEmpty { slug = "goal" }
        return slug + "-" + String(SHA256.hex(goal).prefix(8))
    }
}

/// How goals are run.
public enum RunMode: String, Sendable, Hashable, Codable, CaseIterable {
    /// In-process, against an LLM provider.
    case local
    /// Against a ROMA API server.
    case remote
}

/// Settings from a manifest's `engine:` section; every field is optional.
public struct EngineSettings: Sendable, Hashable, Codable {
    /// Local or remote.
    public var mode: RunMode?
    /// Goals in flight at once.
    public var concurrency: Int?
    /// LLM calls in flight at once, shared by every goal of the run.
    public var llmConcurrency: Int?
    /// The provider: `openai` or `offline`.
    public var provider: String?
    /// The provider's base URL (an OpenAI-compatible `/v1` root).
    public var baseURL: String?
    /// The name of the environment variable holding the provider's key (never the key itself).
    public var apiKeyEnv: String?
    /// Budget: most subtasks one plan may have.
    public var maxSubtasks: Int?
    /// Budget: most LLM calls one goal may make.
    public var maxLLMCalls: Int?
    /// Budget: most tokens one goal may use.
    public var maxTokens: Int?
    /// Timeout of one LLM call, in seconds.
    public var timeoutSeconds: Int?

    /// Creates settings.
    public init(
        mode: RunMode? = nil, concurrency: Int? = nil, llmConcurrency: Int? = nil, provider: String? = nil,
        baseURL: String? = nil, apiKeyEnv: String? = nil, maxSubtasks: Int? = nil, maxLLMCalls: Int? = nil,
        maxTokens: Int? = nil, timeoutSeconds: Int? = nil
    ) {
        self.mode = mode
        self.concurrency = concurrency
        self.llmConcurrency = llmConcurrency
        self.provider = provider
        self.baseURL = baseURL
        self.apiKeyEnv = apiKeyEnv
        self.maxSubtasks = maxSubtasks
        self.maxLLMCalls = maxLLMCalls
        self.maxTokens = maxTokens
        self.timeoutSeconds = timeoutSeconds
    }

    /// The keys the `engine:` section may have.
    public static let keys = [
        "mode", "concurrency", "llm_concurrency", "provider", "base_url", "api_key_env", "max_subtasks",
        "max_llm_calls", "max_tokens", "timeout_seconds",
    ]

    /// The providers a local run can use.
    public static let providers = ["openai", "offline"]
}
