import ROMACore

/// Draws a DAG as a Mermaid flowchart (GitHub renders it): solid arrows from a task to its
/// subtasks, dotted arrows from a dependency to its dependent, nodes coloured by status.
public enum MermaidRenderer {
    /// The flowchart text.
    public static func render(_ dag: DAG) -> String {
        // Appended into one string rather than lines joined at the end: a goal's folder is
        // written for every goal of a batch.
        var text = "flowchart TD\n"
        text.reserveCapacity(dag.nodes.count * 96 + dag.edges.count * 24 + classDefinitions.utf8.count + 16)
        for node in dag.nodes {
            let label = "\(icon(node.status)) \(node.taskType) · \(shorten(node.input, 48))"
            text += "  "
            text += node.id
            text += "[\""
            text += escape(label)
            text += "\"]:::"
            text += node.status.rawValue
            text += "\n"
        }
        for edge in dag.edges {
            text += "  "
            text += edge.from
            text += edge.type == "depends_on" ? " -.-> " : " --> "
            text += edge.to
            text += "\n"
        }
        text += classDefinitions
        return text
    }

    /// The node colours, one class per status.
    private static let classDefinitions = """
          classDef completed fill:#d4f7d4,stroke:#2e7d32
          classDef failed fill:#ffd6d6,stroke:#c62828
          classDef running fill:#fff4c2,stroke:#f9a825
          classDef pending fill:#eeeeee,stroke:#9e9e9e
          classDef cancelled fill:#e0e0e0,stroke:#616161,stroke-dasharray: 4 2

        """

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
    /// Runs of line breaks become one space, and breaks at either end go. An ASCII text is cut
    /// by looking at its first `limit` bytes only (splitting and counting a whole long task
    /// showed in `perf`); any other is split whole, because a space put in for a line break
    /// joins a combining mark after it into one character, which changes the count.
    public static func shorten(_ text: String, _ limit: Int) -> String {
        if let ascii = shortenASCII(text, limit) { return ascii }
        let single = text.split(whereSeparator: \.isNewline).joined(separator: " ")
        return single.count > limit ? String(single.prefix(limit - 1)) + "…" : single
    }

    /// `shorten` by bytes while the text is ASCII (where a byte is a character and the line
    /// breaks are `\n`, `\r`, VT and FF); nil at the first byte that is not.
    private static func shortenASCII(_ text: String, _ limit: Int) -> String? {
        var single: [UInt8] = []
        single.reserveCapacity(limit + 1)
        var brokenLine = false
        for byte in text.utf8 {
            guard byte < 0x80 else { return nil }
            if (0x0A...0x0D).contains(byte) {
                brokenLine = !single.isEmpty
                continue
            }
            if brokenLine {
                single.append(UInt8(ascii: " "))
                brokenLine = false
            }
            single.append(byte)
            if single.count > limit { return String(decoding: single.prefix(limit - 1), as: UTF8.self) + "…" }
        }
        return String(decoding: single, as: UTF8.self)
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
