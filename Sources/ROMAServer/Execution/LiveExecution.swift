import ROMAEngine
import ROMAShared
import ROMAWire

/// What is known about a running execution from the engine's events: progress, the current
/// step, and the nodes that have started (the live DAG until the engine returns the full one).
struct LiveExecution: Sendable, Hashable {
    /// 0–99 while running (100 is for completed executions only).
    private(set) var progress = 0
    /// The goal of the most recently started node.
    private(set) var currentStep: String?
    private var nodes: [String: DAGNode] = [:]

    /// Folds one event in; returns whether progress or the current step changed.
    mutating func apply(_ event: ExecutionEvent, at timestamp: String) -> Bool {
        switch event {
        case .nodeStarted(let nodeID, let depth, let goal):
            nodes[nodeID] = DAGNode(
                id: nodeID, type: "pending", taskType: depth == 0 ? "THINK" : "UNKNOWN", status: .running, input: goal,
                depth: depth, parent: NodePath.parent(of: nodeID), startedAt: timestamp)
            currentStep = goal.count > 200 ? String(goal.prefix(200)) + "…" : goal
            return true
        case .nodeFinished(let nodeID, let status, let completed, let total):
            nodes[nodeID]?.status = NodeStatus(rawValue: status) ?? .failed
            nodes[nodeID]?.completedAt = timestamp
            let next = total > 0 ? min(99, completed * 100 / total) : 0
            guard next > progress else { return false }
            progress = next
            return true
        case .call, .outputRetry, .toolCall:
            return false
        }
    }

    /// The nodes seen so far, parents before children, with their `subtask` edges.
    var dag: DAG {
        let ordered = nodes.values.sorted { NodePath.components($0.id).lexicographicallyPrecedes(NodePath.components($1.id)) }
        let edges = ordered.compactMap { node in node.parent.map { DAGEdge(from: $0, to: node.id, type: "subtask") } }
        return DAG(nodes: ordered, edges: edges)
    }
}
