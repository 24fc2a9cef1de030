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
    /// Tool allow lists per profile from the `profiles:` section.
    public var profileTools: [ConfigProfile: [String]]
    /// The MCP servers of the `tools:` section, by name.
    public var tools: [String: ToolServer]
    /// The `defaults:` section's tool allow list (already merged into the goals; `roma serve
    /// --config` applies it to every execution).
    public var defaultTools: [String]?
    /// The goals, in file order, with defaults merged in.
    public var goals: [GoalSpec]
    /// Prices by model name from the `pricing:` section.
    public var pricing = Pricing()
    /// Per-agent models per profile from the `profiles:` section.
    public var profileAgentModels: [ConfigProfile: [Agent: String]] = [:]

    /// Creates a manifest.
    public init(
        name: String, path: String, engine: EngineSettings = EngineSettings(),
        profileModels: [ConfigProfile: String] = [:], profileTools: [ConfigProfile: [String]] = [:],
        tools: [String: ToolServer] = [:], goals: [GoalSpec]
    ) {
        self.name = name
        self.path = path
        self.engine = engine
        self.profileModels = profileModels
        self.profileTools = profileTools
        self.tools = tools
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
    /// The goal's `tools:` allow list (its own, else the defaults'); nil when it names none.
    public var tools: [String]?
    /// The depth above which the atomizer is not asked: tasks shallower than it are planned.
    public var minDepth: Int?

    /// Creates a goal.
    public init(
        id: String, request: ExecutionRequest, line: Int = 0, origin: GoalOrigin? = nil, tools: [String]? = nil, minDepth: Int? = nil
    ) {
        self.id = id
        self.request = request
        self.line = line
        self.origin = origin
        self.tools = tools
        self.minDepth = minDepth
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
    /// Most tool calls one node may make before it must answer.
    public var maxToolCalls: Int?
    /// Timeout of one tool call, in seconds.
    public var toolTimeoutSeconds: Int?
    /// How tools are offered to the model: `auto` (native where the endpoint has it), `native` or `constrained`.
    public var toolCalling: String?
    /// Budget: most US dollars one goal may spend.
    public var maxCostUSD: Double?
    /// `auto` (the model decides) or `required` (a node's first constrained turn must call a tool).
    public var toolChoice: String?
    /// `all` (every argument of a tool's schema) or `required` (the constrained turn offers only the required ones).
    public var toolArguments: String?

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

    /// The ways tools can be offered to the model.
    public static let toolCallingModes = ["auto", "native", "constrained"]

    /// The keys the `engine:` section may have.
    public static let keys = [
        "mode", "concurrency", "llm_concurrency", "provider", "base_url", "api_key_env", "max_subtasks",
        "max_llm_calls", "max_tokens", "timeout_seconds", "max_tool_calls", "tool_timeout_seconds", "tool_calling",
        "tool_choice", "tool_arguments", "max_cost_usd",
    ]

    /// The providers a local run can use.
    public static let providers = ["openai", "offline"]
}
