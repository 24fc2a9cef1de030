import Foundation
import ROMACore
import ROMAEngine

/// A tool server in memory, for engine and runner tests without Python: one server, `test`, with
/// tools that succeed (`lookup`), fail (`fail`), never answer (`slow`), return 1 MB (`big`) and
/// die mid-call (`die`). It counts the calls that reached it.
public final class ScriptedToolBox: ToolBox, @unchecked Sendable {
    private let lock = NSLock()
    private var calls: [(tool: String, arguments: JSONValue)] = []

    /// Creates the box.
    public init() {}

    /// The calls that reached the box, in order.
    public var received: [(tool: String, arguments: JSONValue)] { lock.withLock { calls } }

    /// The server's name.
    public static let server = "test"

    static let object: JSONValue = .object(["type": .string("object")])

    /// The tools, as the server lists them.
    public static let tools: [ToolDefinition] = [
        ToolDefinition(
            server: server, tool: "lookup", description: "Look up the weather of a city.",
            inputSchema: .object([
                "type": .string("object"), "properties": .object(["city": .object(["type": .string("string")])]),
                "required": .array([.string("city")]),
            ])),
        ToolDefinition(server: server, tool: "fail", description: "Always fails.", inputSchema: object),
        ToolDefinition(server: server, tool: "slow", description: "Never answers.", inputSchema: object),
        ToolDefinition(server: server, tool: "big", description: "Returns one megabyte.", inputSchema: object),
        ToolDefinition(server: server, tool: "die", description: "Its server dies mid-call.", inputSchema: object),
    ]

    public func definitions(for references: [ToolReference]) async throws -> [ToolDefinition] {
        if let missing = references.first(where: { $0.server != Self.server }) {
            throw ToolError(code: .serverFailed, server: missing.server, message: "no tool server named '\(missing.server)'")
        }
        return Self.tools
    }

    public func call(server: String, tool: String, arguments: JSONValue, context: ToolCallContext) async throws -> ToolResult {
        lock.withLock { calls.append((tool, arguments)) }
        switch tool {
        case "lookup":
            return ToolResult(text: "weather in \(arguments["city"]?.stringValue ?? "?"): sunny, 21 C")
        case "fail":
            return ToolResult(text: "lookup failed: no reason", isError: true)
        case "slow":
            // Hangs until the engine's timeout cancels it.
            try await Task.sleep(for: .seconds(3600))
            return ToolResult(text: "finally")
        case "big":
            return ToolResult(text: String(repeating: "x", count: 1 << 20))
        default:
            throw ToolError(
                code: .serverFailed, server: server, message: "the tool server '\(server)' exited (status 3) during a call to \(tool)")
        }
    }
}
