import Foundation
import GRDB
import ROMACore

/// The `ExecutionStore` in one SQLite file (WAL mode), through GRDB.
///
/// A `final class` because it owns a resource: the database pool. Several processes may open the
/// same file (the server and `roma serve keys …`); writers wait for each other up to 5 seconds.
public final class SQLiteExecutionStore: ExecutionStore {
    private let pool: DatabasePool
    /// Where the database lives.
    public let path: String
    /// Key lookups by prefix, kept `keyCacheLifetime`: authentication reads keys on every
    /// request. Keys inserted or revoked through this store clear it at once; a revocation by
    /// another process (`roma serve keys revoke` while the server runs) takes effect within the
    /// lifetime.
    private let keyCache = Locked<[String: (fetched: ContinuousClock.Instant, keys: [APIKeyRecord])]>([:])
    /// How long a key lookup is reused.
    public let keyCacheLifetime: Duration
    /// Finished executions (without their DAG), which polls read over and over. Only this
    /// process writes executions, and a finished one changes only in `finish` (a cancelled
    /// execution gains the engine's DAG and metrics), which drops it from here.
    private let finishedCache = Locked<[String: StoredExecution]>([:])
    private static let finishedCacheLimit = 10_000

    /// Opens (creating and migrating if needed) the database at `path`.
    public init(path: String, keyCacheLifetime: Duration = .seconds(1)) throws {
        self.keyCacheLifetime = keyCacheLifetime
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        self.path = path
        self.pool = try DatabasePool(path: path, configuration: configuration)
        try Self.migrator.migrate(pool)
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE api_keys (
                        id TEXT PRIMARY KEY NOT NULL,
                        prefix TEXT NOT NULL,
                        hash TEXT NOT NULL UNIQUE,
                        name TEXT,
                        created_at TEXT NOT NULL,
                        revoked_at TEXT
                    );
                    CREATE INDEX api_keys_prefix ON api_keys(prefix);
                    CREATE TABLE executions (
                        id TEXT PRIMARY KEY NOT NULL,
                        key_id TEXT NOT NULL REFERENCES api_keys(id),
                        status TEXT NOT NULL,
                        goal TEXT NOT NULL,
                        config_profile TEXT NOT NULL,
                        max_depth INTEGER NOT NULL,
                        request_json TEXT NOT NULL,
                        webhook_url TEXT,
                        webhook_token TEXT,
                        result TEXT,
                        error_json TEXT,
                        dag_json TEXT,
                        metrics_json TEXT,
                        calls_jsonl TEXT,
                        progress INTEGER NOT NULL DEFAULT 0,
                        current_step TEXT,
                        created_at TEXT NOT NULL,
                        updated_at TEXT NOT NULL,
                        terminal_at TEXT,
                        restarts INTEGER NOT NULL DEFAULT 0
                    );
                    CREATE INDEX executions_key_created ON executions(key_id, created_at);
                    CREATE INDEX executions_key_status ON executions(key_id, status);
                    CREATE TABLE idempotency_keys (
                        key_id TEXT NOT NULL,
                        idempotency_key TEXT NOT NULL,
                        execution_id TEXT NOT NULL,
                        status_code INTEGER NOT NULL,
                        body BLOB NOT NULL,
                        created_at TEXT NOT NULL,
                        expires_at TEXT NOT NULL,
                        PRIMARY KEY (key_id, idempotency_key)
                    );
                    CREATE TABLE daily_usage (
                        key_id TEXT NOT NULL,
                        day TEXT NOT NULL,
                        count INTEGER NOT NULL,
                        PRIMARY KEY (key_id, day)
                    );
                    """)
        }
        // issue-16: leases (epoch seconds of the database's clock) and the call journal.
        migrator.registerMigration("v2-leases") { db in
            try db.execute(
                sql: """
                    ALTER TABLE executions ADD COLUMN lease_owner TEXT;
                    ALTER TABLE executions ADD COLUMN lease_expires_at REAL;
                    ALTER TABLE executions ADD COLUMN live_dag TEXT;
                    CREATE TABLE execution_calls (
                        seq INTEGER PRIMARY KEY AUTOINCREMENT,
                        execution_id TEXT NOT NULL,
                        line TEXT NOT NULL
                    );
                    CREATE INDEX execution_calls_execution ON execution_calls(execution_id, seq);
                    """)
        }
        return migrator
    }

    /// The database's clock in epoch seconds, for leases.
    private static let epochNow = "((julianday('now') - 2440587.5) * 86400.0)"

    // MARK: Keys

    public func insertKey(_ key: APIKeyRecord) async throws {
        defer { keyCache.withLock { $0.removeAll() } }
        try await pool.write { db in
            try db.execute(
                sql: "INSERT INTO api_keys (id, prefix, hash, name, created_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [key.id, key.prefix, key.hash, key.name, key.createdAt, key.revokedAt])
        }
    }

    public func keys() async throws -> [APIKeyRecord] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM api_keys ORDER BY created_at, id").map(Self.key)
        }
    }

    public func keys(prefix: String) async throws -> [APIKeyRecord] {
        let now = ContinuousClock.now
        if let cached = keyCache.withLock({ $0[prefix] }), now - cached.fetched < keyCacheLifetime { return cached.keys }
        let keys = try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM api_keys WHERE prefix = ?", arguments: [prefix]).map(Self.key)
        }
        keyCache.withLock { cache in
            if cache.count > 10_000 { cache.removeAll() }  // bounded: prefixes of unknown keys are cached too
            cache[prefix] = (now, keys)
        }
        return keys
    }

    public func revokeKey(idOrPrefix: String, at: String) async throws -> APIKeyRecord? {
        defer { keyCache.withLock { $0.removeAll() } }
        return try await pool.write { db in
            let rows = try Row.fetchAll(
                db, sql: "SELECT * FROM api_keys WHERE id = ? OR prefix = ?", arguments: [idOrPrefix, idOrPrefix])
            // An ambiguous prefix revokes nothing: the caller must name one key.
            guard rows.count == 1, var key = rows.first.map(Self.key) else { return nil }
            if key.revokedAt == nil {
                key.revokedAt = at
                try db.execute(sql: "UPDATE api_keys SET revoked_at = ? WHERE id = ?", arguments: [at, key.id])
            }
            return key
        }
    }

    private static func key(_ row: Row) -> APIKeyRecord {
        APIKeyRecord(
            id: row["id"], prefix: row["prefix"], hash: row["hash"], createdAt: row["created_at"],
            revokedAt: row["revoked_at"], name: row["name"])
    }

    // MARK: Usage

    public func usage(keyID: String, day: String) async throws -> Int {
        try await pool.read { db in
            try Int.fetchOne(db, sql: "SELECT count FROM daily_usage WHERE key_id = ? AND day = ?", arguments: [keyID, day]) ?? 0
        }
    }

    public func addUsage(_ increments: [UsageIncrement]) async throws {
        guard !increments.isEmpty else { return }
        try await pool.write { db in
            for increment in increments {
                try db.execute(
                    sql: """
                        INSERT INTO daily_usage (key_id, day, count) VALUES (?, ?, ?)
                        ON CONFLICT (key_id, day) DO UPDATE SET count = count + excluded.count
                        """,
                    arguments: [increment.keyID, increment.day, increment.count])
                // Old days' rows are of no use to anyone.
                try db.execute(
                    sql: "DELETE FROM daily_usage WHERE key_id = ? AND day < ?", arguments: [increment.keyID, increment.day])
            }
        }
    }

    // MARK: Executions

    public func create(
        _ execution: StoredExecution, idempotency: IdempotencyClaim?, maxRunning: Int, now: String, lease: ExecutionLease?
    ) async throws -> CreateOutcome {
        let requestJSON = try Self.json(execution.request)
        return try await pool.write { db in
            if let idempotency {
                if let row = try Row.fetchOne(
                    db, sql: "SELECT * FROM idempotency_keys WHERE key_id = ? AND idempotency_key = ?",
                    arguments: [execution.keyID, idempotency.key])
                {
                    let expiresAt: String = row["expires_at"]
                    if expiresAt > now {
                        let body: Data = row["body"]
                        return .replayed(status: row["status_code"], body: Array(body))
                    }
                    try db.execute(
                        sql: "DELETE FROM idempotency_keys WHERE key_id = ? AND idempotency_key = ?",
                        arguments: [execution.keyID, idempotency.key])
                }
            }
            let running =
                try Int.fetchOne(
                    db, sql: "SELECT COUNT(*) FROM executions WHERE key_id = ? AND status = 'running'",
                    arguments: [execution.keyID]) ?? 0
            guard running < maxRunning else { return .concurrencyLimit(running: running) }
            try db.execute(
                sql: """
                    INSERT INTO executions (id, key_id, status, goal, config_profile, max_depth, request_json,
                        webhook_url, webhook_token, progress, current_step, created_at, updated_at, lease_owner, lease_expires_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, \(Self.epochNow) + ?)
                    """,
                arguments: [
                    execution.id, execution.keyID, execution.status.rawValue, execution.request.goal,
                    execution.profile.rawValue, execution.maxDepth, requestJSON, execution.webhookURL,
                    execution.webhookToken, execution.progress, execution.currentStep, execution.createdAt,
                    execution.updatedAt, lease?.owner, lease?.seconds ?? 0,
                ])
            if let idempotency {
                // The primary key is the last line of defence against duplicates.
                try db.execute(
                    sql: """
                        INSERT INTO idempotency_keys (key_id, idempotency_key, execution_id, status_code, body, created_at, expires_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        execution.keyID, idempotency.key, execution.id, idempotency.status, Data(idempotency.body), now,
                        idempotency.expiresAt,
                    ])
            }
            // Expired claims are dead weight; sweep a few on every create.
            try db.execute(
                sql: "DELETE FROM idempotency_keys WHERE rowid IN (SELECT rowid FROM idempotency_keys WHERE expires_at <= ? LIMIT 16)",
                arguments: [now])
            return .created(execution)
        }
    }

    public func execution(id: String, keyID: String, includingDAG: Bool) async throws -> StoredExecution? {
        if !includingDAG, let cached = finishedCache.withLock({ $0[id] }) {
            return cached.keyID == keyID ? cached : nil
        }
        let columns = includingDAG ? Self.columns : Self.columnsWithoutDAG
        let execution = try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT \(columns) FROM executions WHERE id = ? AND key_id = ?", arguments: [id, keyID])
                .map { try Self.execution($0) }
        }
        if !includingDAG, let execution, execution.status != .running {
            finishedCache.withLock { cache in
                if cache.count >= Self.finishedCacheLimit { cache.removeAll() }
                cache[id] = execution
            }
        }
        return execution
    }

    public func list(keyID: String, query: ExecutionQuery) async throws -> (items: [StoredExecution], total: Int) {
        var conditions = ["key_id = ?"]
        var values: [String] = [keyID]
        for (comparison, value) in query.sqlFilters {
            conditions.append("\(comparison) ?")
            values.append(value)
        }
        let whereClause = conditions.joined(separator: " AND ")
        let orderClause = query.sqlOrder
        let columns =
            "id, key_id, status, goal, config_profile, max_depth, request_json, progress, current_step, created_at, updated_at, terminal_at, restarts"
        let countArguments = StatementArguments(values)
        let pageArguments = countArguments + [query.limit, query.offset]
        return try await pool.read { db in
            let total =
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM executions WHERE \(whereClause)", arguments: countArguments) ?? 0
            let rows = try Row.fetchAll(
                db, sql: "SELECT \(columns) FROM executions WHERE \(whereClause) ORDER BY \(orderClause) LIMIT ? OFFSET ?",
                arguments: pageArguments)
            return (try rows.map { try Self.execution($0) }, total)
        }
    }

    public func updateProgress(id: String, progress: Int, currentStep: String?, dag: DAG?, at: String) async throws {
        let dagJSON = try dag.map { try Self.json($0) }
        try await pool.write { db in
            try db.execute(
                sql: """
                    UPDATE executions SET progress = ?, current_step = ?, live_dag = COALESCE(?, live_dag), updated_at = ?
                    WHERE id = ? AND status = 'running'
                    """,
                arguments: [progress, currentStep, dagJSON, at, id])
        }
    }

    public func finish(id: String, outcome: ExecutionOutcome, at: String, owner: String?) async throws -> StoredExecution? {
        // A cancelled execution's row still gains the engine's DAG and metrics here.
        defer { finishedCache.withLock { _ = $0.removeValue(forKey: id) } }
        let dagJSON = try Self.json(outcome.dag)
        let metricsJSON = try Self.json(outcome.metrics)
        let errorJSON = try outcome.error.map { try Self.json($0) }
        return try await pool.write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT status, lease_owner FROM executions WHERE id = ?", arguments: [id])
            else { return nil }
            let status: String = row["status"]
            if let owner, let holder: String = row["lease_owner"], holder != owner { return nil }
            if status == ExecutionStatus.running.rawValue {
                try db.execute(
                    sql: """
                        UPDATE executions SET status = ?, result = ?, error_json = ?, dag_json = ?, metrics_json = ?,
                            calls_jsonl = ?, progress = CASE WHEN ? THEN 100 ELSE progress END, current_step = NULL,
                            updated_at = ?, terminal_at = ?
                        WHERE id = ?
                        """,
                    arguments: [
                        outcome.status.rawValue, outcome.status == .completed ? outcome.result : nil, errorJSON, dagJSON,
                        metricsJSON, outcome.callsJSONL, outcome.status == .completed, at, at, id,
                    ])
            } else {
                // Cancelled by the user meanwhile: keep that status, add what the engine produced.
                try db.execute(
                    sql: "UPDATE executions SET dag_json = ?, metrics_json = ?, calls_jsonl = ? WHERE id = ?",
                    arguments: [dagJSON, metricsJSON, outcome.callsJSONL, id])
            }
            return try Row.fetchOne(db, sql: "SELECT \(Self.columns) FROM executions WHERE id = ?", arguments: [id]).map {
                try Self.execution($0)
            }
        }
    }

    public func cancel(id: String, keyID: String, at: String) async throws -> CancelOutcome {
        let error = try Self.json(APIError(code: "cancelled", message: "The execution was cancelled by the user"))
        return try await pool.write { db in
            guard
                let row = try Row.fetchOne(
                    db, sql: "SELECT \(Self.columns) FROM executions WHERE id = ? AND key_id = ?", arguments: [id, keyID])
            else { return .notFound }
            let execution = try Self.execution(row)
            guard execution.status == .running else { return .notRunning(execution) }
            try db.execute(
                sql: """
                    UPDATE executions SET status = 'cancelled', error_json = ?, current_step = NULL, updated_at = ?, terminal_at = ?
                    WHERE id = ?
                    """,
                arguments: [error, at, at, id])
            let updated = try Row.fetchOne(db, sql: "SELECT \(Self.columns) FROM executions WHERE id = ?", arguments: [id])
            return .cancelled(try updated.map { try Self.execution($0) } ?? execution)
        }
    }

    public func runningExecutions() async throws -> [StoredExecution] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT \(Self.columns) FROM executions WHERE status = 'running' ORDER BY created_at, id")
                .map { try Self.execution($0) }
        }
    }

    public func markRestarted(id: String, at: String) async throws {
        try await pool.write { db in
            try db.execute(
                sql: """
                    UPDATE executions SET restarts = restarts + 1, progress = 0, current_step = NULL, updated_at = ?
                    WHERE id = ? AND status = 'running'
                    """,
                arguments: [at, id])
        }
    }

    // MARK: Leases, journal, exact counts (issue-16)

    public var isShared: Bool { false }

    public func claim(_ lease: ExecutionLease, limit: Int, includingLive: Bool, at: String) async throws -> [StoredExecution] {
        guard limit > 0 else { return [] }
        return try await pool.write { db in
            let lapsed = includingLive ? "" : "AND (lease_owner IS NULL OR lease_expires_at <= \(Self.epochNow))"
            let ids = try String.fetchAll(
                db,
                sql: """
                    SELECT id FROM executions WHERE status = 'running' AND (lease_owner IS NULL OR lease_owner <> ?) \(lapsed)
                    ORDER BY created_at, id LIMIT ?
                    """,
                arguments: [lease.owner, limit])
            var claimed: [StoredExecution] = []
            for id in ids {
                try db.execute(
                    sql: """
                        UPDATE executions SET lease_owner = ?, lease_expires_at = \(Self.epochNow) + ?, restarts = restarts + 1,
                            updated_at = ?
                        WHERE id = ?
                        """,
                    arguments: [lease.owner, lease.seconds, at, id])
                if let row = try Row.fetchOne(db, sql: "SELECT \(Self.columns) FROM executions WHERE id = ?", arguments: [id]) {
                    claimed.append(try Self.execution(row))
                }
            }
            return claimed
        }
    }

    public func renew(_ lease: ExecutionLease, ids: [String]) async throws -> [String: ExecutionStatus] {
        guard !ids.isEmpty else { return [:] }
        return try await pool.write { db in
            var statuses: [String: ExecutionStatus] = [:]
            for id in ids {
                try db.execute(
                    sql: "UPDATE executions SET lease_expires_at = \(Self.epochNow) + ? WHERE id = ? AND lease_owner = ?",
                    arguments: [lease.seconds, id, lease.owner])
                if let status = try String.fetchOne(
                    db, sql: "SELECT status FROM executions WHERE id = ? AND lease_owner = ?", arguments: [id, lease.owner])
                {
                    statuses[id] = ExecutionStatus(rawValue: status) ?? .failed
                }
            }
            return statuses
        }
    }

    public func appendCall(executionID: String, owner: String, line: String) async throws {
        try await pool.write { db in
            try db.execute(
                sql: """
                    INSERT INTO execution_calls (execution_id, line)
                    SELECT ?, ? WHERE EXISTS (SELECT 1 FROM executions WHERE id = ? AND lease_owner = ?)
                    """,
                arguments: [executionID, line, executionID, owner])
        }
    }

    public func journal(executionID: String) async throws -> [String] {
        try await pool.read { db in
            try String.fetchAll(db, sql: "SELECT line FROM execution_calls WHERE execution_id = ? ORDER BY seq", arguments: [executionID])
        }
    }

    public func consumeUsage(keyID: String, day: String, limit: Int) async throws -> UsageDecision {
        try await pool.write { db in
            let used =
                try Int.fetchOne(db, sql: "SELECT count FROM daily_usage WHERE key_id = ? AND day = ?", arguments: [keyID, day]) ?? 0
            guard used < limit else { return UsageDecision(allowed: false, used: used) }
            try db.execute(
                sql: """
                    INSERT INTO daily_usage (key_id, day, count) VALUES (?, ?, 1)
                    ON CONFLICT (key_id, day) DO UPDATE SET count = count + 1
                    """,
                arguments: [keyID, day])
            return UsageDecision(allowed: true, used: used + 1)
        }
    }

    // MARK: Rows

    /// Every column but the calls, which are kept for audits and never served.
    private static let columnsWithoutDAG = """
        id, key_id, status, goal, config_profile, max_depth, request_json, webhook_url, webhook_token, result,
        error_json, metrics_json, progress, current_step, created_at, updated_at, terminal_at, restarts
        """
    private static let columns = columnsWithoutDAG + ", dag_json, live_dag"

    private static func execution(_ row: Row) throws -> StoredExecution {
        let requestJSON: String = row["request_json"]
        let request = try CanonicalJSON.decode(ExecutionRequest.self, from: Data(requestJSON.utf8))
        let statusText: String = row["status"]
        return StoredExecution(
            id: row["id"], keyID: row["key_id"], status: ExecutionStatus(rawValue: statusText) ?? .failed,
            request: request, maxDepth: row["max_depth"],
            webhookURL: row.hasColumn("webhook_url") ? row["webhook_url"] : nil,
            webhookToken: row.hasColumn("webhook_token") ? row["webhook_token"] : nil,
            result: row.hasColumn("result") ? row["result"] : nil,
            error: try decode(APIError.self, row, "error_json"),
            dag: try decode(DAG.self, row, "dag_json") ?? decode(DAG.self, row, "live_dag"),
            metrics: try decode(ExecutionMetadata.self, row, "metrics_json"),
            progress: row["progress"], currentStep: row["current_step"],
            createdAt: row["created_at"], updatedAt: row["updated_at"], terminalAt: row["terminal_at"],
            restarts: row["restarts"])
    }

    private static func decode<T: Decodable>(_ type: T.Type, _ row: Row, _ column: String) throws -> T? {
        guard row.hasColumn(column), let text: String = row[column] else { return nil }
        return try CanonicalJSON.decode(type, from: Data(text.utf8))
    }

    private static func json<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try CanonicalJSON.encodeLine(value), as: UTF8.self)
    }
}

extension SQLiteExecutionStore {
    /// Why the database file could not be opened, in one line: SQLite's own message ("unable to
    /// open database file", "file is not a database"), not GRDB's error dump.
    public static func reason(_ error: any Error) -> String {
        (error as? DatabaseError)?.message ?? "\(error)"
    }
}
