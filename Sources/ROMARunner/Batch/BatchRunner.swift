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
        /// Completed, but the folder lacks some of its files: it runs again.
        case incomplete
    }

    /// The results tree of a manifest, as this run writes it (its shard, redaction, faults).
    func tree(_ manifest: Manifest) -> ResultsTree {
        ResultsTree(
            out: options.out, manifestName: manifest.name, shard: options.shard, redactor: options.redactor, faults: options.faults)
    }

    /// The goal's state, its folder's head, and the files the folder lacks (when `incomplete`).
    func state(of job: Job) -> (state: GoalState, head: GoalHead?, missing: [String]) {
        let (state, head) = folderState(of: job)
        // Under --force every goal runs anyway: no need to list its folder.
        guard !options.force, state == .current || state == .changed else { return (state, head, []) }
        // A folder is complete only with every file: one that lacks any is never skipped.
        let missing = job.tree.missingFiles(job.goal.id, withCalls: options.mode == .local)
        return missing.isEmpty ? (state, head, []) : (.incomplete, head, missing)
    }

    private func folderState(of job: Job) -> (GoalState, GoalHead?) {
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

    /// Runs the manifests.
    ///
    /// Throws `TreeLock.Locked` when another run holds a tree, `ResultsTreeError` when a tree
    /// cannot be created or recovered, and `RunStopped` when writing the tree failed midway:
    /// no goal starts after that, and the goals in flight are cancelled. A goal whose request
    /// cannot be rendered as JSON (a NaN in a manifest built in code; YAML cannot hold one)
    /// throws before the run starts, after the goals before it were reported skipped.
    public func run(_ manifests: [Manifest], command: String = "roma run", events: @escaping @Sendable (BatchEvent) -> Void = { _ in })
        async throws -> [GoalOutcome]
    {
        var locks: [TreeLock] = []
        defer { for lock in locks { lock.release() } }
        // Notes follow the `started` event, so a `--json` reader always sees `started` first.
        var notes: [String] = []
        for manifest in manifests {
            let tree = self.tree(manifest)
            try tree.create()
            locks.append(try TreeLock.acquire(root: tree.root, shard: options.shard, command: command))
            try tree.writeGitignore()
            // Only under the lock, and only what dead runs of this kind left.
            for id in try tree.recover() {
                notes.append("\(manifest.name)/\(id): finished the folder swap an interrupted run had begun")
            }
        }
        let all = jobs(manifests)
        // Positions in `all`: each goal's job is built again when it starts.
        var toRun: [(index: Int, existing: GoalHead?)] = []
        var outcomes: [GoalOutcome] = []
        var models: [String: ManifestModels] = [:]
        var incomplete: [String] = []
        for index in 0..<all.count {
            let job = try all.job(at: index)
            models[job.manifest.name, default: ManifestModels(manifest: job.manifest, models: [])].models.formUnion(job.request.models)
            let (state, head, missing) = state(of: job)
            if state == .current && !options.force {
                outcomes.append(
                    GoalOutcome(manifest: job.manifest.name, goal: job.goal.id, status: .skipped, executionID: head?.executionId))
                events(.skipped(manifest: job.manifest.name, goal: job.goal.id, reason: "complete and unchanged"))
            } else {
                if state == .incomplete {
                    incomplete.append(
                        "\(job.manifest.name)/\(job.goal.id): the folder lacks \(missing.joined(separator: ", ")); running the goal again")
                }
                toRun.append((index, head))
            }
        }
        notes += unpricedModelNotes(models.values.sorted { $0.manifest.name < $1.manifest.name }) + incomplete
        events(.started(goals: all.count, toRun: toRun.count))
        for note in notes { events(.note(note)) }

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
        // The first write failure: the tree cannot take more results, so nothing new starts.
        var writeFailure: ResultsTreeError?
        await withTaskGroup(of: GoalStep.self) { group in
            var next = 0
            // Goals running their engine, and goals whose folder is being written.
            var running = 0
            var writing = 0
            // Until a folder has been written, a goal holds its slot while its folder is written, so
            // a tree that takes no results (a full disk) stops the run before any further goal
            // starts. After that, a folder's write overlaps the next goal's model calls: the slot
            // is free again when the engine is done (at most `concurrency` writes in flight).
            var treeTakesResults = false
            func launch() {
                while next < toRun.count, !Task.isCancelled, writeFailure == nil, running < concurrency, writing < concurrency,
                    treeTakesResults || running + writing < concurrency
                {
                    let (index, existing) = toRun[next]
                    next += 1
                    running += 1
                    group.addTask {
                        let job: Job
                        do {
                            job = try all.job(at: index)
                        } catch {
                            // Built once already before the run started: the same inputs give the same job.
                            let (manifest, goal) = all.spec(at: index)
                            events(.goalStarted(manifest: manifest.name, goal: goal.id))
                            let outcome = GoalOutcome(
                                manifest: manifest.name, goal: goal.id, status: .failed,
                                error: "cannot render the request of '\(goal.id)': \(error)")
                            events(.goalFinished(outcome))
                            return .finished(outcome, nil, wrote: false)
                        }
                        if let remote {
                            events(.goalStarted(manifest: job.manifest.name, goal: job.goal.id))
                            return .finished(await remote.run(job, events: events), nil, wrote: false)
                        }
                        let tools = toolBox ?? hubs[job.manifest.name]
                        return .ran(await execute(job, existing: existing, live: live, tools: tools, events: events))
                    }
                }
            }
            launch()
            while let step = await group.next() {
                switch step {
                case .ran(let executed):
                    running -= 1
                    writing += 1
                    group.addTask {
                        let (outcome, folder) = await finish(executed, events: events)
                        return .finished(outcome, folder, wrote: true)
                    }
                case .finished(let outcome, let folder, let wrote):
                    if wrote { writing -= 1 } else { running -= 1 }
                    if outcome.written { treeTakesResults = true }
                    outcomes.append(outcome)
                    if let folder { written[outcome.manifest, default: [:]][outcome.goal] = folder }
                    if let failure = outcome.writeFailure, writeFailure == nil {
                        writeFailure = failure
                        group.cancelAll()
                    }
                }
                launch()
            }
        }
        for hub in hubs.values { await hub.shutdown() }
        var summaryFailure: Error?
        for manifest in manifests {
            let tree = self.tree(manifest)
            let deferred = Set(outcomes.filter { $0.manifest == manifest.name && $0.status == .deferred }.map(\.goal))
            do {
                let own = all.goalIDs(manifestNamed: manifest.name)
                await options.beforeSummary?(options.shard)
                try await writeSummary(
                    manifest: manifest, tree: tree, deferred: deferred, written: written[manifest.name] ?? [:], own: own)
            } catch {
                summaryFailure = summaryFailure ?? error
            }
        }
        if let writeFailure { throw RunStopped(cause: writeFailure, outcomes: outcomes) }
        if let failure = summaryFailure as? ResultsTreeError { throw RunStopped(cause: failure, outcomes: outcomes) }
        if let summaryFailure { throw summaryFailure }
        return outcomes
    }

    /// Rewrites `summary.json` and `index.md` (each untouched when unchanged).
    ///
    /// A whole run reads every goal folder it did not just write. A shard goes through the
    /// shards' ledger (`SummaryLedger`): the rows of its own goals (`own`) replace theirs there,
    /// the other goals' rows come from the ledger, and the last shard to finish writes a summary
    /// that lists every goal.
    func writeSummary(
        manifest: Manifest, tree: ResultsTree, deferred: Set<String>, written: [String: Summary.Row], own: Set<String>
    ) async throws {
        guard options.shard != nil else {
            try writeSummary(Summary(manifest: manifest, tree: tree, deferred: deferred, written: written), manifest: manifest, tree: tree)
            SummaryLedger.remove(tree: tree)
            return
        }
        await options.beforeLedgerLock?(options.shard)
        try await SummaryLedger.update(tree: tree) { reported in
            var known = reported
            for goal in manifest.goals where own.contains(goal.id) {
                known[goal.id] = written[goal.id] ?? Summary.readRow(goal: goal, tree: tree, deferred: deferred.contains(goal.id))
            }
            let summary = Summary(manifest: manifest, tree: tree, deferred: deferred, written: known)
            await options.summaryWindow?(options.shard)
            try writeSummary(summary, manifest: manifest, tree: tree)
            return Dictionary(summary.goals.map { ($0.id, $0) }, uniquingKeysWith: { _, last in last })
        }
    }

    private func writeSummary(_ summary: Summary, manifest: Manifest, tree: ResultsTree) throws {
        // Room for every row, so a big summary's buffer is not doubled: a row is ~440 bytes of
        // keys, hash, ids and counts plus its texts (a flat 512 a row doubled the buffer to 10 MB
        // for the 5.4 MB summary of 10,000 goals with 65-character goals).
        let capacity = summary.goals.reduce(4096) { size, row in
            size + 480 + row.id.utf8.count + row.goal.utf8.count + 2 * (row.model?.utf8.count ?? 0) + (row.error?.utf8.count ?? 0)
        }
        try tree.writeFile("summary.json", try CanonicalJSON.pretty(summary, capacity: capacity))
        let sections = summary.researchSections(manifest: manifest, tree: tree)  // research runs (issue 18)
        try tree.writeFile("index.md", summary.indexMarkdown(tree: tree, sections: sections))
    }

    /// What a child task of the run reports: a goal's engine is done (its folder is written next),
    /// or a goal is finished.
    enum GoalStep: Sendable {
        case ran(ExecutedGoal)
        case finished(GoalOutcome, Summary.Row?, wrote: Bool)
    }

    /// A goal whose engine has run, with what its folder is written from.
    struct ExecutedGoal: Sendable {
        var job: Job
        var existing: GoalHead?
        var record: ExecutionRecord
        var recorded: Data?
        var outcome: GoalOutcome
    }

    /// Runs a goal's engine.
    func execute(
        _ job: Job, existing: GoalHead?, live: (any LanguageModel)?, tools: (any ToolBox)? = nil,
        events: @escaping @Sendable (BatchEvent) -> Void
    ) async -> ExecutedGoal {
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
        outcome.costUSD = record.costUSD
        return ExecutedGoal(job: job, existing: existing, record: record, recorded: recorded, outcome: outcome)
    }

    /// Writes the folder of a goal whose engine has run (unless there is nothing to write).
    func finish(_ executed: ExecutedGoal, events: @escaping @Sendable (BatchEvent) -> Void) async -> (GoalOutcome, Summary.Row?) {
        let (job, record, recorded, id) = (executed.job, executed.record, executed.recorded, executed.job.goal.id)
        var outcome = executed.outcome
        // A miss in --offline mode writes nothing; a failed re-run never replaces a completed result.
        let keepExisting = record.status != .completed && executed.existing?.status == .completed
        var folder: Summary.Row?
        if !(record.error?.isRecordingMiss ?? false) && !keepExisting {
            do {
                let details = record.details
                let files = try GoalArtifacts.files(
                    request: job.request, details: details, calls: record.calls, toolCalls: record.toolCalls, tools: record.tools,
                    requestBytes: job.requestBytes)
                let known = recorded.map { [ResultsTree.File.calls: $0] } ?? [:]
                let tree = job.tree
                _ = try await DiskWork.run { try tree.writeGoal(id, files: files, known: known) }
                outcome.written = true
                folder = Summary.row(
                    goal: job.goal, requestData: job.requestBytes, details: details, resolved: job.request.publicView, deferred: false)
            } catch let error as ResultsTreeError {
                outcome.status = .failed
                outcome.error = "cannot write the results of '\(id)': \(error)"
                outcome.writeFailure = error
            } catch {
                outcome.status = .failed
                outcome.error = "cannot write the results of '\(id)': \(error)"
            }
        }
        events(.goalFinished(outcome))
        return (outcome, folder)
    }
}

/// Writing the results tree failed midway: the run stopped early (exit 74).
public struct RunStopped: Error, Sendable, CustomStringConvertible {
    /// The write that failed.
    public var cause: ResultsTreeError
    /// How every goal that ran or was skipped ended.
    public var outcomes: [GoalOutcome]

    public var description: String { "\(cause); the run stopped, no further goal was started" }
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
