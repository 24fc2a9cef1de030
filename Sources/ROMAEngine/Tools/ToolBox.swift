import Foundation
import ROMACore

/// The seam between the engine and whatever serves tools: MCP servers, a recording, a test.
public protocol ToolBox: Sendable {
    /// The tools of the servers an allow list names (each server started and listed once).
    func definitions(for references: [ToolReference]) async throws -> [ToolDefinition]
    /// Calls one tool. A tool that reports an error returns a result with `isError`; a server that
    /// cannot be reached or dies throws a `ToolError` naming it.
    func call(server: String, tool: String, arguments: JSONValue, context: ToolCallContext) async throws -> ToolResult
}

/// Where a tool call comes from, for recordings and error messages.
public struct ToolCallContext: Sendable, Hashable {
    /// The goal the call belongs to.
    public var goalID: String
    /// The node that makes it.
    public var nodeID: String
    /// How many identical calls the node made before this one.
    public var sampleIndex: Int
    /// The call's recording key.
    public var recordingKey: String

    /// Creates a context.
    public init(goalID: String, nodeID: String, sampleIndex: Int, recordingKey: String) {
        self.goalID = goalID
        self.nodeID = nodeID
        self.sampleIndex = sampleIndex
        self.recordingKey = recordingKey
    }
}

/// What a tool answered.
public struct ToolResult: Sendable, Hashable {
    /// The text content (untrusted; never executed).
    public var text: String
    /// Whether the tool reported an error (or timed out).
    public var isError: Bool
    /// When the call started and finished; set by replay to the recorded times.
    public var startedAt: Date?
    public var finishedAt: Date?
    /// Whether the answer came from a recording.
    public var replayed: Bool

    /// Creates a result.
    public init(text: String, isError: Bool = false, startedAt: Date? = nil, finishedAt: Date? = nil, replayed: Bool = false) {
        self.text = text
        self.isError = isError
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.replayed = replayed
    }

    /// The text cut to at most `limit` characters, marked where it was cut.
    public func capped(at limit: Int) -> ToolResult {
        guard text.count > limit else { return self }
        var copy = self
        copy.text = String(text.prefix(limit)) + "\n[… cut: the tool returned \(text.count) characters; the first \(limit) are shown]"
        return copy
    }
}

/// A tool server that could not serve, or a tool call a recording lacks.
public struct ToolError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of failure; extensible without breaking `switch`.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        enum Base: String, Sendable, Hashable { case serverFailed, unknownTool, recordingMiss }
        let base: Base
        /// The server would not start, or died, or broke the protocol.
        public static let serverFailed = Code(base: .serverFailed)
        /// The allow list names a tool its server does not have.
        public static let unknownTool = Code(base: .unknownTool)
        /// `--offline` replay found no recording for the call.
        public static let recordingMiss = Code(base: .recordingMiss)
        public var description: String { base.rawValue }
    }

    /// The kind of failure.
    public var code: Code
    /// The server's name in the manifest.
    public var server: String
    /// What happened, naming the server.
    public var message: String

    /// Creates an error.
    public init(code: Code, server: String, message: String) {
        self.code = code
        self.server = server
        self.message = message
    }

    public var description: String { message }
}
