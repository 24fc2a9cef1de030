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

/// What the engine produced, as the store records it.
public struct ExecutionOutcome: Sendable, Hashable {
    /// Final status (`completed`, `failed` or `cancelled`).
    public var status: ExecutionStatus
    public var result: String?
    public var error: APIError?
    public var dag: DAG
    public var metrics: ExecutionMetadata
    /// The calls as JSON Lines (kept for audits and future replay; never served).
    public var callsJSONL: String

    /// Creates an outcome.
    public init(status: ExecutionStatus, result: String?, error: APIError?, dag: DAG, metrics: ExecutionMetadata, callsJSONL: String) {
        self.status = status
        self.result = result
        self.error = error
        self.dag = dag
        self.metrics = metrics
        self.callsJSONL = callsJSONL
    }
}

/// A remembered `X-Idempotency-Key` and the response it produced.
public struct IdempotencyClaim: Sendable, Hashable {
    /// The client's key (scoped to the API key).
    public var key: String
    /// The response to replay.
    public var status: Int
    public var body: [UInt8]
    /// When the claim stops counting (ISO 8601).
    public var expiresAt: String

    /// Creates a claim.
    public init(key: String, status: Int, body: [UInt8], expiresAt: String) {
        self.key = key
        self.status = status
        self.body = body
        self.expiresAt = expiresAt
    }
}

/// The result of `ExecutionStore.create`.
public enum CreateOutcome: Sendable, Hashable {
    /// The execution was inserted.
    case created(StoredExecution)
    /// The idempotency key was seen within its window: answer with the original response.
    case replayed(status: Int, body: [UInt8])
    /// The key already has `running` executions at its cap.
    case concurrencyLimit(running: Int)
}

/// The result of `ExecutionStore.cancel`.
public enum CancelOutcome: Sendable, Hashable {
    /// Moved from running to cancelled.
    case cancelled(StoredExecution)
    /// Already finished; nothing changed.
    case notRunning(StoredExecution)
    /// No such execution for this key.
    case notFound
}

/// The result of counting one request against a key's daily limit.
public struct UsageDecision: Sendable, Hashable {
    /// Whether the request may proceed.
    public var allowed: Bool
    /// Requests counted today, this one included when allowed.
    public var used: Int

    /// Creates a decision.
    public init(allowed: Bool, used: Int) {
        self.allowed = allowed
        self.used = used
    }
}
