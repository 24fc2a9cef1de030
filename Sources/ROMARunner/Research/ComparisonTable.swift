import Foundation
import ROMACore

/// `index.md`'s comparison tables: one per goal template, its goals as rows (the values of its
/// `vars:`), the matrix combinations as columns, and in each cell the goal's status, cost when
/// known, tokens and a link to its answer; a last row totals each column (goals completed, cost
/// when every goal's is known, tokens). GitHub renders them as tables.
public enum ComparisonTable {
    /// The section of `index.md` with every template's table, empty when the manifest has none.
    ///
    /// `rows` are `summary.json`'s goal rows by id, read as JSON so a field such as `cost_usd`
    /// shows up as soon as the summary has it.
    public static func markdown(manifest: Manifest, rows: [String: JSONValue]) -> String {
        let templates = manifest.templates
        guard !templates.isEmpty else { return "" }
        let byID = Dictionary(manifest.goals.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        var text =
            "## Comparisons\n\nOne table per goal template: a row per combination of its `vars:`, a column per combination of the matrix.\n"
        for template in templates {
            let goals = template.goalIDs.compactMap { byID[$0] }
            guard let first = goals.first?.origin else { continue }
            var rowLabels: [String] = []
            var columnLabels: [String] = []
            var cells: [String: String] = [:]
            // Per column: completed goals, their tokens, and their cost while every one is known.
            var totals: [String: (completed: Int, tokens: Int, cost: Double?)] = [:]
            for goal in goals {
                guard let origin = goal.origin else { continue }
                let row = first.vars.isEmpty ? "" : origin.vars.map(\.value).joined(separator: ", ")
                if !rowLabels.contains(row) { rowLabels.append(row) }
                if !columnLabels.contains(origin.column) { columnLabels.append(origin.column) }
                cells[row + "\u{0}" + origin.column] = cell(id: goal.id, row: rows[goal.id])
                var total = totals[origin.column] ?? (0, 0, 0)
                if rows[goal.id]?["status"]?.stringValue == "completed" { total.completed += 1 }
                total.tokens += rows[goal.id]?["tokens"]?.intValue ?? 0
                total.cost = total.cost.flatMap { sum in usd(rows[goal.id]?["cost_usd"]).map { sum + $0 } }
                totals[origin.column] = total
            }
            let corner = first.vars.isEmpty ? "goal" : first.vars.map(\.name).joined(separator: ", ")
            text += "\n### \(escape(template.id))\n\n\(escape(template.expansion))\n\n"
            text += "| \(escape(corner)) | " + columnLabels.map(escape).joined(separator: " | ") + " |\n"
            text += "|---|" + String(repeating: "---|", count: columnLabels.count) + "\n"
            for row in rowLabels {
                let label = row.isEmpty ? "`\(template.id)`" : escape(row)
                text += "| \(label) | " + columnLabels.map { cells[row + "\u{0}" + $0] ?? "–" }.joined(separator: " | ") + " |\n"
            }
            if rowLabels.count > 1 {
                let cells = columnLabels.map { column -> String in
                    guard let total = totals[column] else { return "–" }
                    var parts = ["\(total.completed)/\(rowLabels.count) completed"]
                    if let cost = total.cost { parts.append(String(format: "$%.4f", cost)) }
                    parts.append("\(formatted(total.tokens)) tokens")
                    return "**" + parts.joined(separator: " · ") + "**"
                }
                text += "| **total** | " + cells.joined(separator: " | ") + " |\n"
            }
        }
        return text
    }

    /// `✓ [completed](id/result.md) · $0.0123 · 1,234 tokens`; no link while the goal has no folder.
    static func cell(id: String, row: JSONValue?) -> String {
        let status = row?["status"]?.stringValue ?? "pending"
        let icon =
            switch status {
            case "completed": "✓"
            case "failed": "✗"
            case "cancelled": "⊘"
            default: "○"
            }
        guard status != "pending" && status != "deferred" else { return "\(icon) \(status)" }
        var parts = ["\(icon) [\(status)](\(id)/result.md)"]
        if let cost = usd(row?["cost_usd"]) { parts.append(String(format: "$%.4f", cost)) }
        parts.append("\(formatted(row?["tokens"]?.intValue ?? 0)) tokens")
        return parts.joined(separator: " · ")
    }

    /// An integer with thousands separators.
    static func formatted(_ value: Int) -> String {
        let digits = String(abs(value))
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0, (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return value < 0 ? "-" + out : out
    }

    /// Text safe inside a Markdown table cell.
    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
    }

    /// A `cost_usd` field's value: a number, or nil when it is missing or `null` (unknown).
    static func usd(_ value: JSONValue?) -> Double? {
        switch value {
        case .int(let i)?: Double(i)
        case .double(let d)?: d
        default: nil
        }
    }
}
