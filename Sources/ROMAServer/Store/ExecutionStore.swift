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

    /// Inserts an execution unless the idempotency key was seen or the key is at its running cap;
    /// with a lease, the execution is inserted already claimed by that replica.
    func create(
        _ execution: StoredExecution, idempotency: IdempotencyClaim?, maxRunning: Int, now: String, lease: ExecutionLease?
    ) async throws -> CreateOutcome
    /// One execution of one key (nil if it does not exist or belongs to another key); without its
    /// DAG when `includingDAG` is false (status polls do not need it).
    func execution(id: String, keyID: String, includingDAG: Bool) async throws -> StoredExecution?
    /// One page of a key's executions and the total matching the filters.
    func list(keyID: String, query: ExecutionQuery) async throws -> (items: [StoredExecution], total: Int)
    /// Records progress of a running execution, and its live DAG when given (so every replica
    /// can show it).
    func updateProgress(id: String, progress: Int, currentStep: String?, dag: DAG?, at: String) async throws
    /// Records what the engine returned; a cancelled execution stays cancelled. Returns the final
    /// row, or nil when `owner` is given and no longer holds the execution's lease (another
    /// replica took it over: its outcome counts, not this one).
    func finish(id: String, outcome: ExecutionOutcome, at: String, owner: String?) async throws -> StoredExecution?
    /// Moves a running execution of this key to cancelled.
    func cancel(id: String, keyID: String, at: String) async throws -> CancelOutcome
    /// Executions still marked running (interrupted by a stop), oldest first, for resumption.
    func runningExecutions() async throws -> [StoredExecution]
    /// Notes that an interrupted execution is being run again from the start.
    func markRestarted(id: String, at: String) async throws

    // issue-16 (replicas): leases, the call journal and exact daily counts.

    /// Whether several server processes share this store (PostgreSQL): daily counts are then
    /// taken in the store on every request (`consumeUsage`), not batched in memory.
    var isShared: Bool { get }
    /// Claims up to `limit` running executions whose lease has lapsed (or that have none), oldest
    /// first, for `lease.owner`, without waiting on rows another replica is claiming
    /// (`FOR UPDATE SKIP LOCKED`); `includingLive` also takes executions whose lease still
    /// runs (a single server's restart: the previous process is gone). Each taken-over
    /// execution's `restarts` grows by one.
    func claim(_ lease: ExecutionLease, limit: Int, includingLive: Bool, at: String) async throws -> [StoredExecution]
    /// Extends the owner's leases of `ids`; returns the current status of each of those ids the
    /// owner still holds (an id missing from the answer was taken over by another replica).
    func renew(_ lease: ExecutionLease, ids: [String]) async throws -> [String: ExecutionStatus]
    /// Appends one finished model call (a `calls.jsonl` line) to an execution's journal, if
    /// `owner` still holds its lease.
    func appendCall(executionID: String, owner: String, line: String) async throws
    /// The execution's journal: the calls finished so far, in the order they were appended.
    func journal(executionID: String) async throws -> [String]
    /// Counts one request against the daily limit atomically (a refused request does not count).
    func consumeUsage(keyID: String, day: String, limit: Int) async throws -> UsageDecision
}

/// A replica's claim on executions: who, and for how long past the last renewal.
public struct ExecutionLease: Sendable, Hashable {
    /// The replica's id (random per process).
    public var owner: String
    /// How long a claim lasts without a heartbeat.
    public var duration: Duration

    /// Creates a lease.
    public init(owner: String, duration: Duration) {
        self.owner = owner
        self.duration = duration
    }

    /// The duration in seconds, for SQL.
    var seconds: Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}

extension ExecutionStore {
    /// One execution of one key, DAG included.
    public func execution(id: String, keyID: String) async throws -> StoredExecution? {
        try await execution(id: id, keyID: keyID, includingDAG: true)
    }
}
