/// Goal templates and matrices as a whole: what `roma plan` shows and what `--only` selects.
extension Manifest {
    /// The most goals one goal template (its `vars:` times the matrix) may expand to.
    public static let maxGoalsPerTemplate = 1_000

    /// One template of the manifest and the goals it expanded to.
    public struct Template: Sendable, Hashable {
        /// The template's id (what `--only` takes).
        public var id: String
        /// Each dimension's name and number of values, vars first, in file order.
        public var dimensions: [(name: String, count: Int)]
        /// The ids of its goals, in expansion order.
        public var goalIDs: [String]

        /// `2 coin × 2 config_profile × 2 model = 8 goals`.
        public var expansion: String {
            dimensions.map { "\($0.count) \($0.name)" }.joined(separator: " × ")
                + " = \(goalIDs.count) goal\(goalIDs.count == 1 ? "" : "s")"
        }

        public static func == (lhs: Template, rhs: Template) -> Bool {
            lhs.id == rhs.id && lhs.goalIDs == rhs.goalIDs && lhs.dimensions.map(\.name) == rhs.dimensions.map(\.name)
                && lhs.dimensions.map(\.count) == rhs.dimensions.map(\.count)
        }

        public func hash(into hasher: inout Hasher) {
            hasher.combine(id)
            hasher.combine(goalIDs)
        }
    }

    /// The templates, in the order their goals appear.
    public var templates: [Template] {
        var order: [String] = []
        var byID: [String: (goals: [GoalSpec], ids: [String])] = [:]
        for goal in goals {
            guard let origin = goal.origin else { continue }
            if byID[origin.template] == nil { order.append(origin.template) }
            byID[origin.template, default: ([], [])].goals.append(goal)
            byID[origin.template, default: ([], [])].ids.append(goal.id)
        }
        return order.compactMap { id in
            guard let (goals, ids) = byID[id], let first = goals.first?.origin else { return nil }
            let names = first.vars.map(\.name) + first.matrix.map(\.name)
            let dimensions = names.enumerated().map { index, name in
                (name, Set(goals.compactMap { $0.origin.map { ($0.vars + $0.matrix)[index].value } }).count)
            }
            return Template(id: id, dimensions: dimensions, goalIDs: ids)
        }
    }

    /// The goal ids that `selection` (goal ids and template ids) stands for, and the entries that
    /// name neither.
    public func goalIDs(selectedBy selection: some Sequence<String>) -> (ids: Set<String>, unknown: [String]) {
        var ids: Set<String> = []
        var unknown: [String] = []
        for entry in selection {
            let matching = goals.filter { $0.id == entry || $0.origin?.template == entry }.map(\.id)
            if matching.isEmpty { unknown.append(entry) } else { ids.formUnion(matching) }
        }
        return (ids, unknown)
    }
}
