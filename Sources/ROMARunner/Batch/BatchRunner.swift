import Foundation
import ROMAClient
import ROMACore
import ROMAEngine
import ROMATools

/// Runs every goal of one or more manifests and writes their results trees.
public struct BatchRunner: Sendable {
    /// The run's options.
    public var options: RunOptions
    /// A model to use instead of the one `options.provider` names (tests, benchmarks).
    public var providerModel: (any LanguageModel)?
    /// The clock remote polling waits on (tests inject a fast one).
    public var remoteSleeper: (any Sleeper)?
    /// Tools to use instead of starting the manifests' MCP servers (tests).
    public var toolBox: (any ToolBox)?

    /// Creates a runner.
    public init(options: RunOptions, providerModel: (any LanguageModel)? = nil, remoteSleeper: (any Sleeper)? = nil) {
        self.options = options
        self.providerModel = providerModel
        self.remoteSleeper = remoteSleeper
    }

    /// One goal to consider, with its request resolved.
    struct Job: Sendable {
        var manifest: Manifest
        var tree: ResultsTree
        var goal: GoalSpec
        var request: ResolvedRequest
        var requestBytes: Data
    }

    /// What a goal's folder says about it, compared with the request it would run now.
    public enum GoalState: String, Sendable, Hashable {
        /// No folder yet.
        case new
        /// Completed with the same request: skipped unless forced.
        case current
        /// Completed with a different request (manifest, profile or model changed).
        case changed
        /// Failed or cancelled last time.
        case unfinished
    }

    func jobs(_ manifests: [Manifest]) throws -> [Job] {
        var jobs: [Job] = []
        for manifest in manifests {
            let tree = ResultsTree(out: options.out, manifestName: manifest.name)
            var profiles = ProfileTable.resolve(manifest: manifest.profileModels, environment: options.environment)
            profiles.tools = manifest.profileTools
            for goal in manifest.goals {
                if !options.only.isEmpty && !options.only.contains(goal.id) { continue }
                if let shard = options.shard, !shard.contains(manifest: manifest.name, goalID: goal.id) { continue }
                let request = ResolvedRequest(
                    id: goal.id, request: goal.request, profiles: profiles, tools: goal.tools, minDepth: goal.minDepth)
                jobs.append(
                    Job(
                        manifest: manifest, tree: tree, goal: goal, request: request,
                        requestBytes: try CanonicalJSON.pretty(request.publicView)))
            }
        }
        return jobs
    }

    func state(of job: Job) -> (GoalState, GoalHead?) {
        guard let existing = job.tree.read(job.goal.id, ResultsTree.File.request) else { return (.new, nil) }
        let execution = job.tree.read(job.goal.id, ResultsTree.File.execution)
        // A goal that may be skipped as complete must read back whole, as the summary reads it:
        // a damaged execution.json runs again instead of being listed as pending forever. Under
        // --force every goal runs, so its status and id are all that is needed, read without the DAG.
        let head =
            options.force
            ? execution.flatMap(GoalHead.init(executionJSON:))
            : execution.flatMap { try? CanonicalJSON.decode(ExecutionDetails.self, from: $0) }.map(GoalHead.init(details:))
        guard head?.status == .completed else { return (.unfinished, head) }
        return (existing == job.requestBytes ? .current : .changed, head)
    }

    /// Runs the manifests. Throws `TreeLock.Locked` when another run holds a tree.
    public func run(_ manifests: [Manifest], command: String = "roma run", events: @escaping @Sendable (BatchEvent) -> Void = { _ in })
        async throws -> [GoalOutcome]
    {
        var locks: [TreeLock] = []
        defer { for lock in locks { lock.release() } }
        for manifest in manifests {
            let tree = ResultsTree(out: options.out, manifestName: manifest.name)
            try tree.prepare()
            let lockName = options.shard.map { ".lock-shard-\($0.index)-of-\($0.count)" } ?? ".lock"
            locks.append(try TreeLock.acquire(at: tree.root.appendingPathComponent(lockName), command: command))
        }
        let all = try jobs(manifests)
        var toRun: [(Job, GoalHead?)] = []
        var outcomes: [GoalOutcome] = []
        for job in all {
            let (state, head) = state(of: job)
            if state == .current && !options.force {
                outcomes.append(
                    GoalOutcome(manifest: job.manifest.name, goal: job.goal.id, status: .skipped, executionID: head?.executionId))
                events(.skipped(manifest: job.manifest.name, goal: job.goal.id, reason: "complete and unchanged"))
            } else {
                toRun.append((job, head))
            }
        }
        events(.started(goals: all.count, toRun: toRun.count))

        let limiter = CallLimiter(limit: options.llmConcurrency)
        let live: (any LanguageModel)? =
            options.recording == .offline
            ? nil
            : ResilientModel(
                LimitedModel(AnyLanguageModel(providerModel ?? options.provider.makeModel()), limiter: limiter), policy: options.retry)
        let concurrency = max(1, options.concurrency)
        let remote =
            options.mode == .remote
            ? RemoteGoalRunner(
                client: ROMAAPIClient(baseURL: options.remote.baseURL, apiKey: options.remote.apiKey),
                settings: options.remote, sleeper: remoteSleeper ?? ContinuousSleeper(), quota: RemoteQuota())
            : nil
        // Each manifest's MCP servers: started on first use, stopped when the goals are done.
        let hubs = toolHubs(manifests)
        // Summary rows of the folders this run wrote, so the summary need not read them back.
        var written: [String: [String: Summary.Row]] = [:]
        await withTaskGroup(of: (GoalOutcome, Summary.Row?).self) { group in
            var next = 0
            func launch() {
                guard next < toRun.count, !Task.isCancelled else { return }
                let (job, existing) = toRun[next]
                next += 1
                group.addTask {
                    if let remote {
                        events(.goalStarted(manifest: job.manifest.name, goal: job.goal.id))
                        return (await remote.run(job, events: events), nil)
                    }
                    let tools = toolBox ?? hubs[job.manifest.name]
                    return await runGoal(job, existing: existing, live: live, tools: tools, events: events)
                }
            }
            for _ in 0..<concurrency { launch() }
            while let (outcome, folder) = await group.next() {
                outcomes.append(outcome)
                if let folder { written[outcome.manifest, default: [:]][outcome.goal] = folder }
                launch()
            }
        }
        for hub in hubs.values { await hub.shutdown() }
        for manifest in manifests {
            let tree = ResultsTree(out: options.out, manifestName: manifest.name)
            let deferred = Set(outcomes.filter { $0.manifest == manifest.name && $0.status == .deferred }.map(\.goal))
            try writeSummary(manifest: manifest, tree: tree, deferred: deferred, written: written[manifest.name] ?? [:])
        }
        return outcomes
    }

    /// Rewrites `summary.json` and `index.md` from the goal folders (untouched when unchanged).
    public func writeSummary(manifest: Manifest, tree: ResultsTree, deferred: Set<String> = [], written: [String: Summary.Row] = [:]) throws
    {
        let summary = Summary(manifest: manifest, tree: tree, deferred: deferred, written: written)
        try tree.writeFile("summary.json", try CanonicalJSON.encode(summary))
        try tree.writeFile("index.md", Data(summary.indexMarkdown(tree: tree).utf8))
    }

    func runGoal(
        _ job: Job, existing: GoalHead?, live: (any LanguageModel)?, tools: (any ToolBox)? = nil,
        events: @escaping @Sendable (BatchEvent) -> Void
    ) async -> (GoalOutcome, Summary.Row?) {
        let manifest = job.manifest.name
        let id = job.goal.id
        events(.goalStarted(manifest: manifest, goal: id))
        let recorded = options.recording == .record ? nil : job.tree.read(id, ResultsTree.File.calls)
        let recordings = GoalArtifacts.readAnswers(recorded)
        let model = ReplayModel(mode: options.recording, live: live, providerName: options.provider.name, recordings: recordings)
        let engine = ExecutionEngine(
            model: model, configuration: engineConfiguration(job.manifest),
            tools: job.request.tools == nil ? nil : replayTools(recorded, live: tools))
        let record = await engine.run(job.request, goalID: id) { event in
            events(.engine(manifest: manifest, goal: id, event: event))
        }
        var outcome = GoalOutcome(
            manifest: manifest, goal: id, status: GoalOutcome.Status(rawValue: record.status.rawValue) ?? .failed,
            executionID: record.executionID, tokens: record.tokensUsed,
            seconds: record.finishedAt.timeIntervalSince(record.createdAt), nodes: record.dag.nodes.count,
            llmCalls: record.calls.count, outputRetries: record.outputRetries, error: record.error?.message,
            temporary: record.error?.isTemporary ?? false)
        outcome.toolCalls = record.toolCalls.count
        // A miss in --offline mode writes nothing; a failed re-run never replaces a completed result.
        let keepExisting = record.status != .completed && existing?.status == .completed
        var folder: Summary.Row?
        if !(record.error?.isRecordingMiss ?? false) && !keepExisting {
            do {
                let details = record.details
                try job.tree.writeGoal(
                    id,
                    files: try GoalArtifacts.files(
                        request: job.request, details: details, calls: record.calls, toolCalls: record.toolCalls, tools: record.tools,
                        requestBytes: job.requestBytes),
                    known: recorded.map { [ResultsTree.File.calls: $0] } ?? [:])
                outcome.written = true
                folder = Summary.row(
                    goal: job.goal, requestData: job.requestBytes, details: details, resolved: job.request.publicView, deferred: false)
            } catch {
                outcome.status = .failed
                outcome.error = "cannot write the results of '\(id)': \(error)"
            }
        }
        events(.goalFinished(outcome))
        return (outcome, folder)
    }
}

/// The status and execution id of a goal folder's `execution.json` (readable without decoding its DAG).
struct GoalHead: Sendable {
    var status: ExecutionStatus
    var executionId: String

    init?(executionJSON data: Data) {
        guard let fields = try? JSONParser.parseObject(data, keeping: ["status", "execution_id"]),
            let status = fields["status"]?.stringValue.flatMap(ExecutionStatus.init(rawValue:)),
            let executionId = fields["execution_id"]?.stringValue
        else { return nil }
        self.status = status
        self.executionId = executionId
    }

    init(details: ExecutionDetails) {
        status = details.status
        executionId = details.executionId
    }
}

/// A type-erased model, so wrappers can be generic over one concrete type.
public struct AnyLanguageModel: LanguageModel {
    let base: any LanguageModel

    /// Wraps a model.
    public init(_ base: any LanguageModel) {
        self.base = base
    }

    public var providerName: String { base.providerName }

    public func complete(_ request: ChatRequest, context: CallContext) async throws -> ChatResponse {
        try await base.complete(request, context: context)
    }
}
