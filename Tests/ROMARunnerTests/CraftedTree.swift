import Foundation
import ROMACore

/// A results folder written by hand, so `roma diff` tests control every field.
struct CraftedGoal {
    var id: String
    var status = "completed"
    var tokens = 100
    var answer: String? = "The answer is forty-two."
    var costUSD: Double?
    var goal = "Explain tides"
    var model = "gpt-4o-mini"
    var executionID = "exec_0000000000000001"
    var time = "2026-11-30T02:00:00Z"
    var seconds = 1.5
    var error: String?
}

enum CraftedTree {
    /// Writes `summary.json` and each goal's `execution.json` and `request.json` under `folder`.
    static func write(_ folder: URL, manifest: String = "research", goals: [CraftedGoal]) throws {
        let fm = FileManager.default
        try fm.createDirectory(at: folder, withIntermediateDirectories: true)
        var rows: [JSONValue] = []
        for goal in goals {
            var row: [String: JSONValue] = [
                "id": .string(goal.id), "status": .string(goal.status), "tokens": .int(goal.tokens), "goal": .string(goal.goal),
                "execution_id": .string(goal.executionID), "execution_time": .double(goal.seconds), "llm_calls": .int(2), "nodes": .int(1),
                "config_profile": .string("general"), "model": .string(goal.model),
            ]
            if let cost = goal.costUSD { row["cost_usd"] = .double(cost) }
            rows.append(.object(row))
            guard goal.status != "pending" else { continue }
            let dir = folder.appendingPathComponent(goal.id)
            try fm.createDirectory(at: dir, withIntermediateDirectories: true)
            var details: [String: JSONValue] = [
                "execution_id": .string(goal.executionID), "status": .string(goal.status), "initial_goal": .string(goal.goal),
                "config_profile": .string("general"), "max_depth": .int(2), "created_at": .string(goal.time),
                "updated_at": .string(goal.time),
                "metadata": .object(["tokens_used": .int(goal.tokens), "execution_time": .double(goal.seconds), "agent_calls": .int(2)]),
            ]
            if let answer = goal.answer { details["result"] = .string(answer) }
            if let error = goal.error { details["error"] = .object(["code": .string("execution_failed"), "message": .string(error)]) }
            try CanonicalJSON.encode(JSONValue.object(details)).write(to: dir.appendingPathComponent("execution.json"))
            let request: JSONValue = .object([
                "id": .string(goal.id), "goal": .string(goal.goal), "model": .string(goal.model), "config_profile": .string("general"),
                "max_depth": .int(2),
            ])
            try CanonicalJSON.encode(request).write(to: dir.appendingPathComponent("request.json"))
        }
        let summary: JSONValue = .object(["manifest": .string(manifest), "goals": .array(rows), "counts": .object([:])])
        try CanonicalJSON.encode(summary).write(to: folder.appendingPathComponent("summary.json"))
    }
}
