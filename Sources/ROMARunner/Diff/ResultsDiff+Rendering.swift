import Foundation
import ROMACore

extension ResultsDiff {
    /// The diff as Markdown, for a PR comment or a cron mail: a headline, a table of the changed
    /// goals, then each changed answer's word diff.
    public var markdown: String {
        var text = "## roma diff: `\(oldLabel)` → `\(newLabel)`\n\n"
        guard hasChanges else {
            return text
                + "No change: \(unchanged) goal\(unchanged == 1 ? "" : "s") with the same statuses, answers, tokens and cost.\n"
        }
        text += "**\(countsLine)**, \(unchanged) unchanged · tokens \(Self.delta(Pair(old: totalTokens.old as Int?, new: totalTokens.new)))"
        if totalCostUSD.old != nil || totalCostUSD.new != nil { text += " · cost \(Self.delta(totalCostUSD))" }
        // The cost column only when a tree records cost: unknown is not zero, and not news.
        let showCost =
            totalCostUSD.old != nil || totalCostUSD.new != nil || changes.contains { $0.costUSD.old != nil || $0.costUSD.new != nil }
        text +=
            showCost
            ? "\n\n| goal | change | status | tokens | cost |\n|---|---|---|---:|---:|\n"
            : "\n\n| goal | change | status | tokens |\n|---|---|---|---:|\n"
        for change in changes {
            let status =
                change.status.old == change.status.new || change.status.old == nil || change.status.new == nil
                ? (change.status.new ?? change.status.old ?? "")
                : "\(change.status.old ?? "") → **\(change.status.new ?? "")**"
            let cost = change.costUSD.old == nil && change.costUSD.new == nil ? "" : Self.delta(change.costUSD)
            text +=
                "| \(label(change)) | \(describe(change)) | \(status) | \(Self.delta(change.tokens)) |" + (showCost ? " \(cost) |\n" : "\n")
        }
        for change in changes where change.answer != nil || change.answerWords != nil || change.error != nil {
            text += "\n### \(label(change))\n\n"
            if let answer = change.answer {
                text +=
                    "Answer (\(answer.removedWords) word\(answer.removedWords == 1 ? "" : "s") out, \(answer.addedWords) in): \(answer.markdown)\n"
            } else if let words = change.answerWords {
                text += "Answer rewritten (\(words.old) words → \(words.new) words; too long to diff word by word).\n"
            }
            if let error = change.error {
                if change.answer != nil || change.answerWords != nil { text += "\n" }
                text +=
                    "Error: \(error.old.map { "`\(Self.inline($0))`" } ?? "none") → \(error.new.map { "`\(Self.inline($0))`" } ?? "none")\n"
            }
        }
        return text
    }

    /// `2 changed, 1 added, 1 removed, 1 renamed`.
    var countsLine: String {
        let order: [Kind] = [.changed, .added, .removed, .renamed]
        return order.compactMap { kind in
            let count = changes.filter { $0.kind == kind }.count
            return count == 0 ? nil : "\(count) \(kind.rawValue)"
        }.joined(separator: ", ")
    }

    /// The goal as the table shows it: its id, with the manifest when the trees hold several.
    func label(_ change: GoalChange) -> String {
        "`" + (severalManifests ? "\(change.manifest)/" : "") + change.goal + "`"
    }

    func describe(_ change: GoalChange) -> String {
        switch change.kind {
        case .added: return "added"
        case .removed: return "removed"
        case .renamed:
            let rest = change.fields.isEmpty ? "" : "; " + change.fields.joined(separator: ", ")
            return "renamed from `\(change.renamedFrom ?? "")`\(rest)"
        case .changed:
            return change.fields.map { $0 == "request" ? "request (\(change.requestKeys.joined(separator: ", ")))" : $0 }
                .joined(separator: ", ")
        }
    }

    /// `1,000 → 1,200 (+200)`; one side alone when the goal is only in one tree.
    static func delta(_ pair: Pair<Int?>) -> String {
        switch (pair.old, pair.new) {
        case (let old?, let new?) where old == new: return ComparisonTable.formatted(new)
        case (let old?, let new?):
            return
                "\(ComparisonTable.formatted(old)) → \(ComparisonTable.formatted(new)) (\(new > old ? "+" : "−")\(ComparisonTable.formatted(abs(new - old))))"
        case (let old?, nil): return ComparisonTable.formatted(old)
        case (nil, let new?): return ComparisonTable.formatted(new)
        default: return ""
        }
    }

    /// `$0.0100 → $0.0120 (+$0.0020)`; `unknown` where a side has no cost.
    static func delta(_ pair: Pair<Double?>) -> String {
        func money(_ value: Double?) -> String { value.map { String(format: "$%.4f", $0) } ?? "unknown" }
        switch (pair.old, pair.new) {
        case (let old?, let new?) where old == new: return money(new)
        case (let old?, let new?): return "\(money(old)) → \(money(new)) (\(new > old ? "+" : "−")\(money(abs(new - old))))"
        default: return pair.old == nil && pair.new == nil ? "" : "\(money(pair.old)) → \(money(pair.new))"
        }
    }

    static func inline(_ text: String) -> String {
        MermaidRenderer.shorten(text.replacingOccurrences(of: "`", with: "'").replacingOccurrences(of: "\n", with: " "), 200)
    }

    /// The diff as one JSON document (canonical: sorted keys, trailing newline).
    public func json() throws -> Data {
        func pair<V>(_ p: Pair<V?>, _ wrap: (V) -> JSONValue) -> JSONValue {
            .object(["old": p.old.map(wrap) ?? .null, "new": p.new.map(wrap) ?? .null])
        }
        let goals: [JSONValue] = changes.map { change in
            var object: [String: JSONValue] = [
                "manifest": .string(change.manifest), "goal": .string(change.goal), "change": .string(change.kind.rawValue),
                "fields": .array(change.fields.map { .string($0) }), "status": pair(change.status) { .string($0) },
                "tokens": pair(change.tokens) { .int($0) }, "cost_usd": pair(change.costUSD) { .double($0) },
            ]
            if let old = change.tokens.old, let new = change.tokens.new { object["tokens"]?.set("delta", .int(new - old)) }
            if let old = change.costUSD.old, let new = change.costUSD.new { object["cost_usd"]?.set("delta", .double(new - old)) }
            if let from = change.renamedFrom { object["renamed_from"] = .string(from) }
            if let answer = change.answer {
                object["answer_diff"] = .string(answer.plain)
                object["answer_words"] = .object(["removed": .int(answer.removedWords), "added": .int(answer.addedWords)])
            }
            if !change.requestKeys.isEmpty { object["request_keys"] = .array(change.requestKeys.map { .string($0) }) }
            if let error = change.error { object["error"] = pair(error) { .string($0) } }
            return .object(object)
        }
        var counts: [String: JSONValue] = ["unchanged": .int(unchanged)]
        for kind in [Kind.added, .removed, .renamed, .changed] { counts[kind.rawValue] = .int(changes.filter { $0.kind == kind }.count) }
        let document: JSONValue = .object([
            "old": .string(oldLabel), "new": .string(newLabel), "changed": .bool(hasChanges), "counts": .object(counts),
            "goals": .array(goals), "tokens": pair(Pair(old: totalTokens.old as Int?, new: totalTokens.new)) { .int($0) },
            "cost_usd": pair(totalCostUSD) { .double($0) },
        ])
        return try CanonicalJSON.encode(document)
    }
}

extension JSONValue {
    /// Sets a key of an object (no effect on other values).
    fileprivate mutating func set(_ key: String, _ value: JSONValue) {
        guard case .object(var object) = self else { return }
        object[key] = value
        self = .object(object)
    }
}
