import Foundation
import ROMACore

/// Answers tool calls from a goal's recorded `calls.jsonl`, falling back to live servers as the
/// mode allows: the tool half of `ReplayModel`.
public struct ReplayToolBox: ToolBox {
    /// The mode.
    public var mode: RecordingMode
    /// The live servers (nil under `--offline`).
    public var live: (any ToolBox)?
    /// The tools the recording offered, if it has a list.
    public var recordedTools: [ToolDefinition]?
    /// Recorded results by key; several nodes may have made the same call.
    public var recordings: [String: [ToolCallRecord]]

    /// Creates a replaying tool box.
    public init(mode: RecordingMode, live: (any ToolBox)?, recordedTools: [ToolDefinition]?, recordings: [ToolCallRecord]) {
        self.mode = mode
        self.live = live
        self.recordedTools = recordedTools
        self.recordings = Dictionary(grouping: recordings, by: \.key)
    }

    public func definitions(for references: [ToolReference]) async throws -> [ToolDefinition] {
        // The recorded list already went through the allow list; the servers' own lists may have
        // changed since, and a replay offers what the recording offered.
        if mode != .record, let recordedTools { return recordedTools }
        guard mode != .offline, let live else {
            let names = references.map(\.server).sorted().joined(separator: ", ")
            throw ToolError(
                code: .recordingMiss, server: references.first?.server ?? "",
                message:
                    "no recorded tool list for the servers \(names); --offline never starts a tool server: re-run with --replay or --record"
            )
        }
        return try await live.definitions(for: references)
    }

    public func call(server: String, tool: String, arguments: JSONValue, context: ToolCallContext) async throws -> ToolResult {
        if mode != .record {
            // The same call made by several nodes: each node replays its own result and times.
            if let hits = recordings[context.recordingKey], let hit = hits.first(where: { $0.nodeID == context.nodeID }) ?? hits.first {
                try Task.checkCancellation()
                return ToolResult(
                    text: hit.output, isError: hit.isError, startedAt: Timestamp.date(hit.startedAt),
                    finishedAt: Timestamp.date(hit.finishedAt), replayed: true)
            }
            if mode == .offline {
                throw ToolError(
                    code: .recordingMiss, server: server,
                    message:
                        "no recorded result for goal '\(context.goalID)', node \(context.nodeID), tool \(server).\(tool) with these arguments (key \(context.recordingKey.prefix(12))); --offline never calls a tool: re-run with --replay or --record"
                )
            }
        }
        guard let live else {
            throw ToolError(
                code: .recordingMiss, server: server,
                message: "no tool server to call for \(server).\(tool) (goal '\(context.goalID)', node \(context.nodeID))")
        }
        return try await live.call(server: server, tool: tool, arguments: arguments, context: context)
    }
}
