import ROMACore

/// One running execution as the engine holds it at a moment (see `ExecutionMonitor`).
public struct ExecutionSnapshot: Sendable, Hashable {
    /// Nodes that have ended (completed, failed or cancelled).
    public var completedNodes: Int
    /// Nodes known so far (a plan adds its subtasks when it is made).
    public var totalNodes: Int
    /// Finished nodes in percent of the known ones; never goes down, even when a plan adds nodes.
    public var percent: Int
    /// The goal of the node that started last.
    public var currentStep: String?
    /// Every node known so far, in the API's DAG shape (the shape of the final DAG).
    public var dag: DAG

    /// Creates a snapshot.
    public init(completedNodes: Int, totalNodes: Int, percent: Int, currentStep: String?, dag: DAG) {
        self.completedNodes = completedNodes
        self.totalNodes = totalNodes
        self.percent = percent
        self.currentStep = currentStep
        self.dag = dag
    }
}
