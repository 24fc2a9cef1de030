import ArgumentParser
import Foundation
import ROMACore
import ROMARunner

extension Roma {
    /// `roma show`: draw a goal's DAG and statuses in the terminal.
    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Draw a goal's task tree and statuses (a goal folder, or a manifest's results folder).")

        @Argument(help: "A goal folder (with dag.json) or a manifest results folder (with summary.json).")
        var path: String

        func run() throws {
            let url = URL(fileURLWithPath: path)
            let color = Terminal.standardOutput.allowsColor
            if let data = FileManager.default.contents(atPath: url.appendingPathComponent("dag.json").path) {
                let dag = try CanonicalJSON.decode(DAGResponse.self, from: data)
                let details = FileManager.default.contents(atPath: url.appendingPathComponent("execution.json").path).flatMap {
                    try? CanonicalJSON.decode(ExecutionDetails.self, from: $0)
                }
                print(TreeDrawing.render(dag: dag.dag, details: details, color: color), terminator: "")
            } else if let data = FileManager.default.contents(atPath: url.appendingPathComponent("summary.json").path) {
                let summary = try CanonicalJSON.decode(Summary.self, from: data)
                print(
                    "\(summary.manifest): "
                        + summary.counts.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", "))
                for row in summary.goals {
                    print(
                        "  \(TreeDrawing.icon(row.status, color: color)) \(row.id.padding(toLength: max(row.id.count, 24), withPad: " ", startingAt: 0)) \(row.status.padding(toLength: 10, withPad: " ", startingAt: 0)) \(count(row.tokens, "token")), \(count(row.nodes, "node"))"
                    )
                }
                print("Draw one goal with: roma show \(url.appendingPathComponent(summary.goals.first?.id ?? "GOAL").path)")
            } else {
                Terminal.standardError.write(
                    "error: \(path) holds neither dag.json (a goal folder) nor summary.json (a manifest results folder)\n")
                throw ExitStatus.usage
            }
        }
    }
}

/// A task tree drawn with box characters.
enum TreeDrawing {
    static func render(dag: DAG, details: ExecutionDetails?, color: Bool) -> String {
        var text = ""
        if let details {
            text +=
                "\(details.executionId): \(icon(details.status.rawValue, color: color)) \(details.status.rawValue) · \(details.metadata.tokensUsed ?? 0) tokens · \(details.metadata.agentCalls ?? 0) calls · \(String(format: "%.1f", details.metadata.executionTime ?? 0)) s\n"
            if let error = details.error { text += "error: \(error.message)\n" }
        }
        var children: [String: [DAGNode]] = [:]
        for node in dag.nodes { children[node.parent ?? "", default: []].append(node) }
        let index = Dictionary(dag.nodes.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        func draw(_ node: DAGNode, prefix: String, last: Bool, root: Bool) {
            let branch = root ? "" : (last ? "└─ " : "├─ ")
            let deps =
                node.dependencies.isEmpty
                ? ""
                : "  ← after "
                    + node.dependencies.map { index[$0].map { String($0.id.split(separator: "_").last ?? "") } ?? $0 }.map { "#\($0)" }
                    .joined(separator: ", ")
            let number = root ? "" : "#\(node.id.split(separator: "_").last ?? "") "
            text +=
                "\(prefix)\(branch)\(icon(node.status.rawValue, color: color)) \(number)[\(node.taskType) \(node.type)] \(MermaidRenderer.shorten(node.input, 70))\(deps)\(toolMark(node))\n"
            let kids = children[node.id] ?? []
            for (i, kid) in kids.enumerated() {
                draw(kid, prefix: prefix + (root ? "" : (last ? "   " : "│  ")), last: i == kids.count - 1, root: false)
            }
        }
        for root in children[""] ?? [] { draw(root, prefix: "", last: true, root: true) }
        return text
    }

    /// `  ⚒ fetch.fetch ×2, time.get_current_time` for a node that called tools (✗ marks failed calls).
    static func toolMark(_ node: DAGNode) -> String {
        guard let calls = node.toolCalls, !calls.isEmpty else { return "" }
        var order: [String] = []
        var counts: [String: (all: Int, failed: Int)] = [:]
        for call in calls {
            let name = "\(call.server).\(call.tool)"
            if counts[name] == nil { order.append(name) }
            counts[name, default: (0, 0)].all += 1
            if !call.ok { counts[name, default: (0, 0)].failed += 1 }
        }
        let parts = order.map { name -> String in
            let (all, failed) = counts[name] ?? (0, 0)
            return name + (all > 1 ? " ×\(all)" : "") + (failed > 0 ? " (\(failed) ✗)" : "")
        }
        return "  ⚒ " + parts.joined(separator: ", ")
    }

    static func icon(_ status: String, color: Bool) -> String {
        let (symbol, code): (String, String) =
            switch status {
            case "completed": ("✓", "32")
            case "failed": ("✗", "31")
            case "running": ("…", "33")
            case "cancelled": ("⊘", "90")
            default: ("○", "90")
            }
        return color ? "\u{1B}[\(code)m\(symbol)\u{1B}[0m" : symbol
    }
}
