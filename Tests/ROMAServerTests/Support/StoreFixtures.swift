import Foundation
import ROMACore
import Testing

@testable import ROMAServer

/// The stores the contract suite runs against: SQLite always, PostgreSQL when
/// `ROMA_TEST_DATABASE_URL` names one (`scripts/postgres-test` starts one; CI does).
enum StoreFixture {
    /// The test cluster's URL, if any.
    static let postgresURL: String? = ProcessInfo.processInfo.environment["ROMA_TEST_DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 }

    /// Why the PostgreSQL tests are skipped (Swift Testing prints it).
    static let postgresSkipReason: Comment =
        "ROMA_TEST_DATABASE_URL is not set: run scripts/postgres-test (or `eval $(scripts/postgres-test start)`) to run the PostgreSQL suites"

    /// Runs `body` with a PostgreSQL store in a schema of its own (a fresh, empty database for one test).
    static func withPostgres<T: Sendable>(maxConnections: Int = 20, _ body: (PostgresExecutionStore) async throws -> T) async throws -> T {
        try await withPostgres(schema: "t_" + schemaSuffix(), maxConnections: maxConnections, body)
    }

    /// Runs `body` with a PostgreSQL store on `schema` (created if missing; a second replica of a test shares it).
    static func withPostgres<T: Sendable>(
        schema: String, maxConnections: Int = 20, _ body: (PostgresExecutionStore) async throws -> T
    ) async throws -> T {
        let text = try #require(postgresURL)
        let url = try PostgresDatabaseURL(text, passwordAllowed: true, environment: ProcessInfo.processInfo.environment)
        return try await PostgresExecutionStore.withStore(url: url, schema: schema, maxConnections: maxConnections, body)
    }

    /// Runs `body` with `count` stores on one schema: the replicas of one test.
    static func withPostgres<T: Sendable>(
        replicas count: Int, schema: String, maxConnections: Int = 20, _ body: ([PostgresExecutionStore]) async throws -> T
    ) async throws -> T {
        guard count > 0 else { return try await body([]) }
        return try await withPostgres(schema: schema, maxConnections: maxConnections) { first in
            try await withPostgres(replicas: count - 1, schema: schema, maxConnections: maxConnections) { others in
                try await body([first] + others)
            }
        }
    }

    static func schemaSuffix() -> String {
        String(UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(16))
    }

    /// A SQLite store in a temporary file.
    static func sqlite() throws -> SQLiteExecutionStore {
        try SQLiteExecutionStore(
            path: FileManager.default.temporaryDirectory.appendingPathComponent("roma-store-\(UUID().uuidString).sqlite").path)
    }
}
