import Foundation
import ROMACore

/// One tool call as stored in `calls.jsonl`, beside the model calls: what replay answers tools from.
///
/// It holds the server's manifest name, the tool, the arguments and the (capped) result, never
/// a command line, URL, header or environment value.
public struct ToolCallRecord: Sendable, Hashable, Codable {
    /// Always `tool_call`: tells the line from a model call's.
    public var type: String
    /// Content hash of (server, tool, arguments, sample index): the replay key.
    public var key: String
    /// The node that made the call.
    public var nodeID: String
    /// The call's position among its node's calls, model calls included.
    public var sequence: Int
    /// The server's name in the manifest.
    public var server: String
    /// The tool.
    public var tool: String
    /// The arguments.
    public var arguments: JSONValue
    /// How many identical calls the node made before this one.
    public var sample: Int
    /// The result text, as the model saw it (capped).
    public var output: String
    /// Whether the tool reported an error or timed out.
    public var isError: Bool
    /// Wall time, in milliseconds.
    public var latencyMs: Int
    /// When the call started and finished (ISO 8601).
    public var startedAt: String
    public var finishedAt: String

    /// The `type` of tool call lines.
    public static let lineType = "tool_call"

    /// Creates a record.
    public init(
        key: String, nodeID: String, sequence: Int, server: String, tool: String, arguments: JSONValue, sample: Int,
        output: String, isError: Bool, latencyMs: Int, startedAt: String, finishedAt: String
    ) {
        self.type = Self.lineType
        self.key = key
        self.nodeID = nodeID
        self.sequence = sequence
        self.server = server
        self.tool = tool
        self.arguments = arguments
        self.sample = sample
        self.output = output
        self.isError = isError
        self.latencyMs = latencyMs
        self.startedAt = startedAt
        self.finishedAt = finishedAt
    }

    enum CodingKeys: String, CodingKey {
        case type, key, sequence, server, tool, arguments, sample, output
        case nodeID = "node_id"
        case isError = "is_error"
        case latencyMs = "latency_ms"
        case startedAt = "started_at"
        case finishedAt = "finished_at"
    }

    /// The replay key: SHA-256 of `{"arguments","sample","server","tool"}` as canonical one-line
    /// JSON. A changed argument changes the key, so it is a miss, never a stale hit.
    public static func key(server: String, tool: String, arguments: JSONValue, sample: Int) -> String {
        var writer = JSONLineWriter(capacity: 512)
        writer.beginObject()
        writer.member("arguments", arguments)
        writer.member("sample", sample)
        writer.member("server", server)
        writer.member("tool", tool)
        writer.endObject()
        return SHA256.hex(bytes: writer.bytes)
    }

    /// Reads a tool call line of `calls.jsonl`; nil for any other line.
    public init?(line: some Collection<UInt8>) {
        guard let value = try? JSONParser.parse(line), value["type"]?.stringValue == Self.lineType,
            let data = try? JSONEncoder().encode(value), let record = try? JSONDecoder().decode(Self.self, from: data)
        else { return nil }
        self = record
    }
}

extension ToolCallRecord: JSONLineWritable {
    public func write(to writer: inout JSONLineWriter) {
        writer.beginObject()
        writer.member("arguments", arguments)
        writer.member("finished_at", finishedAt)
        writer.member("is_error", isError)
        writer.member("key", key)
        writer.member("latency_ms", latencyMs)
        writer.member("node_id", nodeID)
        writer.member("output", output)
        writer.member("sample", sample)
        writer.member("sequence", sequence)
        writer.member("server", server)
        writer.member("started_at", startedAt)
        writer.member("tool", tool)
        writer.member("type", type)
        writer.endObject()
    }
}

/// The tools an execution was offered, stored once per goal in `calls.jsonl` so an offline
/// replay offers the model the same tools (their descriptions are part of every prompt) with no
/// server running.
public struct ToolListRecord: Sendable, Hashable, Codable {
    /// Always `tool_list`.
    public var type: String
    /// The tools, as named for the model.
    public var tools: [ToolDefinition]

    /// The `type` of tool list lines.
    public static let lineType = "tool_list"

    /// Creates a record.
    public init(tools: [ToolDefinition]) {
        self.type = Self.lineType
        self.tools = tools
    }

    /// Reads a tool list line of `calls.jsonl`; nil for any other line.
    public init?(line: some Collection<UInt8>) {
        guard let value = try? JSONParser.parse(line), value["type"]?.stringValue == Self.lineType,
            let data = try? JSONEncoder().encode(value), let record = try? JSONDecoder().decode(Self.self, from: data)
        else { return nil }
        self = record
    }
}

extension ToolListRecord: JSONLineWritable {
    public func write(to writer: inout JSONLineWriter) {
        writer.beginObject()
        writer.member("tools", tools)
        writer.member("type", type)
        writer.endObject()
    }
}
