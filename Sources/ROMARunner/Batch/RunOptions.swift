import Foundation
import ROMACore
import ROMAEngine

/// Everything a batch run needs besides the manifests.
public struct RunOptions: Sendable {
    /// Where results trees go (`<out>/<manifest name>/`).
    public var out: URL
    /// Local or remote.
    public var mode: RunMode
    /// Goals in flight at once.
    public var concurrency: Int
    /// LLM calls in flight at once, for the whole run.
    public var llmConcurrency: Int
    /// Run only these goal ids (empty: all).
    public var only: Set<String>
    /// Re-run goals even when their results are current.
    public var force: Bool
    /// Run only this slice.
    public var shard: Shard?
    /// How recordings are used.
    public var recording: RecordingMode
    /// The provider for local runs.
    public var provider: ProviderSettings
    /// Engine budgets.
    public var engine: EngineConfiguration
    /// Retry policy for LLM calls.
    public var retry: RetryPolicy
    /// The environment (profile models, keys).
    public var environment: [String: String]
    /// The ROMA API for remote runs.
    public var remote: RemoteSettings
    /// Removes secrets from everything written to the tree.
    public var redactor: Redactor
    /// File-system faults for the tree's writes (tests only).
    public var faults: FileSystemFaults?
    /// Awaited just before the summary is written (tests order shards' ends with it).
    public var beforeSummary: (@Sendable (Shard?) async -> Void)?
    /// Awaited by a shard just before it waits for the shards' ledger (tests see that it waits).
    public var beforeLedgerLock: (@Sendable (Shard?) async -> Void)?
    /// Awaited after the rows of the summary are gathered and before it is written (tests hold
    /// open the window in which another shard's results could be missed).
    public var summaryWindow: (@Sendable (Shard?) async -> Void)?

    /// Creates options.
    public init(
        out: URL, mode: RunMode = .local, concurrency: Int = 4, llmConcurrency: Int = 8, only: Set<String> = [],
        force: Bool = false, shard: Shard? = nil, recording: RecordingMode = .record,
        provider: ProviderSettings = ProviderSettings(), engine: EngineConfiguration = EngineConfiguration(),
        retry: RetryPolicy = RetryPolicy(), environment: [String: String] = ProcessInfo.processInfo.environment,
        remote: RemoteSettings = RemoteSettings(), redactor: Redactor? = nil, faults: FileSystemFaults? = nil
    ) {
        self.remote = remote
        self.redactor =
            redactor ?? Redactor.fromEnvironment(environment, extra: [provider.apiKey ?? "", remote.apiKey])
        self.faults = faults
        self.out = out
        self.mode = mode
        self.concurrency = concurrency
        self.llmConcurrency = llmConcurrency
        self.only = only
        self.force = force
        self.shard = shard
        self.recording = recording
        self.provider = provider
        self.engine = engine
        self.retry = retry
        self.environment = environment
    }
}

/// Which LLM provider a local run uses and how to reach it.
public struct ProviderSettings: Sendable, Hashable {
    /// `openai` or `offline`.
    public var name: String
    /// The OpenAI-compatible API root.
    public var baseURL: String
    /// The key (read from the environment; never written anywhere).
    public var apiKey: String?
    /// Timeout of one call.
    public var timeout: Duration

    /// Creates settings.
    public init(
        name: String = "offline", baseURL: String = "https://api.openai.com/v1", apiKey: String? = nil, timeout: Duration = .seconds(120)
    ) {
        self.name = name
        self.baseURL = baseURL
        self.apiKey = apiKey
        self.timeout = timeout
    }

    /// The provider model.
    public func makeModel() -> any LanguageModel {
        switch name {
        case "openai": OpenAIModel(configuration: .init(baseURL: baseURL, apiKey: apiKey, timeout: timeout))
        default: OfflineModel()
        }
    }
}

/// How a remote run reaches and polls a ROMA API.
public struct RemoteSettings: Sendable, Hashable {
    /// The API root (`ROMA_BASE_URL`, default the hosted API).
    public var baseURL: String
    /// The key (`ROMA_API_KEY`; never written or logged).
    public var apiKey: String
    /// The first wait between status polls; it grows by `pollGrowth` up to `pollMax`.
    public var pollInitial: Duration
    public var pollMax: Duration
    public var pollGrowth: Double
    /// How often a dropped connection or 5xx is retried before the goal fails.
    public var maxRetries: Int

    /// Creates settings.
    public init(
        baseURL: String = "https://api.izieroma.xyz", apiKey: String = "", pollInitial: Duration = .seconds(1),
        pollMax: Duration = .seconds(30), pollGrowth: Double = 1.5, maxRetries: Int = 8
    ) {
        self.baseURL = baseURL
        self.apiKey = apiKey
        self.pollInitial = pollInitial
        self.pollMax = pollMax
        self.pollGrowth = pollGrowth
        self.maxRetries = maxRetries
    }
}
