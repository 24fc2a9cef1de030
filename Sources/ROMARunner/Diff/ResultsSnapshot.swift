import Foundation
import ROMACore

/// What `roma diff` compares of a results folder: per manifest, per goal, its status, answer,
/// tokens, cost and request. Timestamps, execution ids and run times are not read, so two runs
/// that differ only in when they ran compare equal.
public struct ResultsSnapshot: Sendable, Hashable {
    /// One goal.
    public struct Goal: Sendable, Hashable {
        public var id: String
        public var status: String
        public var tokens: Int
        /// `cost_usd` when the tree records it (nil: unknown or not recorded).
        public var costUSD: Double?
        /// The final answer (`execution.json`'s `result`).
        public var answer: String?
        /// The error message of a failed or cancelled goal.
        public var error: String?
        /// `request.json` without its `id`: what the goal runs with (finds renamed goals).
        public var request: [String: JSONValue]?
    }

    /// One manifest's results folder.
    public struct ManifestResults: Sendable, Hashable {
        public var name: String
        /// Goals in `summary.json` order.
        public var goals: [Goal]
    }

    /// The manifests, in name order.
    public var manifests: [ManifestResults]

    /// Reads a manifest's results folder (holding `summary.json`) or a results root (whose
    /// subfolders hold one each).
    public static func read(_ folder: URL, label: String) throws(DiffError) -> ResultsSnapshot {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: folder.path, isDirectory: &isDirectory) else { throw DiffError("\(label): no such folder") }
        guard isDirectory.boolValue else { throw DiffError("\(label): not a folder") }
        if fm.fileExists(atPath: folder.appendingPathComponent("summary.json").path) {
            return ResultsSnapshot(manifests: [try readManifest(folder, label: label)])
        }
        let names = ((try? fm.contentsOfDirectory(atPath: folder.path)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
        var manifests: [ManifestResults] = []
        for name in names where fm.fileExists(atPath: folder.appendingPathComponent("\(name)/summary.json").path) {
            manifests.append(try readManifest(folder.appendingPathComponent(name), label: "\(label)/\(name)"))
        }
        guard !manifests.isEmpty else {
            throw DiffError("\(label): no summary.json here or in its subfolders; expected a results folder written by roma run")
        }
        return ResultsSnapshot(manifests: manifests)
    }

    static func readManifest(_ folder: URL, label: String) throws(DiffError) -> ManifestResults {
        let summary = try json(folder.appendingPathComponent("summary.json"), label: "\(label)/summary.json")
        guard let rows = summary["goals"]?.arrayValue else { throw DiffError("\(label)/summary.json: has no 'goals' list") }
        var goals: [Goal] = []
        for row in rows {
            guard let id = row["id"]?.stringValue, let status = row["status"]?.stringValue else {
                throw DiffError("\(label)/summary.json: a goal row lacks 'id' or 'status'")
            }
            var goal = Goal(id: id, status: status, tokens: row["tokens"]?.intValue ?? 0, costUSD: ComparisonTable.usd(row["cost_usd"]))
            let goalFolder = folder.appendingPathComponent(id, isDirectory: true)
            if status != "pending" && status != "deferred" {
                let path = goalFolder.appendingPathComponent(ResultsTree.File.execution)
                guard FileManager.default.fileExists(atPath: path.path) else {
                    throw DiffError("\(label)/\(id)/\(ResultsTree.File.execution): missing (summary.json lists '\(id)' as \(status))")
                }
                let details = try json(path, label: "\(label)/\(id)/\(ResultsTree.File.execution)")
                goal.answer = details["result"]?.stringValue
                goal.error = details["error"]?["message"]?.stringValue
                goal.costUSD =
                    goal.costUSD ?? ComparisonTable.usd(details["cost_usd"]) ?? ComparisonTable.usd(details["metadata"]?["cost_usd"])
            }
            let requestPath = goalFolder.appendingPathComponent(ResultsTree.File.request)
            if FileManager.default.fileExists(atPath: requestPath.path) {
                var request = try json(requestPath, label: "\(label)/\(id)/\(ResultsTree.File.request)").objectValue
                request?["id"] = nil
                goal.request = request
            }
            goals.append(goal)
        }
        let name = summary["manifest"]?.stringValue ?? folder.lastPathComponent
        return ManifestResults(name: name, goals: goals)
    }

    static func json(_ url: URL, label: String) throws(DiffError) -> JSONValue {
        guard let data = FileManager.default.contents(atPath: url.path) else { throw DiffError("\(label): cannot be read") }
        guard let value = try? JSONDecoder().decode(JSONValue.self, from: data) else { throw DiffError("\(label): not valid JSON") }
        return value
    }
}
