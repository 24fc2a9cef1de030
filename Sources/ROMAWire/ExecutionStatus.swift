/// The lifecycle state of an execution.
public enum ExecutionStatus: String, Sendable, Hashable, Codable, CaseIterable {
    case running, completed, failed, cancelled

    /// Whether the execution has finished (successfully or not).
    public var isTerminal: Bool { self != .running }
}

/// The lifecycle state of one node of an execution's DAG.
public enum NodeStatus: String, Sendable, Hashable, Codable {
    case pending, running, completed, failed, cancelled
}
