import ROMACore

/// Draws a DAG as a Mermaid flowchart (GitHub renders it): solid arrows from a task to its
/// subtasks, dotted arrows from a dependency to its dependent, nodes coloured by status.
public enum MermaidRenderer {
    /// The flowchart text.
    public static func render(_ dag: DAG) -> String {
        var lines = ["flowchart TD"]
        for node in dag.nodes {
            let label = "\(icon(node.status)) \(node.taskType) · \(shorten(node.input, 48))"
            lines.append("  \(node.id)[\"\(escape(label))\"]:::\(node.status.rawValue)")
        }
        for edge in dag.edges {
            lines.append(edge.type == "depends_on" ? "  \(edge.from) -.-> \(edge.to)" : "  \(edge.from) --> \(edge.to)")
        }
        lines += [
            "  classDef completed fill:#d4f7d4,stroke:#2e7d32",
            "  classDef failed fill:#ffd6d6,stroke:#c62828",
            "  classDef running fill:#fff4c2,stroke:#f9a825",
            "  classDef pending fill:#eeeeee,stroke:#9e9e9e",
            "  classDef cancelled fill:#e0e0e0,stroke:#616161,stroke-dasharray: 4 2",
        ]
        return lines.joined(separator: "\n") + "\n"
    }

    static func icon(_ status: NodeStatus) -> String {
        switch status {
        case .completed: "✓"
        case .failed: "✗"
        case .running: "…"
        case .pending: "○"
        case .cancelled: "⊘"
        }
    }

    /// The text on one line, cut to `limit` characters with an ellipsis.
    ///
    /// Runs of line breaks become one space, and breaks at either end go. Only the first `limit`
    /// characters are looked at (splitting and counting a whole long task showed in `perf`).
    public static func shorten(_ text: String, _ limit: Int) -> String {
        var single = ""
        var count = 0
        var brokenLine = false
        for character in text {
            if character.isNewline {
                brokenLine = count > 0
                continue
            }
            if brokenLine {
                single.append(" ")
                count += 1
                brokenLine = false
            }
            single.append(character)
            count += 1
            if count > limit { return String(single.prefix(limit - 1)) + "…" }
        }
        return count > limit ? String(single.prefix(limit - 1)) + "…" : single
    }

    static func escape(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "<") || $0 == UInt8(ascii: ">") }) else {
            return text
        }
        // By characters, as `replacingOccurrences(of:with:)` matched them before: a `"` carrying a
        // combining mark is another character and stays, so committed `dag.mmd` files reproduce.
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count + 16)
        for character in text {
            switch character {
            case "\"": escaped += "#quot;"
            case "<": escaped += "#lt;"
            case ">": escaped += "#gt;"
            default: escaped.append(character)
            }
        }
        return escaped
    }
}
