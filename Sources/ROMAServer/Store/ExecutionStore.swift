import ROMACore

/// The server's persistence seam: API keys, executions, idempotency keys and daily usage.
///
/// Every method is atomic; `create` in particular checks the idempotency key, the concurrency
/// cap and inserts in one transaction, so concurrent duplicates create exactly one execution.
public protocol ExecutionStore: Sendable {
    /// Stores a new API key.
    func insertKey(_ key: APIKeyRecord) async throws
    /// Every key, oldest first.
    func keys() async throws -> [APIKeyRecord]
    /// The keys whose stored prefix is `prefix` (candidates for authentication).
    func keys(prefix: String) async throws -> [APIKeyRecord]
    /// Revokes the key with this id or prefix; returns it, or nil if none matched.
    func revokeKey(idOrPrefix: String, at: String) async throws -> APIKeyRecord?

    /// Requests counted for a key on `day` (`YYYY-MM-DD`, UTC); 0 when none.
    func usage(keyID: String, day: String) async throws -> Int
    /// Adds counted requests, in one transaction; older days' counts of those keys are dropped.
    func addUsage(_ increments: [UsageIncrement]) async throws

    /// Inserts an execution unless the idempotency key was seen or the key is at its running cap.
    func create(_ execution: StoredExecution, idempotency: IdempotencyClaim?, maxRunning: Int, now: String) async throws -> CreateOutcome
    /// One execution of one key (nil if it does not exist or belongs to another key); without its
    /// DAG when `includingDAG` is false (status polls do not need it).
    func execution(id: String, keyID: String, includingDAG: Bool) async throws -> StoredExecution?
    /// One page of a key's executions and the total matching the filters.
    func list(keyID: String, query: ExecutionQuery) async throws -> (items: [StoredExecution], total: Int)
    /// Records progress of a running execution.
    func updateProgress(id: String, progress: Int, currentStep: String?, at: String) async throws
    /// Records what the engine returned; a cancelled execution stays cancelled. Returns the final row.
    func finish(id: String, outcome: ExecutionOutcome, at: String) async throws -> StoredExecution?
    /// Moves a running execution of this key to cancelled.
    func cancel(id: String, keyID: String, at: String) async throws -> CancelOutcome
    /// Executions still marked running (interrupted by a stop), oldest first, for resumption.
    func runningExecutions() async throws -> [StoredExecution]
    /// Notes that an interrupted execution is being run again from the start.
    func markRestarted(id: String, at: String) async throws
}

extension ExecutionStore {
    /// One execution of one key, DAG included.
    public func execution(id: String, keyID: String) async throws -> StoredExecution? {
        try await execution(id: id, keyID: keyID, includingDAG: true)
    }
}
