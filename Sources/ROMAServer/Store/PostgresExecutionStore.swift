import Foundation
import Logging
import PostgresNIO
import ROMACore

/// The `ExecutionStore` in PostgreSQL, through postgres-nio: what several `roma serve` replicas
/// share (issue 16).
///
/// Exactness across replicas comes from the database: `create` serialises one API key's creates
/// with a transaction-scoped advisory lock (so the idempotency key and the running cap are
/// checked and written as one step), daily counts are a conditional upsert, and executions are
/// claimed with `FOR UPDATE SKIP LOCKED` under a lease measured by the database's clock.
///
/// The connection pool runs in a child task of `withStore(url:schema:maxConnections:logger:_:)`,
/// for exactly as long as its body: no unstructured task owns it.
public final class PostgresExecutionStore: ExecutionStore {
    private let client: PostgresClient
    private let logger: Logger
    /// Where the database is (no password).
    public let url: PostgresDatabaseURL

    private init(client: PostgresClient, url: PostgresDatabaseURL, logger: Logger) {
        self.client = client
        self.url = url
        self.logger = logger
    }

    /// Connects (lazily, through a pool of at most `maxConnections`), migrates the schema, runs
    /// `body` with the store, and closes the pool when `body` returns or throws.
    ///
    /// - Parameter schema: a PostgreSQL schema to keep the tables in (created if missing; tests
    ///   give each test its own); nil for the user's default `search_path`.
    public static func withStore<T: Sendable>(
        url: PostgresDatabaseURL, schema: String? = nil, maxConnections: Int = 20, logger: Logger = Logger(label: "roma.postgres"),
        _ body: (PostgresExecutionStore) async throws -> T
    ) async throws -> T {
        // One connection first, so a database that cannot be opened fails at once with its real
        // reason: the pool retries a failing connection for about a minute and then reports only
        // that its circuit breaker tripped.
        let probe = try await PostgresConnection.connect(
            configuration: PostgresConnection.Configuration(
                host: url.host, port: url.port, username: url.user, password: url.password, database: url.database, tls: .disable),
            id: 0, logger: logger)
        try? await probe.close()
        var configuration = PostgresClient.Configuration(
            host: url.host, port: url.port, username: url.user, password: url.password, database: url.database, tls: .disable)
        configuration.options.maximumConnections = maxConnections
        if let schema { configuration.options.additionalStartupParameters = [("search_path", schema)] }
        let client = PostgresClient(configuration: configuration)
        return try await withThrowingTaskGroup(of: Void.self, returning: T.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }  // closes the pool
            if let schema {
                let quoted = "\"" + schema.replacingOccurrences(of: "\"", with: "\"\"") + "\""
                try await client.query(PostgresQuery(unsafeSQL: "CREATE SCHEMA IF NOT EXISTS \(quoted)"), logger: logger)
            }
            let store = PostgresExecutionStore(client: client, url: url, logger: logger)
            try await store.migrate()
            return try await body(store)
        }
    }

    // MARK: Schema

    private static let migrations: [(String, [String])] = [
        (
            "v1",
            [
                """
                CREATE TABLE api_keys (
                    id TEXT PRIMARY KEY, prefix TEXT NOT NULL, hash TEXT NOT NULL UNIQUE, name TEXT,
                    created_at TEXT NOT NULL, revoked_at TEXT)
                """,
                "CREATE INDEX api_keys_prefix ON api_keys(prefix)",
                """
                CREATE TABLE executions (
                    id TEXT PRIMARY KEY, key_id TEXT NOT NULL REFERENCES api_keys(id), status TEXT NOT NULL,
                    goal TEXT NOT NULL, config_profile TEXT NOT NULL, max_depth BIGINT NOT NULL, request_json TEXT NOT NULL,
                    webhook_url TEXT, webhook_token TEXT, result TEXT, error_json TEXT, dag_json TEXT, live_dag TEXT,
                    metrics_json TEXT, calls_jsonl TEXT, progress BIGINT NOT NULL DEFAULT 0, current_step TEXT,
                    created_at TEXT NOT NULL, updated_at TEXT NOT NULL, terminal_at TEXT, restarts BIGINT NOT NULL DEFAULT 0,
                    lease_owner TEXT, lease_expires_at TIMESTAMPTZ)
                """,
                "CREATE INDEX executions_key_created ON executions(key_id, created_at)",
                "CREATE INDEX executions_key_status ON executions(key_id, status)",
                "CREATE INDEX executions_running ON executions(created_at, id) WHERE status = 'running'",
                """
                CREATE TABLE idempotency_keys (
                    key_id TEXT NOT NULL, idempotency_key TEXT NOT NULL, execution_id TEXT NOT NULL,
                    status_code BIGINT NOT NULL, body TEXT NOT NULL, created_at TEXT NOT NULL, expires_at TEXT NOT NULL,
                    PRIMARY KEY (key_id, idempotency_key))
                """,
                "CREATE TABLE daily_usage (key_id TEXT NOT NULL, day TEXT NOT NULL, count BIGINT NOT NULL, PRIMARY KEY (key_id, day))",
                """
                CREATE TABLE execution_calls (
                    seq BIGSERIAL PRIMARY KEY, execution_id TEXT NOT NULL, line TEXT NOT NULL)
                """,
                "CREATE INDEX execution_calls_execution ON execution_calls(execution_id, seq)",
            ]
        )
    ]

    /// Runs the migrations not yet applied, one replica at a time (an advisory lock).
    private func migrate() async throws {
        try await client.withTransaction(logger: logger) { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(1616)", logger: logger)
            try await connection.query(
                "CREATE TABLE IF NOT EXISTS roma_migrations (name TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())",
                logger: logger)
            var applied = Set<String>()
            for try await name in try await connection.query("SELECT name FROM roma_migrations", logger: logger).decode(String.self) {
                applied.insert(name)
            }
            for (name, statements) in Self.migrations where !applied.contains(name) {
                for statement in statements { try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger) }
                try await connection.query("INSERT INTO roma_migrations (name) VALUES (\(name))", logger: logger)
            }
        }
    }

    private func rows(_ query: PostgresQuery) async throws -> [PostgresRow] {
        try await client.query(query, logger: logger).collect()
    }

    private func rows(_ query: PostgresQuery, on connection: PostgresConnection) async throws -> [PostgresRow] {
        try await connection.query(query, logger: logger).collect()
    }

    // MARK: Keys

    public func insertKey(_ key: APIKeyRecord) async throws {
        try await client.query(
            """
            INSERT INTO api_keys (id, prefix, hash, name, created_at, revoked_at)
            VALUES (\(key.id), \(key.prefix), \(key.hash), \(key.name), \(key.createdAt), \(key.revokedAt))
            """, logger: logger)
    }

    public func keys() async throws -> [APIKeyRecord] {
        try await rows("SELECT id, prefix, hash, name, created_at, revoked_at FROM api_keys ORDER BY created_at, id").map(Self.key)
    }

    public func keys(prefix: String) async throws -> [APIKeyRecord] {
        try await rows("SELECT id, prefix, hash, name, created_at, revoked_at FROM api_keys WHERE prefix = \(prefix)").map(Self.key)
    }

    public func revokeKey(idOrPrefix: String, at: String) async throws -> APIKeyRecord? {
        let logger = logger
        return try await client.withTransaction(logger: logger) { connection in
            let rows = try await connection.query(
                """
                SELECT id, prefix, hash, name, created_at, revoked_at FROM api_keys
                WHERE id = \(idOrPrefix) OR prefix = \(idOrPrefix) FOR UPDATE
                """, logger: logger
            ).collect()
            // An ambiguous prefix revokes nothing: the caller must name one key.
            guard rows.count == 1, var key = try rows.first.map(Self.key) else { return nil }
            if key.revokedAt == nil {
                key.revokedAt = at
                try await connection.query("UPDATE api_keys SET revoked_at = \(at) WHERE id = \(key.id)", logger: logger)
            }
            return key
        }
    }

    private static func key(_ row: PostgresRow) throws -> APIKeyRecord {
        let (id, prefix, hash, name, createdAt, revokedAt) = try row.decode((String, String, String, String?, String, String?).self)
        return APIKeyRecord(id: id, prefix: prefix, hash: hash, createdAt: createdAt, revokedAt: revokedAt, name: name)
    }

    // MARK: Usage

    public func usage(keyID: String, day: String) async throws -> Int {
        try await rows("SELECT count FROM daily_usage WHERE key_id = \(keyID) AND day = \(day)").first?.decode(Int.self) ?? 0
    }

    public func addUsage(_ increments: [UsageIncrement]) async throws {
        guard !increments.isEmpty else { return }
        let logger = logger
        try await client.withTransaction(logger: logger) { connection in
            for increment in increments {
                try await connection.query(
                    """
                    INSERT INTO daily_usage (key_id, day, count) VALUES (\(increment.keyID), \(increment.day), \(increment.count))
                    ON CONFLICT (key_id, day) DO UPDATE SET count = daily_usage.count + excluded.count
                    """, logger: logger)
                try await connection.query(
                    "DELETE FROM daily_usage WHERE key_id = \(increment.keyID) AND day < \(increment.day)", logger: logger)
            }
        }
    }

    public func consumeUsage(keyID: String, day: String, limit: Int) async throws -> UsageDecision {
        guard limit > 0 else { return UsageDecision(allowed: false, used: 0) }
        // The row lock of the upsert makes check-and-increment one step across replicas.
        let counted = try await rows(
            """
            INSERT INTO daily_usage (key_id, day, count) VALUES (\(keyID), \(day), 1)
            ON CONFLICT (key_id, day) DO UPDATE SET count = daily_usage.count + 1 WHERE daily_usage.count < \(limit)
            RETURNING count
            """)
        if let used = try counted.first?.decode(Int.self) { return UsageDecision(allowed: true, used: used) }
        return UsageDecision(allowed: false, used: try await usage(keyID: keyID, day: day))
    }

    // MARK: Executions

    public func create(
        _ execution: StoredExecution, idempotency: IdempotencyClaim?, maxRunning: Int, now: String, lease: ExecutionLease?
    ) async throws -> CreateOutcome {
        let requestJSON = try Self.json(execution.request)
        let logger = logger
        return try await client.withTransaction(logger: logger) { connection in
            // One key's creates run one at a time, on every replica: the idempotency key and the
            // running cap are then checked and written as one step.
            try await connection.query("SELECT pg_advisory_xact_lock(hashtext(\(execution.keyID)))", logger: logger)
            if let idempotency {
                let found = try await connection.query(
                    """
                    SELECT status_code, body, expires_at FROM idempotency_keys
                    WHERE key_id = \(execution.keyID) AND idempotency_key = \(idempotency.key)
                    """, logger: logger
                ).collect()
                if let row = found.first {
                    let (status, body, expiresAt) = try row.decode((Int, String, String).self)
                    if expiresAt > now { return .replayed(status: status, body: Array(body.utf8)) }
                    try await connection.query(
                        "DELETE FROM idempotency_keys WHERE key_id = \(execution.keyID) AND idempotency_key = \(idempotency.key)",
                        logger: logger)
                }
            }
            let running =
                try await connection.query(
                    "SELECT COUNT(*) FROM executions WHERE key_id = \(execution.keyID) AND status = 'running'", logger: logger
                ).collect().first?.decode(Int.self) ?? 0
            guard running < maxRunning else { return .concurrencyLimit(running: running) }
            let leaseSeconds = lease?.seconds ?? 0
            try await connection.query(
                """
                INSERT INTO executions (id, key_id, status, goal, config_profile, max_depth, request_json, webhook_url,
                    webhook_token, progress, current_step, created_at, updated_at, lease_owner, lease_expires_at)
                VALUES (\(execution.id), \(execution.keyID), \(execution.status.rawValue), \(execution.request.goal),
                    \(execution.profile.rawValue), \(execution.maxDepth), \(requestJSON), \(execution.webhookURL),
                    \(execution.webhookToken), \(execution.progress), \(execution.currentStep), \(execution.createdAt),
                    \(execution.updatedAt), \(lease?.owner), now() + make_interval(secs => \(leaseSeconds)))
                """, logger: logger)
            if let idempotency {
                try await connection.query(
                    """
                    INSERT INTO idempotency_keys (key_id, idempotency_key, execution_id, status_code, body, created_at, expires_at)
                    VALUES (\(execution.keyID), \(idempotency.key), \(execution.id), \(idempotency.status),
                        \(String(decoding: idempotency.body, as: UTF8.self)), \(now), \(idempotency.expiresAt))
                    """, logger: logger)
            }
            try await connection.query(
                """
                DELETE FROM idempotency_keys WHERE ctid IN (SELECT ctid FROM idempotency_keys WHERE expires_at <= \(now) LIMIT 16)
                """, logger: logger)
            return .created(execution)
        }
    }

    public func execution(id: String, keyID: String, includingDAG: Bool) async throws -> StoredExecution? {
        try await rows(
            "SELECT \(unescaped: Self.columns(includingDAG)) FROM executions WHERE id = \(id) AND key_id = \(keyID)"
        ).first.map { try Self.execution($0, includingDAG: includingDAG) }
    }

    public func list(keyID: String, query: ExecutionQuery) async throws -> (items: [StoredExecution], total: Int) {
        var conditions = ["key_id = $1"]
        var binds = PostgresBindings()
        binds.append(keyID)
        for (comparison, value) in query.sqlFilters {
            binds.append(value)
            conditions.append("\(comparison) $\(binds.count)")
        }
        let whereClause = conditions.joined(separator: " AND ")
        let orderClause = query.sqlOrder
        let total =
            try await rows(PostgresQuery(unsafeSQL: "SELECT COUNT(*) FROM executions WHERE \(whereClause)", binds: binds))
            .first?.decode(Int.self) ?? 0
        var pageBinds = binds
        pageBinds.append(query.limit)
        pageBinds.append(query.offset)
        let page = try await rows(
            PostgresQuery(
                unsafeSQL: """
                    SELECT \(Self.columns(false)) FROM executions WHERE \(whereClause) ORDER BY \(orderClause)
                    LIMIT $\(binds.count + 1) OFFSET $\(binds.count + 2)
                    """, binds: pageBinds))
        return (try page.map { try Self.execution($0, includingDAG: false) }, total)
    }

    public func updateProgress(id: String, progress: Int, currentStep: String?, dag: DAG?, at: String) async throws {
        let dagJSON = try dag.map { try Self.json($0) }
        try await client.query(
            """
            UPDATE executions SET progress = \(progress), current_step = \(currentStep), live_dag = COALESCE(\(dagJSON), live_dag),
                updated_at = \(at)
            WHERE id = \(id) AND status = 'running'
            """, logger: logger)
    }

    public func finish(id: String, outcome: ExecutionOutcome, at: String, owner: String?) async throws -> StoredExecution? {
        let dagJSON = try Self.json(outcome.dag)
        let metricsJSON = try Self.json(outcome.metrics)
        let errorJSON = try outcome.error.map { try Self.json($0) }
        let logger = logger
        return try await client.withTransaction(logger: logger) { connection in
            guard
                let row = try await connection.query(
                    "SELECT status, lease_owner FROM executions WHERE id = \(id) FOR UPDATE", logger: logger
                ).collect().first
            else { return nil }
            let (status, holder) = try row.decode((String, String?).self)
            if let owner, let holder, holder != owner { return nil }
            if status == ExecutionStatus.running.rawValue {
                let completed = outcome.status == .completed
                try await connection.query(
                    """
                    UPDATE executions SET status = \(outcome.status.rawValue), result = \(completed ? outcome.result : nil),
                        error_json = \(errorJSON), dag_json = \(dagJSON), metrics_json = \(metricsJSON),
                        calls_jsonl = \(outcome.callsJSONL), progress = CASE WHEN \(completed) THEN 100 ELSE progress END,
                        current_step = NULL, updated_at = \(at), terminal_at = \(at)
                    WHERE id = \(id)
                    """, logger: logger)
            } else {
                // Cancelled by the user meanwhile: keep that status, add what the engine produced.
                try await connection.query(
                    """
                    UPDATE executions SET dag_json = \(dagJSON), metrics_json = \(metricsJSON), calls_jsonl = \(outcome.callsJSONL)
                    WHERE id = \(id)
                    """, logger: logger)
            }
            return try await connection.query(
                "SELECT \(unescaped: Self.columns(true)) FROM executions WHERE id = \(id)", logger: logger
            ).collect().first.map { try Self.execution($0, includingDAG: true) }
        }
    }

    public func cancel(id: String, keyID: String, at: String) async throws -> CancelOutcome {
        let error = try Self.json(APIError(code: "cancelled", message: "The execution was cancelled by the user"))
        let logger = logger
        return try await client.withTransaction(logger: logger) { connection in
            guard
                let row = try await connection.query(
                    "SELECT \(unescaped: Self.columns(true)) FROM executions WHERE id = \(id) AND key_id = \(keyID) FOR UPDATE",
                    logger: logger
                ).collect().first
            else { return .notFound }
            let execution = try Self.execution(row, includingDAG: true)
            guard execution.status == .running else { return .notRunning(execution) }
            let updated = try await connection.query(
                """
                UPDATE executions SET status = 'cancelled', error_json = \(error), current_step = NULL, updated_at = \(at),
                    terminal_at = \(at)
                WHERE id = \(id) RETURNING \(unescaped: Self.columns(true))
                """, logger: logger
            ).collect().first
            return .cancelled(try updated.map { try Self.execution($0, includingDAG: true) } ?? execution)
        }
    }

    public func runningExecutions() async throws -> [StoredExecution] {
        try await rows("SELECT \(unescaped: Self.columns(true)) FROM executions WHERE status = 'running' ORDER BY created_at, id")
            .map { try Self.execution($0, includingDAG: true) }
    }

    public func markRestarted(id: String, at: String) async throws {
        try await client.query(
            """
            UPDATE executions SET restarts = restarts + 1, progress = 0, current_step = NULL, updated_at = \(at)
            WHERE id = \(id) AND status = 'running'
            """, logger: logger)
    }

    // MARK: Leases and the journal

    public var isShared: Bool { true }

    public func claim(_ lease: ExecutionLease, limit: Int, includingLive: Bool, at: String) async throws -> [StoredExecution] {
        guard limit > 0 else { return [] }
        let lapsed = includingLive ? "" : "AND (lease_owner IS NULL OR lease_expires_at <= now())"
        return try await rows(
            """
            UPDATE executions SET lease_owner = \(lease.owner), lease_expires_at = now() + make_interval(secs => \(lease.seconds)),
                restarts = restarts + 1, updated_at = \(at)
            WHERE id IN (
                SELECT id FROM executions
                WHERE status = 'running' AND (lease_owner IS NULL OR lease_owner <> \(lease.owner)) \(unescaped: lapsed)
                ORDER BY created_at, id LIMIT \(limit) FOR UPDATE SKIP LOCKED)
            RETURNING \(unescaped: Self.columns(true))
            """
        ).map { try Self.execution($0, includingDAG: true) }.sorted { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }
    }

    public func renew(_ lease: ExecutionLease, ids: [String]) async throws -> [String: ExecutionStatus] {
        guard !ids.isEmpty else { return [:] }
        var statuses: [String: ExecutionStatus] = [:]
        for row in try await rows(
            """
            UPDATE executions SET lease_expires_at = now() + make_interval(secs => \(lease.seconds))
            WHERE lease_owner = \(lease.owner) AND id = ANY(\(ids)) RETURNING id, status
            """)
        {
            let (id, status) = try row.decode((String, String).self)
            statuses[id] = ExecutionStatus(rawValue: status) ?? .failed
        }
        return statuses
    }

    public func appendCall(executionID: String, owner: String, line: String) async throws {
        try await client.query(
            """
            INSERT INTO execution_calls (execution_id, line)
            SELECT \(executionID), \(line) WHERE EXISTS (SELECT 1 FROM executions WHERE id = \(executionID) AND lease_owner = \(owner))
            """, logger: logger)
    }

    public func journal(executionID: String) async throws -> [String] {
        try await rows("SELECT line FROM execution_calls WHERE execution_id = \(executionID) ORDER BY seq").map {
            try $0.decode(String.self)
        }
    }

    // MARK: Rows

    private static let columnsWithoutDAG = """
        id, key_id, status, config_profile, max_depth, request_json, webhook_url, webhook_token, result,
        error_json, metrics_json, progress, current_step, created_at, updated_at, terminal_at, restarts
        """

    private static func columns(_ includingDAG: Bool) -> String {
        includingDAG ? columnsWithoutDAG + ", COALESCE(dag_json, live_dag)" : columnsWithoutDAG
    }

    private static func execution(_ row: PostgresRow, includingDAG: Bool) throws -> StoredExecution {
        let cells = row.makeRandomAccess()
        func text(_ index: Int) throws -> String? { try cells[index].decode(String?.self) }
        func value<T: Decodable>(_ type: T.Type, _ index: Int) throws -> T? {
            try text(index).map { try CanonicalJSON.decode(type, from: Data($0.utf8)) }
        }
        let request = try CanonicalJSON.decode(ExecutionRequest.self, from: Data((try text(5) ?? "").utf8))
        return StoredExecution(
            id: try cells[0].decode(String.self), keyID: try cells[1].decode(String.self),
            status: ExecutionStatus(rawValue: try cells[2].decode(String.self)) ?? .failed, request: request,
            maxDepth: try cells[4].decode(Int.self), webhookURL: try text(6), webhookToken: try text(7), result: try text(8),
            error: try value(APIError.self, 9), dag: includingDAG ? try value(DAG.self, 17) : nil,
            metrics: try value(ExecutionMetadata.self, 10), progress: try cells[11].decode(Int.self), currentStep: try text(12),
            createdAt: try cells[13].decode(String.self), updatedAt: try cells[14].decode(String.self), terminalAt: try text(15),
            restarts: try cells[16].decode(Int.self))
    }

    private static func json<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try CanonicalJSON.encodeLine(value), as: UTF8.self)
    }
}
