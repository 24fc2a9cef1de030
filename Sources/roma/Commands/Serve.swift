import ArgumentParser
import Foundation
import Logging
import ROMACore
import ROMAEngine
import ROMAServer
import ROMATools
import ServiceLifecycle

extension Roma {
    /// `roma serve`: the ROMA API over the local engine, and its API keys.
    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Serve the ROMA API (/api/v1/executions) over the local engine.",
            discussion: """
                State lives in one SQLite file (--db). Create an API key first with \
                `roma serve keys create --db FILE`.

                The openai provider reads OPENAI_BASE_URL and OPENAI_API_KEY (never logged); \
                ROMA_MODEL and ROMA_MODEL_<PROFILE> choose the model of each profile.

                Stops gracefully on SIGTERM/SIGINT; executions still running then are re-run \
                from the start on the next start. See docs/server.md.
                """,
            subcommands: [Keys.self])

        @Option(help: "TCP port to listen on.")
        var port = 8080

        @Option(help: "Interface to bind (use 0.0.0.0 to listen on every interface).")
        var host = "127.0.0.1"

        // issue-16: --db also takes postgres://USER@HOST:PORT/DB; ROMA_DATABASE_URL is the default.
        @Option(
            help:
                "SQLite database file (created if missing), or postgres://USER@HOST:PORT/DB for replicas sharing PostgreSQL (password from PGPASSWORD). Default: $ROMA_DATABASE_URL, else roma-serve.sqlite."
        )
        var db: String?

        @Option(help: "LLM provider: openai (any OpenAI-compatible endpoint) or offline (deterministic, no network).")
        var provider: ServeProvider = .openai

        @Option(help: "Base URL of the OpenAI-compatible API (default: $OPENAI_BASE_URL or https://api.openai.com/v1).")
        var baseURL: String?

        @Option(help: "Requests each API key may make per UTC day.")
        var dailyLimit = 1000

        @Option(help: "Executions each API key may have running at once.")
        var maxConcurrent = 10

        @Option(help: "LLM calls in flight at once, across all executions.")
        var maxCalls = 8

        @Option(help: "Serve Prometheus metrics at http://HOST:P/metrics (off by default).")
        var metricsPort: Int?

        // issue-16
        @Option(
            help:
                "Seconds a replica's claim on an execution lasts without a heartbeat: a dead replica's executions are taken over this long after it stopped renewing (PostgreSQL)."
        )
        var leaseSeconds: Double = 30

        @Option(
            help:
                "A server configuration file in the manifest's format without goals: tools:, defaults: { tools: }, engine: (limits, tool knobs, max_cost_usd), profiles: and pricing:."
        )
        var config: String?

        /// Reads `--config`: diagnostics on stderr and exit 65 when it is invalid.
        func loadConfiguration() throws -> Manifest? {
            guard let config else { return nil }
            let (settings, diagnostics) = ManifestLoader().load(file: config, goalsRequired: false)
            for diagnostic in diagnostics { Terminal.standardError.write(diagnostic.rendered() + "\n") }
            guard let settings, diagnostics.isEmpty else { throw ExitStatus.invalidManifest }
            return settings
        }

        func validate() throws {
            guard (0...65_535).contains(port) else { throw ValidationError("--port must be from 0 to 65535") }
            guard dailyLimit >= 1 else { throw ValidationError("--daily-limit must be at least 1") }
            guard maxConcurrent >= 1 else { throw ValidationError("--max-concurrent must be at least 1") }
            guard maxCalls >= 1 else { throw ValidationError("--max-calls must be at least 1") }
            if let metricsPort, !(0...65_535).contains(metricsPort) { throw ValidationError("--metrics-port must be from 0 to 65535") }
            guard leaseSeconds >= 0.5 else { throw ValidationError("--lease-seconds must be at least 0.5") }
        }

        func run() async throws {
            let redactor = Redactor.fromEnvironment(ProcessInfo.processInfo.environment)
            let level = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
            LoggingSystem.bootstrap { label in LineLogHandler(label: label, level: level, redactor: redactor) }
            let logger = Logger(label: "roma.serve")
            let environment = ProcessInfo.processInfo.environment
            let limiter = CallLimiter(limit: maxCalls)
            let model: any LanguageModel
            switch provider {
            case .offline:
                model = LimitedModel(OfflineModel(), limiter: limiter)
            case .openai:
                let base = baseURL ?? environment["OPENAI_BASE_URL"].flatMap { $0.isEmpty ? nil : $0 } ?? "https://api.openai.com/v1"
                let key = environment["OPENAI_API_KEY"].flatMap { $0.isEmpty ? nil : $0 }
                model = ResilientModel(LimitedModel(OpenAIModel(configuration: .init(baseURL: base, apiKey: key)), limiter: limiter))
                // The key itself is never logged; only whether there is one.
                logger.info("provider openai", metadata: ["base_url": "\(base)", "api_key": "\(key == nil ? "absent" : "present")"])
            }
            let settings = try loadConfiguration()
            try await withStore(logger: logger) { store, location in
                var profiles = ProfileTable.resolve(manifest: settings?.profileModels ?? [:], environment: environment)
                var engine = ExecutionEngine(model: model)
                var hub: MCPToolHub?
                if let settings {
                    profiles.agents = settings.profileAgentModels
                    // The defaults' allow list applies to every execution: it joins every profile's toolset.
                    for profile in ConfigProfile.allCases {
                        let tools = (settings.defaultTools ?? []) + (settings.profileTools[profile] ?? [])
                        if !tools.isEmpty { profiles.tools[profile] = tools }
                    }
                    engine.configuration.apply(settings.engine)
                    engine.configuration.pricing = settings.pricing
                    if !settings.tools.isEmpty {
                        let tools = MCPToolHub(servers: settings.tools, environment: environment)
                        engine.tools = tools
                        hub = tools
                        logger.info("tool servers", metadata: ["servers": "\(settings.tools.keys.sorted().joined(separator: ", "))"])
                    }
                }
                try await TraceExport.around(environment) { tracing in
                    engine.configuration.tracing = tracing
                    try await serve(
                        engine: engine, store: store, location: location, profiles: profiles, hub: hub, redactor: redactor,
                        logger: logger)
                }
            }
        }

        private func serve(
            engine: ExecutionEngine, store: any ExecutionStore, location: String, profiles: ProfileTable, hub: MCPToolHub?,
            redactor: Redactor, logger: Logger
        ) async throws {
            var serverConfiguration = ServerConfiguration(
                host: host, port: port, dailyRequestLimit: dailyLimit, maxConcurrentExecutions: maxConcurrent)
            // issue-16: heartbeats every 2 s, or three per lease when the lease is shorter than 6 s.
            serverConfiguration.leaseDuration = .milliseconds(Int(leaseSeconds * 1000))
            serverConfiguration.heartbeatInterval = .milliseconds(Int(min(2, leaseSeconds / 3) * 1000))
            serverConfiguration.redactor = redactor
            let server = APIServer(
                configuration: serverConfiguration,
                store: store, engine: engine, profiles: profiles, logger: logger)
            var services: [any Service] = []
            if let metricsPort {
                let host = host
                services.append(
                    MetricsEndpoint.bootstrap().makeApplication(host: host, port: metricsPort, logger: logger) { port in
                        logger.notice("roma serve metrics", metadata: ["address": "http://\(host):\(port)/metrics"])
                    })
            }
            do {
                try await server.run(alongside: services) { port in
                    logger.notice("roma serve listening", metadata: ["address": "http://\(host):\(port)", "db": "\(location)"])
                }
            } catch {
                await hub?.shutdown()
                throw error
            }
            await hub?.shutdown()
        }
    }

    /// The providers `roma serve` can run on.
    enum ServeProvider: String, ExpressibleByArgument, CaseIterable {
        case openai, offline
    }
}

extension Roma.Serve {
    /// `roma serve keys`: create, list and revoke API keys.
    struct Keys: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Manage the server's API keys (stored as SHA-256 hashes; a key is shown once).",
            discussion: "Every keys command takes roma serve's --db: roma serve keys create --db FILE.",
            subcommands: [Create.self, List.self, Revoke.self])
    }
}

extension Roma.Serve.Keys {
    /// `roma serve keys create`.
    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create an API key and print it (once).")

        /// `--db` belongs to `roma serve` (it may still be written after `keys create`).
        @ParentCommand var serve: Roma.Serve

        @Option(help: "A label for the key.")
        var name: String?

        func run() async throws {
            try await serve.withStore(logger: Logger(label: "roma.serve")) { store, _ in
                let (secret, record) = APIKeySecret.makeKey(name: name, now: Date())
                try await store.insertKey(record)
                print(secret)
                Terminal.standardError.write(
                    "created \(record.id) (\(record.prefix)…); store the key now: it is not shown again\n")
            }
        }
    }

    /// `roma serve keys list`.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List API keys (id, prefix, created, revoked).")

        /// `--db` belongs to `roma serve` (it may still be written after `keys create`).
        @ParentCommand var serve: Roma.Serve

        func run() async throws {
            try await serve.withStore(logger: Logger(label: "roma.serve")) { store, _ in
                let keys = try await store.keys()
                let rows =
                    [["ID", "PREFIX", "CREATED", "REVOKED", "NAME"]]
                    + keys.map { [$0.id, $0.prefix + "…", $0.createdAt, $0.revokedAt ?? "-", $0.name ?? ""] }
                let widths = (0..<5).map { column in rows.map { $0[column].count }.max() ?? 0 }
                for row in rows {
                    print(
                        row.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  ")
                            .trimmingCharacters(in: .whitespaces))
                }
            }
        }
    }

    /// `roma serve keys revoke`.
    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke an API key by id or prefix.")

        /// `--db` belongs to `roma serve` (it may still be written after `keys create`).
        @ParentCommand var serve: Roma.Serve

        @Argument(help: "The key's id (key_…) or prefix (sk_live_ + 8 characters).")
        var key: String

        func run() async throws {
            try await serve.withStore(logger: Logger(label: "roma.serve")) { store, _ in
                let lookup = key.hasSuffix("…") ? String(key.dropLast()) : key
                guard let revoked = try await store.revokeKey(idOrPrefix: lookup, at: Timestamp.string(Date())) else {
                    Terminal.standardError.write("error: no single key has the id or prefix '\(key)'\n")
                    throw ExitStatus.usage
                }
                print("revoked \(revoked.id) (\(revoked.prefix)…)")
            }
        }
    }
}

// issue-16 begin
extension Roma.Serve {
    /// Runs `body` with the store `--db` (or `ROMA_DATABASE_URL`) names and a description of it
    /// without any password; a PostgreSQL store's connection pool lives as long as `body`. A
    /// PostgreSQL URL on the command line may not carry a password (`ps` would show it): it comes
    /// from `ROMA_DATABASE_URL` or `PGPASSWORD`. Errors are one line, exit 64 (bad URL) or 74
    /// (cannot open or migrate).
    func withStore(logger: Logger, _ body: (any ExecutionStore, String) async throws -> Void) async throws {
        let environment = ProcessInfo.processInfo.environment
        let fromEnvironment = environment["ROMA_DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 }
        let target = db ?? fromEnvironment ?? "roma-serve.sqlite"
        guard PostgresDatabaseURL.isPostgres(target) else {
            let store: SQLiteExecutionStore
            do {
                store = try SQLiteExecutionStore(path: target)
            } catch {
                Terminal.standardError.write("error: cannot open the SQLite database \(target): \(SQLiteExecutionStore.reason(error))\n")
                throw ExitStatus.ioError
            }
            return try await body(store, target)
        }
        let url: PostgresDatabaseURL
        do {
            url = try PostgresDatabaseURL(target, passwordAllowed: db == nil, environment: environment)
        } catch {
            Terminal.standardError.write("error: \(error)\n")
            throw ExitStatus.usage
        }
        var opened = false
        do {
            try await PostgresExecutionStore.withStore(url: url, logger: logger) { store in
                opened = true
                try await body(store, url.description)
            }
        } catch  where !opened {
            Terminal.standardError.write("error: cannot open the PostgreSQL database \(url): \(PostgresExecutionStore.reason(error))\n")
            throw ExitStatus.ioError
        }
    }
}
// issue-16 end
