import ROMACore

/// One execution as the server keeps it.
public struct StoredExecution: Sendable, Hashable {
    /// `exec_` + 16 lowercase alphanumerics.
    public var id: String
    /// The API key that created it (and the only one that can see it).
    public var keyID: String
    /// Lifecycle state.
    public var status: ExecutionStatus
    /// The request as submitted, with `webhook_token` removed from its metadata.
    public var request: ExecutionRequest
    /// The resolved decomposition depth.
    public var maxDepth: Int
    /// Where to POST the terminal status (http or https), if anywhere.
    public var webhookURL: String?
    /// The secret echoed to the webhook; stored only so it can be delivered, never rendered.
    public var webhookToken: String?
    /// The final answer, once completed.
    public var result: String?
    /// Why it failed or was cancelled.
    public var error: APIError?
    /// The DAG, once the engine has returned.
    public var dag: DAG?
    /// Time, tokens and calls, once the engine has returned.
    public var metrics: ExecutionMetadata?
    /// 0–100.
    public var progress: Int
    /// The node being worked on.
    public var currentStep: String?
    /// ISO 8601 UTC timestamps.
    public var createdAt: String
    public var updatedAt: String
    public var terminalAt: String?
    /// How many times the execution was re-run after a server restart.
    public var restarts: Int

    /// Creates a record.
    public init(
        id: String, keyID: String, status: ExecutionStatus, request: ExecutionRequest, maxDepth: Int,
        webhookURL: String? = nil, webhookToken: String? = nil, result: String? = nil, error: APIError? = nil,
        dag: DAG? = nil, metrics: ExecutionMetadata? = nil, progress: Int = 0, currentStep: String? = nil,
        createdAt: String, updatedAt: String, terminalAt: String? = nil, restarts: Int = 0
    ) {
        self.id = id
        self.keyID = keyID
        self.status = status
        self.request = request
        self.maxDepth = maxDepth
        self.webhookURL = webhookURL
        self.webhookToken = webhookToken
        self.result = result
        self.error = error
        self.dag = dag
        self.metrics = metrics
        self.progress = progress
        self.currentStep = currentStep
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.terminalAt = terminalAt
        self.restarts = restarts
    }

    /// The profile in force.
    public var profile: ConfigProfile { request.profile }
}
