/// The four agents of the engine; each may run on its own model (`profiles: {general: {planner: …}}`).
public enum Agent: String, Sendable, Hashable, CaseIterable, Codable {
    case atomizer, planner, executor, aggregator

    /// The agent that makes calls of a purpose (`atomize`, `plan`, `execute`, `aggregate`).
    public init?(purpose: String) {
        switch purpose {
        case "atomize": self = .atomizer
        case "plan": self = .planner
        case "execute": self = .executor
        case "aggregate": self = .aggregator
        default: return nil
        }
    }

    /// The agents' names, as the `profiles:` section spells them.
    public static let names = allCases.map(\.rawValue)
}
