import Foundation
import ROMACore

/// A deterministic built-in model for dry runs, demos and tests: no network, the same answer for
/// the same prompt, and structurally real plans (several levels, real dependencies, a diamond).
///
/// Every answer is labelled `[synthetic]` so nobody mistakes it for a real model's output.
public struct OfflineModel: LanguageModel {
    /// Creates the model.
    public init() {}

    public var providerName: String { "offline" }

    public func complete(_ request: ChatRequest, context: CallContext) async throws -> ChatResponse {
        try Task.checkCancellation()
        return Self.answer(request)
    }

    /// The answer to a request, computed at once (the scale benchmark's mock server answers
    /// with it on an event loop, where nothing may suspend).
    public static func answer(_ request: ChatRequest) -> ChatResponse {
        let system = request.messages.first { $0.role == "system" }?.content ?? ""
        let user = request.messages.last { $0.role == "user" }?.content ?? ""
        let fields = Self.fields(of: request.messages.first { $0.role == "user" }?.content ?? user)
        let task = fields["Current task"] ?? user
        let depth = Int(fields["Depth"]?.split(separator: " ").first ?? "") ?? 0
        let limit = Int(fields["Subtask limit"] ?? "") ?? 6
        let seed = Self.seed(task)

        let content: String
        if system.hasPrefix("[roma:atomizer]") {
            // The root is always planned; deeper tasks are planned less and less often.
            let plan = depth == 0 || (depth == 1 && seed % 2 == 0) || (depth >= 2 && seed % 5 == 0)
            content = #"{"decision": "\#(plan ? "PLAN" : "EXECUTE")", "reason": "[synthetic] \#(plan ? "broad task" : "narrow task")"}"#
        } else if system.hasPrefix("[roma:planner]") {
            content = Self.plan(for: task, seed: seed, limit: limit)
        } else if system.hasPrefix("[roma:aggregator]") {
            let parts = user.components(separatedBy: "\n### ").dropFirst().map { $0.split(separator: "\n").first.map(String.init) ?? "" }
            content = "[synthetic] Combined answer to: \(task)\n\n" + parts.map { "- covered: \($0)" }.joined(separator: "\n")
        } else {
            let type = system.split(separator: "\n").first.map { $0.dropFirst("[roma:executor:".count).dropLast() } ?? "THINK"
            let inputs = user.components(separatedBy: "\n### ").count - 1
            content =
                "[synthetic] \(type) result for: \(task)\n\nFinding \(seed % 97): a deterministic placeholder built from the task text"
                + (inputs > 0 ? ", using \(inputs) dependency result\(inputs == 1 ? "" : "s")." : ".")
        }
        let promptChars = request.messages.reduce(0) { $0 + $1.content.count }
        return ChatResponse(
            content: content, usage: TokenUsage(promptTokens: max(1, promptChars / 4), completionTokens: max(1, content.count / 4)),
            finishReason: "stop")
    }

    /// `Key: value` lines of a prompt.
    static func fields(of text: String) -> [String: String] {
        var fields: [String: String] = [:]
        for line in text.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let key = String(line[..<colon])
            if fields[key] == nil { fields[key] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces) }
        }
        return fields
    }

    static func seed(_ text: String) -> Int {
        let digest = SHA256.hex(text)
        return Int(digest.prefix(8), radix: 16) ?? 0
    }

    static func plan(for task: String, seed: Int, limit: Int) -> String {
        let count = max(1, min(limit, 2 + seed % 3))
        let topic = task.count > 60 ? String(task.prefix(60)) + "…" : task
        let steps: [(String, String)] = [
            ("RETRIEVE", "Gather background facts on"), ("THINK", "Identify the key factors in"),
            ("THINK", "Weigh the evidence and open questions about"), ("WRITE", "Write a synthesis of"),
        ]
        // 2: a chain; 3: a fan-in; 4: a diamond (0 → 1, 0 → 2, {1, 2} → 3).
        let dependencies: [[Int]] =
            switch count {
            case 1: [[]]
            case 2: [[], [0]]
            case 3: [[], [], [0, 1]]
            default: [[], [0], [0]] + [[1, 2]] + Array(repeating: [3], count: max(0, count - 4))
            }
        let picks: [(String, String)] =
            switch count {
            case 2: [steps[0], steps[3]]
            case 3: [steps[0], steps[1], steps[3]]
            default: Array(steps.prefix(4)) + Array(repeating: steps[2], count: max(0, count - 4))
            }
        let items = (0..<count).map { i in
            let goal = "\(picks[i].1) \(topic)".replacingOccurrences(of: "\"", with: "'")
            return
                #"{"goal": "\#(goal)", "task_type": "\#(picks[i].0)", "dependencies": [\#(dependencies[i].map(String.init).joined(separator: ", "))]}"#
        }
        return #"{"subtasks": [\#(items.joined(separator: ", "))]}"#
    }
}
