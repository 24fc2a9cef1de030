import Foundation

/// `postgres://USER[:PASSWORD]@HOST[:PORT]/DB`, parsed. The password is accepted only from the
/// environment (`ROMA_DATABASE_URL`'s own password, or `PGPASSWORD`), never from a command line,
/// and `description` never shows it.
public struct PostgresDatabaseURL: Sendable, Hashable, CustomStringConvertible {
    public var user: String
    public var password: String?
    public var host: String
    public var port: Int
    public var database: String

    /// Whether `text` names a PostgreSQL database rather than a SQLite file.
    public static func isPostgres(_ text: String) -> Bool {
        text.hasPrefix("postgres://") || text.hasPrefix("postgresql://")
    }

    /// Parses `text`.
    ///
    /// - Parameters:
    ///   - passwordAllowed: whether the URL may carry a password (true when it came from an
    ///     environment variable, false when it was typed on a command line, where `ps` shows it).
    ///   - environment: supplies `PGPASSWORD` when the URL has no password.
    /// - Throws: a one-line message naming what is wrong (never the password).
    public init(_ text: String, passwordAllowed: Bool, environment: [String: String]) throws {
        guard Self.isPostgres(text), let components = URLComponents(string: text), let host = components.host, !host.isEmpty
        else {
            throw PostgresURLError(message: "invalid database URL: expected postgres://USER@HOST:PORT/DB")
        }
        let database = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        guard let user = components.user, !user.isEmpty, !database.isEmpty else {
            throw PostgresURLError(message: "invalid database URL \(host): expected postgres://USER@HOST:PORT/DB")
        }
        if components.password != nil, !passwordAllowed {
            throw PostgresURLError(
                message: "a password in --db would show in the process list: set PGPASSWORD, or put the URL in ROMA_DATABASE_URL")
        }
        self.user = user.removingPercentEncoding ?? user
        self.password = components.password?.removingPercentEncoding ?? environment["PGPASSWORD"].flatMap { $0.isEmpty ? nil : $0 }
        self.host = host
        self.port = components.port ?? 5432
        self.database = database
    }

    /// The URL without its password.
    public var description: String { "postgres://\(user)@\(host):\(port)/\(database)" }
}

/// A database URL that cannot be used.
public struct PostgresURLError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
