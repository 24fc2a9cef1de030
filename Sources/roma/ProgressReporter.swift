import Foundation
import ROMACore
import ROMAEngine
import ROMARunner

/// Shows a batch's progress: a live status line on a terminal, timestamped lines for logs
/// (cron), or JSON Lines events for machines.
final class ProgressReporter: @unchecked Sendable {
    enum Style { case live, plain, json }

    private let style: Style
    private let lock = NSLock()
    private let started = Date()
    private let color = Terminal.standardError.allowsColor
    private var total = 0
    private var toRun = 0
    private var done = 0
    private var failed = 0
    private var skipped = 0
    private var running: Set<String> = []
    private var nodes = 0
    private var tokens = 0
    /// Per running goal: calls answered, and how many of them from its recordings.
    private var calls: [String: (all: Int, replayed: Int)] = [:]
    private var lastDraw = Date.distantPast

    init(style: Style) {
        self.style = style
    }

    func handle(_ event: BatchEvent) {
        lock.withLock { handleLocked(event) }
    }

    private func handleLocked(_ event: BatchEvent) {
        switch event {
        case .started(let goals, let run):
            total = goals
            toRun = run
            emit(
                "run started: \(goals) goal\(goals == 1 ? "" : "s"), \(run) to run, \(goals - run) already complete",
                json: ["event": .string("started"), "goals": .int(goals), "to_run": .int(run)])
        case .skipped(let manifest, let goal, let reason):
            skipped += 1
            if style == .json {
                emit(
                    "",
                    json: ["event": .string("skipped"), "manifest": .string(manifest), "goal": .string(goal), "reason": .string(reason)])
            }
        case .goalStarted(let manifest, let goal):
            running.insert(goal)
            // On a terminal the status line already shows what is running.
            emit(
                style == .live ? "" : "\(manifest)/\(goal): started",
                json: ["event": .string("goal_started"), "manifest": .string(manifest), "goal": .string(goal)])
        case .engine(let manifest, let goal, let event):
            switch event {
            case .nodeFinished: nodes += 1
            case .call(_, _, _, let t, _, let replayed):
                tokens += t
                calls["\(manifest)/\(goal)", default: (0, 0)].all += 1
                if replayed { calls["\(manifest)/\(goal)", default: (0, 0)].replayed += 1 }
            default: break
            }
            if style == .json, case .call(let node, let purpose, let model, let t, let cost, let replayed) = event {
                emit(
                    "",
                    json: [
                        "event": .string("call"), "manifest": .string(manifest), "goal": .string(goal), "node": .string(node),
                        "purpose": .string(purpose), "model": .string(model), "tokens": .int(t), "cost_usd": Self.json(cost),
                        "replayed": .bool(replayed),
                    ])
            }
            if style == .json, case .toolCall(let node, let server, let tool, let ok, let replayed) = event {
                emit(
                    "",
                    json: [
                        "event": .string("tool_call"), "manifest": .string(manifest), "goal": .string(goal), "node": .string(node),
                        "server": .string(server), "tool": .string(tool), "ok": .bool(ok), "replayed": .bool(replayed),
                    ])
            }
            if style == .json, case .nodeFinished(let node, let status, let completed, let all) = event {
                emit(
                    "",
                    json: [
                        "event": .string("node_finished"), "manifest": .string(manifest), "goal": .string(goal), "node": .string(node),
                        "status": .string(status), "completed": .int(completed), "total": .int(all),
                    ])
            }
            if style == .live { drawLive(force: false) }
        case .goalFinished(let outcome):
            running.remove(outcome.goal)
            done += 1
            if outcome.status != .completed { failed += 1 }
            let counted = calls.removeValue(forKey: "\(outcome.manifest)/\(outcome.goal)") ?? (0, 0)
            // A replay takes milliseconds; its times are the recording's, and the line says so.
            let allReplayed = counted.all > 0 && counted.replayed == counted.all
            let time = String(format: "%.1f", outcome.seconds)
            var line =
                "\(outcome.manifest)/\(outcome.goal): \(paint(outcome.status.rawValue, outcome.status == .completed ? "32" : "31"))"
                + (allReplayed ? " from its recordings (recorded run: \(time) s)" : " in \(time) s")
                + ", \(count(outcome.nodes, "node")), \(count(outcome.llmCalls, "call"))\(counted.replayed > 0 && !allReplayed ? " (\(counted.replayed) replayed)" : ""), \(count(outcome.tokens, "token"))"
            if let cost = outcome.costUSD { line += ", " + (cost.dollars.map { String(format: "$%.6f", $0) } ?? "cost unknown") }
            if outcome.toolCalls > 0 { line += ", \(count(outcome.toolCalls, "tool call"))" }
            if outcome.outputRetries > 0 { line += ", \(count(outcome.outputRetries, "output retry", plural: "output retries"))" }
            if let error = outcome.error { line += " — \(error)" }
            var json: [String: JSONValue] = [
                "event": .string("goal_finished"), "manifest": .string(outcome.manifest), "goal": .string(outcome.goal),
                "status": .string(outcome.status.rawValue), "tokens": .int(outcome.tokens), "nodes": .int(outcome.nodes),
                "llm_calls": .int(outcome.llmCalls), "replayed_calls": .int(counted.replayed),
                "output_retries": .int(outcome.outputRetries), "tool_calls": .int(outcome.toolCalls),
                "seconds": .double((outcome.seconds * 1000).rounded() / 1000),
            ]
            if let cost = outcome.costUSD { json["cost_usd"] = Self.json(cost) }
            if let id = outcome.executionID { json["execution_id"] = .string(id) }
            if let error = outcome.error { json["error"] = .string(error) }
            emit(line, json: json)
        case .submitted(let manifest, let goal, let id, let attached):
            emit(
                "\(manifest)/\(goal): \(attached ? "re-attached to" : "submitted as") \(id)",
                json: [
                    "event": .string("submitted"), "manifest": .string(manifest), "goal": .string(goal), "execution_id": .string(id),
                    "attached": .bool(attached),
                ])
        case .note(let text):
            emit(text, json: ["event": .string("note"), "message": .string(text)])
        }
    }

    func finish(outcomes: [GoalOutcome], out: URL, manifests: [Manifest], interrupted: Bool) {
        lock.withLock {
            var counts: [String: Int] = [:]
            for o in outcomes { counts[o.status.rawValue, default: 0] += 1 }
            let parts = counts.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
            let folders = manifests.map { out.appendingPathComponent($0.name).path }.joined(separator: ", ")
            var text =
                "\(interrupted ? "interrupted" : "done") in \(String(format: "%.1f", Date().timeIntervalSince(started))) s: \(parts.isEmpty ? "nothing to do" : parts). Results: \(folders)"
            if interrupted {
                text += " (finished goals were written; re-run the same command to complete the rest)"
            } else if !manifests.isEmpty {
                text += " — each folder's index.md lists its goals, with links to every result and DAG"
            }
            var json: [String: JSONValue] = [
                "event": .string("finished"), "interrupted": .bool(interrupted),
                "results": .array(manifests.map { .string(out.appendingPathComponent($0.name).path) }),
            ]
            for (k, v) in counts { json[k] = .int(v) }
            if style == .live {
                Terminal.standardError.write("\r\u{1B}[K\(text)\n")  // the final line replaces the status line
            } else {
                emit(text, json: json)
            }
        }
    }

    private func drawLive(force: Bool) {
        let now = Date()
        guard force || now.timeIntervalSince(lastDraw) > 0.1 else { return }
        lastDraw = now
        let line =
            "goals \(done)/\(toRun) done, \(failed) failed, \(running.count) running · \(nodes) nodes · \(tokens) tokens · \(String(format: "%.0f", now.timeIntervalSince(started))) s"
        Terminal.standardError.write("\r\u{1B}[K" + line)
    }

    private func emit(_ text: String, json: [String: JSONValue]) {
        switch style {
        case .json:
            var object = json
            object["time"] = .string(Timestamp.string(Date()))
            if let data = try? CanonicalJSON.encodeLine(JSONValue.object(object)) {
                Terminal.standardOutput.write(data + Data("\n".utf8))
            }
        case .plain:
            guard !text.isEmpty else { return }
            Terminal.standardError.write("\(Timestamp.string(Date())) \(text)\n")
        case .live:
            guard !text.isEmpty else {
                drawLive(force: false)
                return
            }
            Terminal.standardError.write("\r\u{1B}[K\(text)\n")
            drawLive(force: true)
        }
    }

    /// A cost as a JSON event carries it: a number, or `null` when unknown.
    private static func json(_ cost: CostUSD) -> JSONValue {
        cost.dollars.map { .double($0) } ?? .null
    }

    private func paint(_ text: String, _ code: String) -> String {
        color ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }
}
