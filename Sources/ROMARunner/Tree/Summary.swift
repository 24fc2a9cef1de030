import Foundation
import ROMACore

/// `summary.json`: one row per goal of the manifest, read back from the goal folders.
///
/// It holds nothing about the run itself (no run time, no host), so re-running a complete
/// tree leaves it byte-for-byte unchanged.
public struct Summary: Sendable, Hashable, Codable {
    /// One goal.
    public struct Row: Sendable, Hashable, Codable {
        public var id: String
        /// `completed`, `failed`, `cancelled`, `pending` (never run) or `deferred` (remote, daily limit).
        public var status: String
        public var executionId: String?
        /// SHA-256 of the goal's `request.json`.
        public var contentHash: String?
        public var tokens: Int
        public var llmCalls: Int
        public var nodes: Int
        public var executionTime: Double?
        public var configProfile: String
        public var model: String?
        public var goal: String
        public var error: String?
        /// What the goal's calls cost: `null` when a model has no price; nil (left out) when it never ran.
        public var costUSD: CostUSD?
        /// The models, sorted, whose calls had no price (from `execution.json`): why `costUSD` is
        /// `null`. Nil (left out) when every call had one, or the folder predates the field.
        public var unpricedModels: [String]?

        enum CodingKeys: String, CodingKey {
            case id, status, tokens, nodes, model, goal, error
            case costUSD = "cost_usd"
            case unpricedModels = "unpriced_models"
            case executionId = "execution_id"
            case contentHash = "content_hash"
            case llmCalls = "llm_calls"
            case executionTime = "execution_time"
            case configProfile = "config_profile"
        }
    }

    public var manifest: String
    public var goals: [Row]
    public var counts: [String: Int]
    /// What every goal that ran cost: `null` when any of them used a model without a price (nil
    /// only when read from a tree written before costs were reported).
    public var totalCostUSD: CostUSD?
    /// Every model, sorted and once, that a goal's calls used without a price: why
    /// `totalCostUSD` is `null`. Nil (left out) when there is none.
    public var unpricedModels: [String]?

    enum CodingKeys: String, CodingKey {
        case manifest, goals, counts
        case totalCostUSD = "total_cost_usd"
        case unpricedModels = "unpriced_models"
    }

    /// Reads the state of every goal of a manifest from its tree.
    ///
    /// `written` holds the rows of folders this process just wrote (`row(goal:…)`), so those
    /// folders need not be read back and decoded; the others are read.
    public init(manifest: Manifest, tree: ResultsTree, deferred: Set<String> = [], written: [String: Row] = [:]) {
        self.manifest = manifest.name
        var rows: [Row] = []
        for goal in manifest.goals {
            rows.append(written[goal.id] ?? Self.readRow(goal: goal, tree: tree, deferred: deferred.contains(goal.id)))
        }
        goals = rows
        var counts: [String: Int] = [:]
        for row in rows { counts[row.status, default: 0] += 1 }
        self.counts = counts
        totalCostUSD = Self.total(rows)
        unpricedModels = Self.unpricedModels(rows)
    }

    /// The rows' unpriced models, sorted and once; nil when there is none.
    static func unpricedModels(_ rows: [Row]) -> [String]? {
        let models = Set(rows.flatMap { $0.unpricedModels ?? [] })
        return models.isEmpty ? nil : models.sorted()
    }

    /// The sum of the rows' costs, in row order; unknown when any row's is.
    static func total(_ rows: [Row]) -> CostUSD {
        rows.reduce(CostUSD.zero) { $0 + ($1.costUSD ?? .zero) }
    }

    /// A goal's row, read from its folder.
    public static func readRow(goal: GoalSpec, tree: ResultsTree, deferred: Bool) -> Row {
        let requestData = tree.read(goal.id, ResultsTree.File.request)
        let details = tree.read(goal.id, ResultsTree.File.execution).flatMap {
            try? CanonicalJSON.decode(ExecutionDetails.self, from: $0)
        }
        let resolved = requestData.flatMap { try? CanonicalJSON.decode(ResolvedRequest.self, from: $0) }
        return row(goal: goal, requestData: requestData, details: details, resolved: resolved, deferred: deferred)
    }

    /// A goal's row, from its folder's `request.json` (bytes and decoded) and `execution.json`.
    public static func row(goal: GoalSpec, requestData: Data?, details: ExecutionDetails?, resolved: ResolvedRequest?, deferred: Bool)
        -> Row
    {
        var status = details?.status.rawValue ?? "pending"
        if details == nil, deferred { status = "deferred" }
        return Row(
            id: goal.id, status: status, executionId: details?.executionId,
            contentHash: requestData.map { SHA256.hex(bytes: $0) }, tokens: details?.metadata.tokensUsed ?? 0,
            llmCalls: details?.metadata.agentCalls ?? 0, nodes: details?.dag?.nodes.count ?? 0,
            executionTime: details?.metadata.executionTime,
            configProfile: (resolved?.configProfile ?? goal.request.profile).rawValue, model: resolved?.model,
            goal: MermaidRenderer.shorten(goal.request.goal, 160), error: details?.error?.message,
            costUSD: details.map { $0.metadata.costUSD ?? .unknown }, unpricedModels: details?.metadata.unpricedModels)
    }

    /// `index.md`: a table of goals, then `sections` (comparison tables and the like), then each goal's DAG as Mermaid.
    public func indexMarkdown(tree: ResultsTree, sections: [String] = []) -> Data {
        // Built as bytes, each goal's `dag.mmd` appended as read: for 10,000 goals the file is
        // ~10 MB, and building it as a growing `String` of decoded pictures, then converting it,
        // held two to three copies at once (+25 MB at the end of the run).
        var text = Data(capacity: 4096 + goals.count * 1200)
        func add(_ string: String) { text.append(contentsOf: string.utf8) }
        add("# \(manifest)\n\n")
        add(counts.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: " · ") + "\n\n")
        add("Cost: \(Self.describe(totalCostUSD ?? Self.total(goals), unpriced: unpricedModels ?? Self.unpricedModels(goals)))\n\n")
        add("| goal | status | tokens | cost (USD) | time (s) | nodes | task |\n|---|---|---:|---:|---:|---:|---|\n")
        for row in goals {
            let link = row.status == "pending" || row.status == "deferred" ? "`\(row.id)`" : "[\(row.id)](\(row.id)/result.md)"
            let time = row.executionTime.map { String(format: "%.1f", $0) } ?? "–"
            let goal = row.goal.replacingOccurrences(of: "|", with: "\\|")
            let cost = row.costUSD.map { Self.describe($0) } ?? "–"
            add("| \(link) | \(row.status) | \(row.tokens) | \(cost) | \(time) | \(row.nodes) | \(MermaidRenderer.shorten(goal, 90)) |\n")
        }
        for section in sections where !section.isEmpty { add("\n" + section) }  // research runs (issue 18)
        var explained = false
        for row in goals {
            guard let mermaid = tree.read(row.id, ResultsTree.File.mermaid) else { continue }
            if !explained {
                add(
                    "\nIn the task trees below, solid arrows lead from a task to its subtasks and dotted arrows from a dependency to the task that uses its result; ✓ completed, ✗ failed, ⊘ cancelled, ○ not run.\n"
                )
                explained = true
            }
            add("\n## \(row.id)\n\n\(row.goal)\n\n```mermaid\n")
            text.append(mermaid)
            add("```\n")
        }
        return text
    }

    /// A cost as `index.md` shows it: dollars to four places (six below a cent), or "unknown",
    /// followed by the models that had no price when they are known.
    static func describe(_ cost: CostUSD, unpriced: [String]? = nil) -> String {
        guard let dollars = cost.dollars else {
            guard let unpriced, !unpriced.isEmpty else { return "unknown" }
            return "unknown (no price for: \(unpriced.joined(separator: ", ")))"
        }
        return String(format: dollars < 0.01 && dollars > 0 ? "$%.6f" : "$%.4f", dollars)
    }
}

// The decoders keep `cost_usd: null` (unknown) apart from a missing key (never ran): the
// synthesized ones would read both as nil, so a row that travels through the shards' ledger, or
// a summary read back from `summary.json`, would lose its unknown cost. In extensions, so `Row`
// keeps its memberwise initialiser.

extension Summary {
    /// Decodes a summary; `total_cost_usd: null` stays unknown.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        manifest = try c.decode(String.self, forKey: .manifest)
        goals = try c.decode([Row].self, forKey: .goals)
        counts = try c.decode([String: Int].self, forKey: .counts)
        totalCostUSD = try c.decodeCost(forKey: .totalCostUSD)
        unpricedModels = try c.decodeIfPresent([String].self, forKey: .unpricedModels)
    }
}

extension Summary.Row {
    /// Decodes a row; `cost_usd: null` stays unknown.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            id: try c.decode(String.self, forKey: .id), status: try c.decode(String.self, forKey: .status),
            executionId: try c.decodeIfPresent(String.self, forKey: .executionId),
            contentHash: try c.decodeIfPresent(String.self, forKey: .contentHash), tokens: try c.decode(Int.self, forKey: .tokens),
            llmCalls: try c.decode(Int.self, forKey: .llmCalls), nodes: try c.decode(Int.self, forKey: .nodes),
            executionTime: try c.decodeIfPresent(Double.self, forKey: .executionTime),
            configProfile: try c.decode(String.self, forKey: .configProfile), model: try c.decodeIfPresent(String.self, forKey: .model),
            goal: try c.decode(String.self, forKey: .goal), error: try c.decodeIfPresent(String.self, forKey: .error),
            costUSD: try c.decodeCost(forKey: .costUSD), unpricedModels: try c.decodeIfPresent([String].self, forKey: .unpricedModels))
    }
}
