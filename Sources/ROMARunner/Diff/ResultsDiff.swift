import Foundation
import ROMACore

/// What changed between two results trees, goal by goal: goals added, removed or renamed, and
/// for goals in both, status, answer, error, tokens, cost and request. Run times, timestamps
/// and execution ids are not compared: a re-run that only ran at another time is no change.
public struct ResultsDiff: Sendable, Hashable {
    /// How a goal changed.
    public enum Kind: String, Sendable, Hashable, Codable {
        case added, removed, renamed, changed
    }

    /// An old and a new value.
    public struct Pair<Value: Sendable & Hashable & Codable>: Sendable, Hashable, Codable {
        public var old: Value
        public var new: Value
    }

    /// One goal that changed.
    public struct GoalChange: Sendable, Hashable {
        public var manifest: String
        /// The goal's id (the new id of a renamed goal).
        public var goal: String
        public var kind: Kind
        /// A renamed goal's old id.
        public var renamedFrom: String?
        /// What changed, in a fixed order: `status`, `answer`, `error`, `tokens`, `cost`, `request`.
        public var fields: [String]
        /// Status before and after (one side only for an added or removed goal).
        public var status: Pair<String?>
        public var tokens: Pair<Int?>
        public var costUSD: Pair<Double?>
        /// The answer's word diff, when the answer changed and both sides have one.
        public var answer: WordDiff?
        /// When the answer changed but was too long to diff: the word counts.
        public var answerWords: Pair<Int>?
        /// The keys of `request.json` whose values changed.
        public var requestKeys: [String]
        /// The error message before and after, when it changed.
        public var error: Pair<String?>?
    }

    /// How the two trees were named on the command line.
    public var oldLabel: String
    public var newLabel: String
    /// The changed goals, manifest by manifest, in the new tree's order (removed goals last).
    public var changes: [GoalChange]
    /// Goals present in both and equal in everything compared.
    public var unchanged: Int
    /// Tokens and cost over all goals of each tree (cost nil when any goal's is unknown).
    public var totalTokens: Pair<Int>
    public var totalCostUSD: Pair<Double?>

    /// Whether either tree holds more than one manifest (goals are then named `manifest/goal`).
    public var severalManifests: Bool

    /// Whether anything changed (exit 1 rather than 0).
    public var hasChanges: Bool { !changes.isEmpty }

    /// Compares two snapshots.
    public init(old: ResultsSnapshot, new: ResultsSnapshot, oldLabel: String, newLabel: String) {
        self.oldLabel = oldLabel
        self.newLabel = newLabel
        self.severalManifests = Set(old.manifests.map(\.name) + new.manifests.map(\.name)).count > 1
        var changes: [GoalChange] = []
        var unchanged = 0
        let oldManifests = Dictionary(old.manifests.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let newNames = Set(new.manifests.map(\.name))
        let pairs =
            new.manifests.map { (oldManifests[$0.name], $0 as ResultsSnapshot.ManifestResults?) }
            + old.manifests.filter { !newNames.contains($0.name) }.map { ($0 as ResultsSnapshot.ManifestResults?, nil) }
        for (before, after) in pairs {
            let manifest = after?.name ?? before?.name ?? ""
            let oldGoals = before?.goals ?? []
            let newGoals = after?.goals ?? []
            let oldByID = Dictionary(oldGoals.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
            let newIDs = Set(newGoals.map(\.id))
            var removed = oldGoals.filter { !newIDs.contains($0.id) }
            for goal in newGoals {
                if let previous = oldByID[goal.id] {
                    if let change = Self.compare(previous, goal, manifest: manifest) { changes.append(change) } else { unchanged += 1 }
                } else if let index = removed.firstIndex(where: { $0.request != nil && $0.request == goal.request }) {
                    // Same request under another id: the goal was renamed, not replaced.
                    let previous = removed.remove(at: index)
                    var change =
                        Self.compare(previous, goal, manifest: manifest)
                        ?? GoalChange(
                            manifest: manifest, goal: goal.id, kind: .changed, fields: [],
                            status: Pair(old: previous.status, new: goal.status),
                            tokens: Pair(old: previous.tokens, new: goal.tokens), costUSD: Pair(old: previous.costUSD, new: goal.costUSD),
                            requestKeys: [])
                    change.kind = .renamed
                    change.renamedFrom = previous.id
                    changes.append(change)
                } else {
                    changes.append(
                        GoalChange(
                            manifest: manifest, goal: goal.id, kind: .added, fields: [], status: Pair(old: nil, new: goal.status),
                            tokens: Pair(old: nil, new: goal.tokens), costUSD: Pair(old: nil, new: goal.costUSD), requestKeys: []))
                }
            }
            for goal in removed {
                changes.append(
                    GoalChange(
                        manifest: manifest, goal: goal.id, kind: .removed, fields: [], status: Pair(old: goal.status, new: nil),
                        tokens: Pair(old: goal.tokens, new: nil), costUSD: Pair(old: goal.costUSD, new: nil), requestKeys: []))
            }
        }
        self.changes = changes
        self.unchanged = unchanged
        let oldGoals = old.manifests.flatMap(\.goals)
        let newGoals = new.manifests.flatMap(\.goals)
        totalTokens = Pair(old: oldGoals.reduce(0) { $0 + $1.tokens }, new: newGoals.reduce(0) { $0 + $1.tokens })
        totalCostUSD = Pair(old: Self.total(oldGoals), new: Self.total(newGoals))
    }

    /// The change of a goal present in both trees, nil when nothing compared differs.
    static func compare(_ old: ResultsSnapshot.Goal, _ new: ResultsSnapshot.Goal, manifest: String) -> GoalChange? {
        var fields: [String] = []
        if old.status != new.status { fields.append("status") }
        let answerChanged = old.answer != new.answer
        if answerChanged { fields.append("answer") }
        let errorChanged = old.error != new.error
        if errorChanged { fields.append("error") }
        if old.tokens != new.tokens { fields.append("tokens") }
        if old.costUSD != new.costUSD { fields.append("cost") }
        let requestKeys = Set((old.request ?? [:]).keys).union((new.request ?? [:]).keys).filter { old.request?[$0] != new.request?[$0] }
            .sorted()
        if !requestKeys.isEmpty { fields.append("request") }
        guard !fields.isEmpty else { return nil }
        var change = GoalChange(
            manifest: manifest, goal: new.id, kind: .changed, fields: fields, status: Pair(old: old.status, new: new.status),
            tokens: Pair(old: old.tokens, new: new.tokens), costUSD: Pair(old: old.costUSD, new: new.costUSD), requestKeys: requestKeys)
        if answerChanged, let before = old.answer, let after = new.answer {
            change.answer = WordDiff(old: before, new: after)
            if change.answer == nil {
                change.answerWords = Pair(
                    old: before.split(whereSeparator: \.isWhitespace).count, new: after.split(whereSeparator: \.isWhitespace).count)
            }
        }
        if errorChanged { change.error = Pair(old: old.error, new: new.error) }
        return change
    }

    static func total(_ goals: [ResultsSnapshot.Goal]) -> Double? {
        var sum = 0.0
        for goal in goals where goal.status != "pending" && goal.status != "deferred" {
            guard let cost = goal.costUSD else { return nil }
            sum += cost
        }
        return goals.contains { $0.costUSD != nil } ? sum : nil
    }
}
