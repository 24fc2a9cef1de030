import Foundation
import Logging
import ROMACore
import ROMAEngine
import ServiceLifecycle

/// Runs executions on the engine and records their progress and outcome: a `Service` whose
/// `run()` owns one task group, with a child task per execution.
///
/// `start` hands an execution to that group. An execution's task is never cancelled: a cancel
/// request is a *signal* that cancels the engine's child task, so the outcome can still be
/// written (a cancelled task could not write to the database). On graceful shutdown every
/// engine is told to stop (the executions stay `running`, to be re-run on the next start) and
/// `run()` returns once all of them have.
actor ExecutionRunner: Service {
    /// Why an execution's engine was stopped.
    enum StopReason: Sendable {
        /// `POST /cancel`: the execution ends as cancelled.
        case user
        /// The server is stopping: the execution stays `running` and is re-run on the next start.
        case shutdown
        /// issue-16: another replica holds the lease now (this one missed its heartbeats): stop
        /// and write nothing; the new holder's outcome counts.
        case lost
    }

    private let engine: ExecutionEngine
    private let store: any ExecutionStore
    private let profiles: ProfileTable
    private let clock: any WallClock
    private let webhooks: WebhookDispatcher
    private let logger: Logger
    private let observer: @Sendable (StoredExecution) -> Void

    private let jobs: AsyncStream<Job>
    private let jobSink: AsyncStream<Job>.Continuation
    private var running: Set<String> = []
    private var stopSignals: [String: AsyncStream<StopReason>.Continuation] = [:]
    private var monitors: [String: ExecutionMonitor] = [:]
    private var stopping = false
    // issue-16: this replica's lease on the executions it runs, and how many it runs at most.
    /// The replica's claim (its owner id is random per process).
    nonisolated let lease: ExecutionLease
    /// Executions this replica runs at once at most (claims stop there).
    nonisolated let capacity: Int

    init(
        engine: ExecutionEngine, store: any ExecutionStore, profiles: ProfileTable, clock: any WallClock,
        webhooks: WebhookDispatcher, logger: Logger, lease: ExecutionLease, capacity: Int,
        observer: @escaping @Sendable (StoredExecution) -> Void
    ) {
        self.lease = lease
        self.capacity = capacity
        self.engine = engine
        self.store = store
        self.profiles = profiles
        self.clock = clock
        self.webhooks = webhooks
        self.logger = logger
        self.observer = observer
        (jobs, jobSink) = AsyncStream.makeStream(of: Job.self)
    }

    /// An execution handed to `run()`'s task group.
    private struct Job: Sendable {
        let execution: StoredExecution
        let stopSignals: AsyncStream<StopReason>
        let monitor: ExecutionMonitor
    }

    /// Runs every started execution until graceful shutdown, then stops them and waits for them.
    nonisolated func run() async {
        await withDiscardingTaskGroup { group in
            group.addTask {
                try? await gracefulShutdown()
                await self.shutdown()
            }
            for await job in jobs {
                group.addTask { await self.run(job) }
            }
        }
    }

    /// Starts running a stored execution (no-op if it already runs or the server is stopping).
    func start(_ execution: StoredExecution) {
        guard !stopping, !running.contains(execution.id) else { return }
        let (signals, signal) = AsyncStream.makeStream(of: StopReason.self, bufferingPolicy: .bufferingNewest(1))
        running.insert(execution.id)
        ServerMetrics.running(running.count)
        stopSignals[execution.id] = signal
        let monitor = ExecutionMonitor()
        monitors[execution.id] = monitor
        jobSink.yield(Job(execution: execution, stopSignals: signals, monitor: monitor))
    }

    /// Asks a running execution's engine to stop because the user cancelled it.
    func cancel(_ id: String) {
        stopSignals[id]?.yield(.user)
    }

    /// The engine's live view of a running execution, if it runs in this process.
    func monitor(_ id: String) -> ExecutionMonitor? { monitors[id] }

    /// How many executions run in this process.
    var runningCount: Int { running.count }

    // issue-16: the heartbeat.

    /// Renews this replica's leases, stops executions cancelled through another replica (or
    /// taken over by one), then claims executions whose lease lapsed, up to `capacity`.
    func heartbeat() async throws {
        guard !stopping else { return }
        let ids = Array(running)
        let statuses = try await store.renew(lease, ids: ids)
        for id in ids where running.contains(id) {
            switch statuses[id] {
            case nil: stopSignals[id]?.yield(.lost)
            case .running?: break
            case .some: stopSignals[id]?.yield(.user)
            }
        }
        try await claim(includingLive: false)
    }

    /// Claims executions without a live lease (all still running ones when `includingLive`:
    /// a single server's restart) and starts them.
    func claim(includingLive: Bool) async throws {
        guard !stopping else { return }
        let claimed = try await store.claim(
            lease, limit: capacity - running.count, includingLive: includingLive, at: Timestamp.string(clock.date()))
        if !claimed.isEmpty {
            logger.notice("took over executions", metadata: ["count": "\(claimed.count)", "replica": "\(lease.owner)"])
        }
        for execution in claimed { start(execution) }
    }

    /// Stops every engine (leaving the executions `running` for the next start) and takes no new
    /// ones; `run()` returns once the running ones have settled.
    private func shutdown() {
        stopping = true
        for signal in stopSignals.values { signal.yield(.shutdown) }
        jobSink.finish()
    }

    private enum Step: Sendable {
        case finished(ExecutionRecord)
        case stop(StopReason)
        case idle
    }

    /// Runs one execution: the engine, and beside it the writer of its call journal, which is
    /// not cancelled with the engine (a call that was answered, and paid for, is journaled even
    /// while the engine is being stopped).
    private nonisolated func run(_ job: Job) async {
        let id = job.execution.id
        let queue = JournalQueue()
        // issue-16: calls already journaled (by this replica before a restart, or by a dead one)
        // are replayed; new ones are journaled as they finish.
        var journal: [String] = []
        do {
            journal = try await store.journal(executionID: id)
            if !journal.isEmpty {
                logger.info("replaying journaled model calls", metadata: ["execution_id": "\(id)", "calls": "\(journal.count)"])
            }
        } catch {
            logger.warning("could not read the execution's journal; its calls are made again", metadata: ["execution_id": "\(id)"])
        }
        var engine = self.engine
        engine.model = JournalingModel.replaying(engine.model, journal: journal, queue: queue)
        let replaying = engine
        let (record, stopReason) = await withTaskGroup(of: (ExecutionRecord?, StopReason?).self) { group in
            group.addTask {
                await self.writeJournal(queue, executionID: id)
                return (nil, nil)
            }
            group.addTask {
                let outcome = await self.drive(replaying, job)
                queue.finish()  // the engine has returned: no call is left to journal
                return outcome
            }
            var outcome: (ExecutionRecord?, StopReason?) = (nil, nil)
            for await step in group where step.0 != nil || step.1 != nil { outcome = step }
            return outcome
        }
        await settle(job.execution, record: record, stopReason: stopReason)
    }

    /// Runs the engine until it returns or a stop signal comes, recording its progress as it goes.
    private nonisolated func drive(_ engine: ExecutionEngine, _ job: Job) async -> (ExecutionRecord?, StopReason?) {
        let id = job.execution.id
        let resolved = ResolvedRequest(id: id, request: job.execution.request, profiles: profiles)
        // Progress is read from the engine itself (`job.monitor`); node events only say when to
        // store it again. Changes that come while a write is in flight coalesce into one.
        let (changes, changed) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        var stopReason: StopReason?
        let record: ExecutionRecord? = await withTaskGroup(of: Step.self) { group in
            group.addTask {
                let record = await engine.run(resolved, goalID: id, executionID: id, monitor: job.monitor) { event in
                    switch event {
                    case .nodeStarted, .nodeFinished: changed.yield()
                    case .call(_, _, let model, let tokens, let cost, _): ServerMetrics.call(model: model, tokens: tokens, cost: cost)
                    case .outputRetry, .toolCall: break
                    }
                }
                changed.finish()
                return .finished(record)
            }
            group.addTask {
                for await reason in job.stopSignals { return .stop(reason) }
                return .idle
            }
            group.addTask {
                for await _ in changes { await self.recordProgress(of: id, from: job.monitor) }
                return .idle
            }
            var record: ExecutionRecord?
            while let step = await group.next() {
                switch step {
                case .finished(let finished):
                    record = finished
                    group.cancelAll()  // ends the stop-signal listener
                case .stop(let reason):
                    stopReason = reason
                    group.cancelAll()  // the engine returns promptly with `.cancelled`
                case .idle:
                    break
                }
            }
            return record
        }
        return (record, stopReason)
    }

    /// Appends each answered call to the execution's journal, then lets its caller go on.
    private nonisolated func writeJournal(_ queue: JournalQueue, executionID: String) async {
        while let entry = await queue.next() {
            do {
                try await store.appendCall(executionID: executionID, owner: lease.owner, line: entry.line)
                entry.written.resume()
            } catch {
                entry.written.resume(throwing: error)
            }
        }
    }

    /// Stores the engine's current progress, step and DAG, for other replicas and restarts.
    private nonisolated func recordProgress(of id: String, from monitor: ExecutionMonitor) async {
        guard let snapshot = await monitor.snapshot() else { return }
        let now = Timestamp.string(clock.date())
        do {
            try await store.updateProgress(
                id: id, progress: snapshot.runningProgress, currentStep: snapshot.stepDescription, dag: snapshot.dag, at: now)
        } catch is CancellationError {
            // The engine has returned; its outcome supersedes this progress.
        } catch {
            logger.warning("could not record progress", metadata: ["execution_id": "\(id)", "error": "\(error)"])
        }
    }

    private func settle(_ execution: StoredExecution, record: ExecutionRecord?, stopReason: StopReason?) async {
        let id = execution.id
        defer {
            running.remove(id)
            ServerMetrics.running(running.count)
            stopSignals[id]?.finish()
            stopSignals[id] = nil
            monitors[id] = nil
        }
        guard let record else { return }
        if record.status == .cancelled, stopReason == .shutdown {
            logger.info("execution interrupted by shutdown; it will be re-run on the next start", metadata: ["execution_id": "\(id)"])
            return
        }
        if stopReason == .lost {
            logger.warning("execution taken over by another replica; its outcome is theirs", metadata: ["execution_id": "\(id)"])
            return
        }
        let outcome = ExecutionOutcome(record: record)
        let final: StoredExecution?
        do {
            final = try await store.finish(id: id, outcome: outcome, at: Timestamp.string(clock.date()), owner: lease.owner)
        } catch {
            logger.error("could not record an execution's outcome", metadata: ["execution_id": "\(id)", "error": "\(error)"])
            return
        }
        guard let final else { return }
        ServerMetrics.executionFinished(status: final.status)
        logger.info(
            "execution finished",
            metadata: ["execution_id": "\(id)", "status": "\(final.status.rawValue)", "tokens": "\(record.tokensUsed)"])
        if let url = final.webhookURL {
            await webhooks.deliver(WebhookPayload(execution: final), to: url, token: final.webhookToken)
        }
        observer(final)
    }
}
