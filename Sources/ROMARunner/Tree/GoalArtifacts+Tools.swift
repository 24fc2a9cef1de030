import Foundation
import ROMACore
import ROMAEngine

extension GoalArtifacts {
    /// `calls.jsonl`: the tool list (when tools were offered), then every model and tool call by
    /// node path and sequence. Without tools the bytes are what they were before tools existed.
    static func callLines(_ calls: [CallRecord], toolCalls: [ToolCallRecord], tools: [ToolDefinition]) -> [UInt8] {
        var lines: [UInt8] = []
        func add(_ line: [UInt8]) {
            lines.append(contentsOf: line)
            lines.append(UInt8(ascii: "\n"))
        }
        if !tools.isEmpty { add(ToolListRecord(tools: tools).canonicalLine) }
        var pending = toolCalls[...]
        for call in calls {
            let path = NodePath.components(call.nodeID)
            while let tool = pending.first, Self.precedes(tool, path: path, sequence: call.sequence) {
                add(tool.canonicalLine)
                pending = pending.dropFirst()
            }
            add(call.canonicalLine)
        }
        for tool in pending { add(tool.canonicalLine) }
        return lines
    }

    private static func precedes(_ tool: ToolCallRecord, path: [Int], sequence: Int) -> Bool {
        let toolPath = NodePath.components(tool.nodeID)
        return toolPath != path ? toolPath.lexicographicallyPrecedes(path) : tool.sequence < sequence
    }

    /// The tool list and tool calls of a goal folder's `calls.jsonl` (model call lines are skipped
    /// by their first key without being parsed).
    public static func readToolRecordings(_ data: Data?) -> (tools: [ToolDefinition]?, calls: [ToolCallRecord]) {
        guard let data else { return (nil, []) }
        var tools: [ToolDefinition]?
        var calls: [ToolCallRecord] = []
        for line in lines(data) {
            if line.starts(with: Self.toolCallPrefix), let record = ToolCallRecord(line: line) {
                calls.append(record)
            } else if line.starts(with: Self.toolListPrefix), let list = ToolListRecord(line: line) {
                tools = list.tools
            }
        }
        return (tools, calls)
    }

    private static let toolCallPrefix = Array(#"{"arguments":"#.utf8)
    private static let toolListPrefix = Array(#"{"tools":"#.utf8)

    /// The end of `result.md` for a tree whose nodes used tools: every successful call, once.
    static func sourcesMarkdown(_ dag: DAG?) -> String {
        var seen = Set<String>()
        var lines: [String] = []
        for node in dag?.nodes ?? [] {
            for call in node.toolCalls ?? [] where call.ok {
                let arguments = String(decoding: call.arguments.canonicalLine, as: UTF8.self)
                let line = "- `\(call.server).\(call.tool)` \(arguments) (\(node.id))"
                if seen.insert("\(call.server).\(call.tool) \(arguments)").inserted { lines.append(line) }
            }
        }
        guard !lines.isEmpty else { return "" }
        return "\n## Sources\n\nTool calls this answer used:\n\n" + lines.joined(separator: "\n") + "\n"
    }
}
