import Foundation
import ROMACore
import ROMAEngine

/// The MCP servers of one run: each started on first use, its tools listed once, all stopped by
/// `shutdown()` at the run's end (Ctrl-C included).
public actor MCPToolHub: ToolBox {
    private let servers: [String: ToolServer]
    private let environment: [String: String]
    private let startTimeout: Duration
    private var starting: [String: Task<MCPServerConnection, any Error>] = [:]
    private var connections: [String: MCPServerConnection] = [:]
    private var stopped = false

    /// Creates a hub; nothing starts until a goal needs a server.
    ///
    /// - Parameters:
    ///   - servers: the manifest's `tools:` section.
    ///   - environment: where variable names (`env`, `headers_env`) are looked up, and `PATH`.
    ///   - startTimeout: how long a server may take to start and list its tools.
    public init(servers: [String: ToolServer], environment: [String: String], startTimeout: Duration = .seconds(60)) {
        self.servers = servers
        self.environment = environment
        self.startTimeout = startTimeout
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

    /// Stops every server this hub started and waits for their processes to exit.
    public func shutdown() async {
        stopped = true
        let tasks = Array(starting.values)
        starting = [:]
        connections = [:]
        for task in tasks { if let connection = try? await task.value { await connection.stop() } }
    }

    /// The running server, started once however many goals ask at the same time.
    private func connection(_ name: String) async throws -> MCPServerConnection {
        if let running = connections[name] { return running }
        guard !stopped else {
            throw ToolError(code: .serverFailed, server: name, message: "the run is stopping; tool server '\(name)' is not started")
        }
        guard let server = servers[name] else {
            throw ToolError(code: .serverFailed, server: name, message: "no tool server named '\(name)' in the manifest's tools: section")
        }
        let task =
            starting[name]
            ?? {
                let (environment, timeout) = (self.environment, self.startTimeout)
                // Unstructured on purpose: one start is shared by every goal that asks at once, so
                // it belongs to the hub, not to the first caller (whose cancellation must not fail
                // the others); the hub keeps it in `starting` and `shutdown()` awaits it.
                let task = Task { try await MCPServerConnection.start(server, environment: environment, timeout: timeout) }
                starting[name] = task
                return task
            }()
        let connection = try await task.value
        if connections[name] == nil && !stopped { connections[name] = connection }
        return connection
    }
}
