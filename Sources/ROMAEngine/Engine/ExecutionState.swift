import Foundation
import ROMACore

/// The shared mutable state of one running execution: its nodes, calls and budgets.
actor ExecutionState {
    struct Node {
        var id: String
        var parent: String?
        var depth: Int
        var taskType: TaskType
        var kind = "pending"
        var status = NodeStatus.pending
        var input: String
        var output: String?
        var error: String?
        var dependencies: [String]
        var children: [String] = []
        var firstStart: Date?
        var lastEnd: Date?
        var calls = 0
        var tokens = 0
        var cost = CostUSD.zero
        var toolCalls: [DAGToolCall] = []
    }

    private(set) var nodes: [String: Node] = [:]
    private(set) var calls: [CallRecord] = []
    private(set) var toolCalls: [ToolCallRecord] = []
    private var reservedCalls = 0
    private var tokens = 0
    /// Dollars spent on priced models (the budget counts these; unpriced calls count as 0).
    private var knownCost = 0.0
    private var finished = 0
    /// The goal of the node that started last.
    private var currentStep: String?
    /// Finished nodes in percent of the nodes known, never lower than before (a plan adds nodes).
    private var percent = 0
    private let configuration: EngineConfiguration
    private let events: @Sendable (ExecutionEvent) -> Void

    init(configuration: EngineConfiguration, events: @escaping @Sendable (ExecutionEvent) -> Void) {
        self.configuration = configuration
        self.events = events
    }

    func add(_ node: Node) {
        nodes[node.id] = node
        if let parent = node.parent { nodes[parent]?.children.append(node.id) }
    }

    func start(_ id: String) {
        guard let node = nodes[id] else { return }
        nodes[id]?.status = .running
        currentStep = node.input
        events(.nodeStarted(nodeID: id, depth: node.depth, goal: node.input))
    }

    func setKind(_ id: String, _ kind: String) { nodes[id]?.kind = kind }

    func finish(_ id: String, status: NodeStatus, output: String? = nil, error: String? = nil) {
        guard nodes[id]?.status == .running || nodes[id]?.status == .pending else { return }
        nodes[id]?.status = status
        nodes[id]?.output = output
        nodes[id]?.error = error
        finished += 1
        percent = max(percent, finished * 100 / nodes.count)
        events(.nodeFinished(nodeID: id, status: status.rawValue, completed: finished, total: nodes.count))
    }

    /// Takes one call from the budget, or fails the execution.
    func reserveCall(nodeID: String) throws(EngineError) {
        guard reservedCalls < configuration.maxLLMCalls else {
            throw EngineError(
                code: .budgetExceeded,
                message: "budget exceeded: the execution reached its limit of \(configuration.maxLLMCalls) LLM calls at \(nodeID)",
                nodeID: nodeID)
        }
        reservedCalls += 1
    }

    /// Records a finished call, then fails the execution if it went over the token budget.
    func record(_ call: CallRecord, started: Date, finished end: Date, replayed: Bool) throws(EngineError) {
        calls.append(call)
        tokens += call.usage.totalTokens
        let cost = configuration.pricing.cost(call)
        knownCost += cost.dollars ?? 0
        if var node = nodes[call.nodeID] {
            node.calls += 1
            node.tokens += call.usage.totalTokens
            node.cost = node.cost + cost
            node.firstStart = min(node.firstStart ?? started, started)
            node.lastEnd = max(node.lastEnd ?? end, end)
            nodes[call.nodeID] = node
        }
        events(
            .call(
                nodeID: call.nodeID, purpose: call.purpose, model: call.request.model, tokens: call.usage.totalTokens, costUSD: cost,
                replayed: replayed))
        guard tokens <= configuration.maxTokens else {
            throw EngineError(
                code: .budgetExceeded,
                message:
                    "budget exceeded: the execution used \(tokens) tokens, over its limit of \(configuration.maxTokens), at \(call.nodeID)",
                nodeID: call.nodeID)
        }
        if let limit = configuration.maxCostUSD, knownCost > limit {
            throw EngineError(
                code: .budgetExceeded,
                message:
                    "budget exceeded: the execution cost $\(Self.dollars(knownCost)), over its limit of $\(Self.dollars(limit)), at \(call.nodeID)",
                nodeID: call.nodeID)
        }
    }

    /// Records a finished tool call.
    func record(_ call: ToolCallRecord, started: Date, finished end: Date, replayed: Bool) {
        toolCalls.append(call)
        if var node = nodes[call.nodeID] {
            node.toolCalls.append(
                DAGToolCall(server: call.server, tool: call.tool, arguments: call.arguments, ok: !call.isError, latencyMs: call.latencyMs))
            node.firstStart = min(node.firstStart ?? started, started)
            node.lastEnd = max(node.lastEnd ?? end, end)
            nodes[call.nodeID] = node
        }
        events(.toolCall(nodeID: call.nodeID, server: call.server, tool: call.tool, ok: !call.isError, replayed: replayed))
    }

    func outputRetry(nodeID: String, purpose: String, reason: String) {
        events(.outputRetry(nodeID: nodeID, purpose: purpose, reason: reason))
    }

    /// The nodes in the API's DAG shape, ordered by path.
    func dag() -> DAG {
        // Paths parsed once per node, not once per comparison.
        let ordered = nodes.values.map { (NodePath.components($0.id), $0) }.sorted { $0.0.lexicographicallyPrecedes($1.0) }.map(\.1)
        var edges: [DAGEdge] = []
        let dagNodes = ordered.map { node -> DAGNode in
            if let parent = node.parent { edges.append(DAGEdge(from: parent, to: node.id, type: "subtask")) }
            for dependency in node.dependencies { edges.append(DAGEdge(from: dependency, to: node.id, type: "depends_on")) }
            return DAGNode(
                id: node.id, type: node.kind, taskType: node.taskType.rawValue, status: node.status, input: node.input,
                output: node.output, depth: node.depth, parent: node.parent, dependencies: node.dependencies,
                startedAt: node.firstStart.map(Timestamp.string),
                completedAt: node.status == .completed || node.status == .failed ? node.lastEnd.map(Timestamp.string) : nil,
                error: node.error, llmCalls: node.calls, tokensUsed: node.tokens,
                toolCalls: node.toolCalls.isEmpty ? nil : node.toolCalls, costUSD: node.cost)
        }
        return DAG(nodes: dagNodes, edges: edges)
    }

    /// The calls in `CallRecord.canonicalOrder` (by node path, then sequence), paths parsed once per call.
    func sortedCalls() -> [CallRecord] {
        Self.sorted(calls, nodeID: \.nodeID, sequence: \.sequence)
    }

    /// The tool calls, by node path, then sequence.
    func sortedToolCalls() -> [ToolCallRecord] {
        Self.sorted(toolCalls, nodeID: \.nodeID, sequence: \.sequence)
    }

    /// Records by node path, then sequence. The indices are sorted, not the records: a call's
    /// record is large (its whole request), and each copy of it retains every string it holds.
    private static func sorted<Record>(_ records: [Record], nodeID: (Record) -> String, sequence: (Record) -> Int) -> [Record] {
        let paths = records.map { NodePath.components(nodeID($0)) }
        let order = records.indices.sorted { a, b in
            paths[a] != paths[b] ? paths[a].lexicographicallyPrecedes(paths[b]) : sequence(records[a]) < sequence(records[b])
        }
        return order.map { records[$0] }
    }

    func timeSpan() -> (Date, Date)? {
        let starts = calls.map(\.startedAt) + toolCalls.map(\.startedAt)
        let ends = calls.map(\.finishedAt) + toolCalls.map(\.finishedAt)
        guard let first = starts.min(), let last = ends.max(),
            let start = Timestamp.date(first), let end = Timestamp.date(last)
        else { return nil }
        return (start, end)
    }

    func progress() -> (completed: Int, total: Int) { (finished, nodes.count) }

    /// The execution as it stands: what `ExecutionMonitor.snapshot()` answers.
    func snapshot() -> ExecutionSnapshot {
        ExecutionSnapshot(
            completedNodes: finished, totalNodes: nodes.count, percent: percent, currentStep: currentStep, dag: dag())
    }

    /// Puts a node's figures on its span: kind, status, calls, tokens, cost.
    func describe(_ id: String, to span: EngineSpan) {
        guard let node = nodes[id] else { return }
        span.set("roma.node.kind", node.kind)
        span.set("roma.status", node.status.rawValue)
        span.set("roma.llm_calls", node.calls)
        span.set("roma.tokens", node.tokens)
        span.set(cost: node.cost)
    }

    /// Dollars as error messages show them.
    static func dollars(_ value: Double) -> String { String(format: "%.4f", value) }
}
