import Foundation
import ROMACore
import ROMAEngine

/// The MCP servers of one run: each started on first use, its tools listed once, all stopped by
/// `shutdown()` at the run's end (Ctrl-C included).
public actor MCPToolHub: ToolBox {
    /// Where one server stands.
    private enum Server {
        /// A caller is starting it; the others wait here for its connection.
        case starting(waiters: [CheckedContinuation<MCPServerConnection, any Error>])
        case running(MCPServerConnection)
        /// It would not start; every later caller gets the same error (a server is started once).
        case failed(any Error)
    }

    /// The starter was cancelled before the server was up: a waiter starts it instead.
    private struct StarterCancelled: Error {}

    private let servers: [String: ToolServer]
    private let environment: [String: String]
    private let startTimeout: Duration
    private var state: [String: Server] = [:]
    private var stopped = false
    /// Tests' view of the start protocol: `starting NAME` and `waiting NAME`.
    private let observe: @Sendable (String) -> Void

    /// Creates a hub; nothing starts until a goal needs a server.
    ///
    /// - Parameters:
    ///   - servers: the manifest's `tools:` section.
    ///   - environment: where variable names (`env`, `headers_env`) are looked up, and `PATH`.
    ///   - startTimeout: how long a server may take to start and list its tools.
    public init(servers: [String: ToolServer], environment: [String: String], startTimeout: Duration = .seconds(60)) {
        self.init(servers: servers, environment: environment, startTimeout: startTimeout, observe: { _ in })
    }

    init(
        servers: [String: ToolServer], environment: [String: String], startTimeout: Duration, observe: @escaping @Sendable (String) -> Void
    ) {
        self.servers = servers
        self.environment = environment
        self.startTimeout = startTimeout
        self.observe = observe
    }

    public func definitions(for references: [ToolReference]) async throws -> [ToolDefinition] {
        var result: [ToolDefinition] = []
        var seen = Set<String>()
        for reference in references where seen.insert(reference.server).inserted {
            result += try await connection(reference.server).tools
        }
        return result
    }

    public nonisolated func call(server: String, tool: String, arguments: JSONValue, context: ToolCallContext) async throws -> ToolResult {
        let started = Date()
        var result = try await connection(server).call(tool: tool, arguments: arguments)
        result.startedAt = started
        result.finishedAt = Date()
        return result
    }

    /// Stops every server this hub started and waits for their processes to exit. A start still
    /// under way is waited for (its starter stops what it started once it sees the hub stopped).
    public func shutdown() async {
        stopped = true
        for name in Array(state.keys) {
            switch state[name] {
            case .running(let connection):
                state[name] = nil
                await connection.stop()
            case .starting:
                _ = try? await awaitStart(name)
            case .failed, nil:
                break
            }
        }
    }

    /// The running server, started once however many goals ask at the same time.
    ///
    /// Structured: the first caller starts the server in its own task while the others wait for
    /// it. If that caller is cancelled before the server is up, a waiter starts it instead, so one
    /// goal's cancellation never fails another's tool call.
    private func connection(_ name: String) async throws -> MCPServerConnection {
        while true {
            switch state[name] {
            case .running(let connection):
                return connection
            case .failed(let error):
                throw error
            case .starting:
                do {
                    return try await awaitStart(name)
                } catch is StarterCancelled {
                    continue
                }
            case nil:
                return try await start(name)
            }
        }
    }

    private func awaitStart(_ name: String) async throws -> MCPServerConnection {
        try await withCheckedThrowingContinuation { continuation in
            guard case .starting(let waiters) = state[name] else {
                // The start ended between the caller's check and now (an actor hop): look again.
                return continuation.resume(throwing: StarterCancelled())
            }
            state[name] = .starting(waiters: waiters + [continuation])
            observe("waiting \(name)")
        }
    }

    private func start(_ name: String) async throws -> MCPServerConnection {
        guard !stopped else {
            throw ToolError(code: .serverFailed, server: name, message: "the run is stopping; tool server '\(name)' is not started")
        }
        guard let server = servers[name] else {
            throw ToolError(code: .serverFailed, server: name, message: "no tool server named '\(name)' in the manifest's tools: section")
        }
        state[name] = .starting(waiters: [])
        observe("starting \(name)")
        let outcome: Result<MCPServerConnection, any Error>
        do {
            outcome = .success(try await MCPServerConnection.start(server, environment: environment, timeout: startTimeout))
        } catch {
            outcome = .failure(error)
        }
        guard case .starting(let waiters) = state[name] else { preconditionFailure("only its starter ends a start") }
        switch outcome {
        case .success(let connection) where stopped:
            state[name] = nil
            await connection.stop()
            let error = ToolError(code: .serverFailed, server: name, message: "the run is stopping; tool server '\(name)' was stopped")
            for waiter in waiters { waiter.resume(throwing: error) }
            throw error
        case .success(let connection):
            state[name] = .running(connection)
            for waiter in waiters { waiter.resume(returning: connection) }
            return connection
        case .failure(let error) where Task.isCancelled || error is CancellationError:
            state[name] = nil
            for waiter in waiters { waiter.resume(throwing: StarterCancelled()) }
            throw error
        case .failure(let error):
            state[name] = .failed(error)
            for waiter in waiters { waiter.resume(throwing: error) }
            throw error
        }
    }
}
