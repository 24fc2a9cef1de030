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

    /// A PostgreSQL store in a schema of its own (a fresh, empty database for one test).
    static func postgres(maxConnections: Int = 20) async throws -> PostgresExecutionStore {
        let text = try #require(postgresURL)
        let url = try PostgresDatabaseURL(text, passwordAllowed: true, environment: ProcessInfo.processInfo.environment)
        return try await PostgresExecutionStore(url: url, schema: "t_" + schemaSuffix(), maxConnections: maxConnections)
    }

    /// A PostgreSQL store on an existing schema (a second replica of a test).
    static func postgres(schema: String, maxConnections: Int = 20) async throws -> PostgresExecutionStore {
        let text = try #require(postgresURL)
        let url = try PostgresDatabaseURL(text, passwordAllowed: true, environment: ProcessInfo.processInfo.environment)
        return try await PostgresExecutionStore(url: url, schema: schema, maxConnections: maxConnections)
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
