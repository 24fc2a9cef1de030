/// The API's DAG shape (`GET /executions/{id}/dag`), extended with depth, parent and task type.
public struct DAG: Sendable, Hashable, Codable {
    /// Every node, ordered by id path (parents before children, siblings in plan order).
    public var nodes: [DAGNode]
    /// Parent→child (`subtask`) and dependency→dependent (`depends_on`) edges.
    public var edges: [DAGEdge]
    /// Counts.
    public var stats: DAGStats

    /// Creates a DAG and computes its stats.
    public init(nodes: [DAGNode], edges: [DAGEdge]) {
        self.nodes = nodes
        self.edges = edges
        self.stats = DAGStats(
            totalNodes: nodes.count, completedNodes: nodes.filter { $0.status == .completed }.count,
            failedNodes: nodes.filter { $0.status == .failed }.count, totalEdges: edges.count)
    }
}

/// One task of the tree.
public struct DAGNode: Sendable, Hashable, Codable {
    /// Stable id from the node's path: `node_0` is the root, `node_0_2` its second subtask.
    public var id: String
    /// `plan` (decomposed) or `execute` (atomic); `pending` before it is decided.
    public var type: String
    /// THINK, RETRIEVE or WRITE (the root is THINK).
    public var taskType: String
    /// Current status.
    public var status: NodeStatus
    /// The task's goal.
    public var input: String
    /// The task's answer, once it has one.
    public var output: String?
    /// Depth in the tree (root 0).
    public var depth: Int
    /// The parent's id (nil for the root).
    public var parent: String?
    /// Ids of the sibling nodes this node depends on.
    public var dependencies: [String]
    /// When the node's first LLM call started.
    public var startedAt: String?
    /// When the node finished.
    public var completedAt: String?
    /// The error that failed the node.
    public var error: String?
    /// LLM calls the node made.
    public var llmCalls: Int
    /// Tokens those calls used.
    public var tokensUsed: Int
    /// The tools the node called, in order; nil when it called none.
    public var toolCalls: [DAGToolCall]?
    /// What the node's LLM calls cost (`null` when a model has no price); nil when not reported.
    public var costUSD: CostUSD?

    /// Creates a node.
    public init(
        id: String, type: String, taskType: String, status: NodeStatus, input: String, output: String? = nil,
        depth: Int, parent: String?, dependencies: [String] = [], startedAt: String? = nil,
        completedAt: String? = nil, error: String? = nil, llmCalls: Int = 0, tokensUsed: Int = 0, toolCalls: [DAGToolCall]? = nil,
        costUSD: CostUSD? = nil
    ) {
        self.toolCalls = toolCalls
        self.costUSD = costUSD
        self.id = id
        self.type = type
        self.taskType = taskType
        self.status = status
        self.input = input
        self.output = output
        self.depth = depth
        self.parent = parent
        self.dependencies = dependencies
        self.startedAt = startedAt
        self.completedAt = completedAt
        self.error = error
        self.llmCalls = llmCalls
        self.tokensUsed = tokensUsed
    }

    /// Decodes a node; `cost_usd: null` stays unknown (see `decodeCost(forKey:)`).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            id: try c.decode(String.self, forKey: .id), type: try c.decode(String.self, forKey: .type),
            taskType: try c.decode(String.self, forKey: .taskType), status: try c.decode(NodeStatus.self, forKey: .status),
            input: try c.decode(String.self, forKey: .input), output: try c.decodeIfPresent(String.self, forKey: .output),
            depth: try c.decode(Int.self, forKey: .depth), parent: try c.decodeIfPresent(String.self, forKey: .parent),
            dependencies: try c.decode([String].self, forKey: .dependencies),
            startedAt: try c.decodeIfPresent(String.self, forKey: .startedAt),
            completedAt: try c.decodeIfPresent(String.self, forKey: .completedAt),
            error: try c.decodeIfPresent(String.self, forKey: .error), llmCalls: try c.decode(Int.self, forKey: .llmCalls),
            tokensUsed: try c.decode(Int.self, forKey: .tokensUsed),
            toolCalls: try c.decodeIfPresent([DAGToolCall].self, forKey: .toolCalls), costUSD: try c.decodeCost(forKey: .costUSD))
    }

    enum CodingKeys: String, CodingKey {
        case id, type, status, input, output, depth, parent, dependencies, error
        case taskType = "task_type"
        case startedAt = "started_at"
        case completedAt = "completed_at"
        case llmCalls = "llm_calls"
        case tokensUsed = "tokens_used"
        case toolCalls = "tool_calls"
        case costUSD = "cost_usd"
    }
}

/// One tool call of a node, as `dag.json` lists it.
public struct DAGToolCall: Sendable, Hashable, Codable {
    /// The server's name in the manifest.
    public var server: String
    /// The tool.
    public var tool: String
    /// The arguments the model gave.
    public var arguments: JSONValue
    /// False when the tool reported an error or timed out.
    public var ok: Bool
    /// Wall time, in milliseconds.
    public var latencyMs: Int

    /// Creates a call.
    public init(server: String, tool: String, arguments: JSONValue, ok: Bool, latencyMs: Int) {
        self.server = server
        self.tool = tool
        self.arguments = arguments
        self.ok = ok
        self.latencyMs = latencyMs
    }

    enum CodingKeys: String, CodingKey {
        case server, tool, arguments, ok
        case latencyMs = "latency_ms"
    }
}

/// A directed edge of the DAG.
public struct DAGEdge: Sendable, Hashable, Codable {
    /// Source node id.
    public var from: String
    /// Target node id.
    public var to: String
    /// `subtask` (parent→child) or `depends_on` (dependency→dependent).
    public var type: String

    /// Creates an edge.
    public init(from: String, to: String, type: String) {
        self.from = from
        self.to = to
        self.type = type
    }
}

/// Node and edge counts.
public struct DAGStats: Sendable, Hashable, Codable {
    public var totalNodes: Int
    public var completedNodes: Int
    public var failedNodes: Int
    public var totalEdges: Int

    /// Creates stats.
    public init(totalNodes: Int, completedNodes: Int, failedNodes: Int, totalEdges: Int) {
        self.totalNodes = totalNodes
        self.completedNodes = completedNodes
        self.failedNodes = failedNodes
        self.totalEdges = totalEdges
    }

    enum CodingKeys: String, CodingKey {
        case totalNodes = "total_nodes"
        case completedNodes = "completed_nodes"
        case failedNodes = "failed_nodes"
        case totalEdges = "total_edges"
    }
}

/// The body of `GET /executions/{id}/dag`.
public struct DAGResponse: Sendable, Hashable, Codable {
    public var executionId: String
    public var dag: DAG

    /// Creates a response.
    public init(executionId: String, dag: DAG) {
        self.executionId = executionId
        self.dag = dag
    }

    enum CodingKeys: String, CodingKey {
        case executionId = "execution_id"
        case dag
    }
}
