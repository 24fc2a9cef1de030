import Foundation
import Logging
import MCP
import ROMACore
import ROMAEngine

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// One running MCP server: its client session, its process (for stdio servers) and its tools.
///
/// A class because it owns resources: a child process and its pipes.
final class MCPServerConnection: Sendable {
    let name: String
    let client: Client
    let tools: [ToolDefinition]
    private let child: ChildProcess?

    private init(name: String, client: Client, tools: [ToolDefinition], child: ChildProcess?) {
        self.name = name
        self.client = client
        self.tools = tools
        self.child = child
    }

    /// Starts (or connects to) a server, initializes the session and lists its tools once.
    static func start(_ server: ToolServer, environment: [String: String], timeout: Duration) async throws -> MCPServerConnection {
        let client = Client(name: "roma", version: "1")
        var child: ChildProcess?
        let transport: any Transport
        switch server.transport {
        case .stdio(let command, let names):
            let started = try ChildProcess.start(server: server.name, command: command, environment: environment, passing: names)
            child = started
            transport = PipeTransport(reading: started.output, writing: started.input)
        case .http(let url, let headers):
            guard let endpoint = URL(string: url) else {
                throw ToolError(code: .serverFailed, server: server.name, message: "the tool server '\(server.name)' has no valid url")
            }
            // Header values come from the environment now, and go nowhere but the request.
            let values = headers.compactMapValues { environment[$0] }
            transport = HTTPClientTransport(
                endpoint: endpoint, streaming: false,
                requestModifier: { request in
                    var request = request
                    for (header, value) in values { request.setValue(value, forHTTPHeaderField: header) }
                    return request
                })
        }
        do {
            let session: @Sendable () async throws -> [Tool] = {
                try await client.connect(transport: transport)
                var listed: [Tool] = []
                var cursor: String?
                repeat {
                    let page = try await client.listTools(cursor: cursor)
                    listed += page.tools
                    cursor = page.nextCursor
                } while cursor != nil
                return listed
            }
            let tools = try await Self.within(
                timeout, server: server.name, watching: child, onTimeout: { await client.disconnect() }, session)
            let definitions = tools.map {
                ToolDefinition(
                    server: server.name, tool: $0.name, description: $0.description ?? "", inputSchema: MCPValue.json($0.inputSchema))
            }
            return MCPServerConnection(name: server.name, client: client, tools: definitions, child: child)
        } catch {
            await client.disconnect()
            await child?.stop()
            if let exit = child?.exitStatus {
                throw ToolError(
                    code: .serverFailed, server: server.name,
                    message: "the tool server '\(server.name)' exited with status \(exit) before it answered (\(server.commandName))")
            }
            if let error = error as? ToolError { throw error }
            throw ToolError(
                code: .serverFailed, server: server.name,
                message: "the tool server '\(server.name)' did not start: \(Self.describe(error))")
        }
    }

    /// Calls a tool. Tool errors (the tool's `isError`, a JSON-RPC error) are results; a server that
    /// exits throws. Cancellation (a timeout) cancels the request.
    func call(tool: String, arguments: JSONValue) async throws -> ToolResult {
        if let exit = child?.exitStatus {
            throw ToolError(code: .serverFailed, server: name, message: "the tool server '\(name)' has exited (status \(exit))")
        }
        let object = MCPValue.value(arguments)
        guard case .object(let members) = object else {
            return ToolResult(text: "the arguments must be a JSON object", isError: true)
        }
        let client = self.client
        do {
            let context: RequestContext<CallTool.Result> = try await client.callTool(name: tool, arguments: members)
            let child = self.child
            let result = try await withThrowingTaskGroup(of: CallTool.Result?.self) { group in
                group.addTask { try await context.value }
                group.addTask {
                    await Self.untilCancelled()  // the caller's cancellation, or the answer's arrival
                    return nil
                }
                if let child {
                    group.addTask {
                        // A server that dies mid-call: closing the session fails the request.
                        await child.untilExit()
                        if child.exitStatus != nil { await client.disconnect() }
                        return nil
                    }
                }
                defer { group.cancelAll() }
                while let next = try await group.next() {
                    if let result = next { return result }
                    guard Task.isCancelled else { continue }  // the process exited: the request fails next
                    // Cancelled (a timeout, Ctrl-C): the SDK's request does not follow
                    // cancellation; cancelling the request ends it, locally at once (the
                    // notification to the server is best effort).
                    try? await client.cancelRequest(context.requestID, reason: "timed out")
                }
                throw CancellationError()
            }
            return ToolResult(text: MCPValue.text(result.content), isError: result.isError ?? false)
        } catch {
            if Task.isCancelled || error is CancellationError { throw CancellationError() }
            if let exit = await child?.waitForExit(ifClosing: true) {
                throw ToolError(
                    code: .serverFailed, server: name, message: "the tool server '\(name)' exited (status \(exit)) during a call to \(tool)"
                )
            }
            if case .transportError = error as? MCPError {
                throw ToolError(code: .serverFailed, server: name, message: "the tool server '\(name)' failed: \(Self.describe(error))")
            }
            return ToolResult(text: Self.describe(error), isError: true)
        }
    }

    /// Ends the session and stops the process.
    func stop() async {
        await client.disconnect()
        await child?.stop()
    }

    /// Returns when the current task is cancelled.
    private static func untilCancelled() async {
        let (never, keep) = AsyncStream.makeStream(of: Never.self)
        for await _ in never {}
        keep.finish()
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? MCPError { return error.errorDescription ?? "\(error)" }
        return "\(error)"
    }

    /// Runs `operation` with a deadline; at the deadline, or when `child` exits first, `onTimeout`
    /// ends it (the SDK's requests do not follow cancellation) and a clear error names the server.
    static func within<T: Sendable>(
        _ timeout: Duration, server: String, watching child: ChildProcess? = nil, onTimeout: @escaping @Sendable () async -> Void,
        _ operation: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await operation() }
            group.addTask {
                try await Task.sleep(for: timeout)
                await onTimeout()
                return nil
            }
            if let child {
                group.addTask {
                    await child.untilExit()
                    if child.exitStatus != nil { await onTimeout() }
                    return nil
                }
            }
            defer { group.cancelAll() }
            guard case .some(.some(let value)) = try await group.next() else {
                throw ToolError(
                    code: .serverFailed, server: server, message: "the tool server '\(server)' did not answer within \(timeout) of starting"
                )
            }
            return value
        }
    }
}

extension ToolServer {
    /// The program's name, for messages (never its arguments, which may carry tokens).
    var commandName: String {
        switch transport {
        case .stdio(let command, _): (command.first as NSString?)?.lastPathComponent ?? ""
        case .http: "http"
        }
    }
}
