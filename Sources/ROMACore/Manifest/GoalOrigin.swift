/// Where a goal expanded from a template or a matrix came from: the template's id and the
/// value of every dimension of its combination.
public struct GoalOrigin: Sendable, Hashable {
    /// One dimension's value in a combination.
    public struct Binding: Sendable, Hashable {
        /// A `vars:` name, or a matrix key (`config_profile`, `model`, `max_depth`, `temperature`, `max_tokens`).
        public var name: String
        /// The value as written.
        public var value: String

        /// Creates a binding.
        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    /// The template's id: the goal's `id:` (or the id derived from its template text). `--only`
    /// takes it to select every combination.
    public var template: String
    /// The template's `vars:` values, in the order the names were written.
    public var vars: [Binding]
    /// The matrix values, in the order the matrix keys were written.
    public var matrix: [Binding]

    /// Creates an origin.
    public init(template: String, vars: [Binding] = [], matrix: [Binding] = []) {
        self.template = template
        self.vars = vars
        self.matrix = matrix
    }

    /// The label of the comparison table's row: `coin=BTC, horizon=week`, or the template id
    /// when the template has no `vars:`.
    public var row: String {
        vars.isEmpty ? template : vars.map { "\($0.name)=\($0.value)" }.joined(separator: ", ")
    }

    /// The label of the comparison table's column: `fast · gpt-4o-mini · max_depth 3`, or
    /// `—` when no matrix applies.
    public var column: String {
        guard !matrix.isEmpty else { return "—" }
        return matrix.map { Self.labelledKeys.contains($0.name) ? "\($0.name) \($0.value)" : $0.value }
            .joined(separator: " · ")
    }

    /// Matrix keys whose bare value would not say what it is (a number), so labels name the key.
    static let labelledKeys: Set<String> = ["max_depth", "temperature", "max_tokens"]
}
