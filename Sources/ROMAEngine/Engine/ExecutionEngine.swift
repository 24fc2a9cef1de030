import Foundation
import ROMACore

/// The recursive decomposition engine: atomize, plan, execute, aggregate, over a DAG per plan.
public struct ExecutionEngine: Sendable {
    /// The model every agent calls (already wrapped with retries, limits and recording as wanted).
    public var model: any LanguageModel
    /// Budgets and limits.
    public var configuration: EngineConfiguration
    /// The clock calls are timed with.
    public var clock: any WallClock
    /// The tools executors may call (MCP servers, usually wrapped for recording); nil for none.
    public var tools: (any ToolBox)?

    /// Creates an engine.
    public init(
        model: any LanguageModel, configuration: EngineConfiguration = EngineConfiguration(), clock: any WallClock = SystemWallClock(),
        tools: (any ToolBox)? = nil
    ) {
        self.model = model
        self.configuration = configuration
        self.clock = clock
        self.tools = tools
    }

    /// Runs one request to the end (completed, failed or cancelled); never throws.
    ///
    /// - Parameters:
    ///   - executionID: the id to report; `nil` derives one from the request and its first call,
    ///     so a replay of a recorded run gets the same id.
    ///   - monitor: attached to the execution's state, so its live nodes and progress can be read
    ///     while it runs.
    ///   - events: receives progress events; called from the engine's tasks, must be quick.
    public func run(
        _ request: ResolvedRequest, goalID: String? = nil, executionID: String? = nil, monitor: ExecutionMonitor? = nil,
        events: @escaping @Sendable (ExecutionEvent) -> Void = { _ in }
    ) async -> ExecutionRecord {
        let state = ExecutionState(configuration: configuration, events: events)
        monitor?.attach(state)
        let startedAt = clock.date()
        let root = NodePath.root
        await state.add(.init(id: root, parent: nil, depth: 0, taskType: .think, input: request.goal, dependencies: []))
        let task = TaskContext(objective: request.goal, goal: request.goal, taskType: .think, depth: 0, maxDepth: request.maxDepth)

        var status = ExecutionStatus.completed
        var result: String?
        var failure: EngineError?
        var offered: [ToolDefinition] = []
        let goalSpan = EngineSpan.start("roma.goal \(goalID ?? request.id)", enabled: configuration.tracing)
        defer { goalSpan.end() }
        do {
            offered = try await toolDefinitions(for: request)
            result = try await goalSpan.within {
                try await solve(
                    nodeID: root, task: task, dependencies: [], upstream: [], request: request, goalID: goalID ?? request.id,
                    state: state, tools: offered)
            }
        } catch let error as EngineError where error.code == .cancelled {
            status = .cancelled
            failure = error
        } catch let error as EngineError {
            status = .failed
            failure = error
        } catch let error as ToolError {
            status = .failed
            failure = EngineError(code: .nodeFailed, message: error.message, isRecordingMiss: error.code == .recordingMiss)
        } catch {
            status = Task.isCancelled ? .cancelled : .failed
            failure = EngineError(code: status == .cancelled ? .cancelled : .nodeFailed, message: "\(error)")
        }
        if status == .cancelled, failure?.code != .cancelled {
            failure = EngineError(code: .cancelled, message: "the execution was cancelled")
        }
        let calls = await state.sortedCalls()
        let span = await state.timeSpan()
        let createdAt = span?.0 ?? startedAt
        // A failure the recorded answers explain (unusable output, a budget) comes right after the
        // last call, so it ends there and a replay reproduces it; provider errors and cancellation
        // end when they happen.
        let endsWithLastCall = status == .completed || failure?.code == .invalidOutput || failure?.code == .budgetExceeded
        let finishedAt = endsWithLastCall ? (span?.1 ?? clock.date()) : max(span?.1 ?? createdAt, clock.date())
        let id = executionID ?? Self.derivedID(request: request, calls: calls, fallback: startedAt)
        let cost = configuration.pricing.cost(calls)
        if configuration.tracing {
            goalSpan.set("roma.goal.id", goalID ?? request.id)
            goalSpan.set("roma.execution_id", id)
            goalSpan.set("roma.status", status.rawValue)
            goalSpan.set("gen_ai.request.model", request.model)
            goalSpan.set("gen_ai.usage.input_tokens", calls.reduce(0) { $0 + $1.usage.promptTokens })
            goalSpan.set("gen_ai.usage.output_tokens", calls.reduce(0) { $0 + $1.usage.completionTokens })
            goalSpan.set(cost: cost)
            if let failure, status != .completed { goalSpan.fail(failure.message, type: failure.code.description) }
        }
        return ExecutionRecord(
            executionID: id, request: request, status: status, result: result, error: failure, dag: await state.dag(),
            calls: calls, toolCalls: await state.sortedToolCalls(), tools: offered, createdAt: createdAt, finishedAt: finishedAt,
            costUSD: cost, unpricedModels: configuration.pricing.unpricedModels(calls))
    }

    /// The tools a request's allow list offers, listed once per execution (servers start on first use).
    private func toolDefinitions(for request: ResolvedRequest) async throws -> [ToolDefinition] {
        guard let allowed = request.tools, !allowed.isEmpty else { return [] }
        guard let tools else {
            throw EngineError(
                code: .nodeFailed,
                message: "the goal allows the tools \(allowed.joined(separator: ", ")), but no tool servers are configured for this run")
        }
        let references = allowed.map(ToolReference.init)
        let listed = try await tools.definitions(for: references)
        for reference in references {
            if let tool = reference.tool, !listed.contains(where: { $0.server == reference.server && $0.tool == tool }) {
                throw ToolError(
                    code: .unknownTool, server: reference.server,
                    message: "the tool server '\(reference.server)' has no tool '\(tool)' (the allow list names \(reference))")
            }
        }
        return ToolDefinition.allowed(listed, by: references)
    }

    /// `exec_` + 16 hex characters of a hash of the request and its first recorded call.
    static func derivedID(request: ResolvedRequest, calls: [CallRecord], fallback: Date) -> String {
        let seed = request.contentHash + "|" + (calls.first.map { $0.key + "|" + $0.startedAt } ?? Timestamp.string(fallback))
        return "exec_" + SHA256.hex(seed).prefix(16)
    }

    private func solve(
        nodeID: String, task: TaskContext, dependencies: [(goal: String, result: String)],
        upstream: [(goal: String, result: String)], request: ResolvedRequest, goalID: String, state: ExecutionState,
        tools: [ToolDefinition]
    ) async throws -> String {
        guard configuration.tracing else {
            return try await solveNode(
                nodeID: nodeID, task: task, dependencies: dependencies, upstream: upstream, request: request, goalID: goalID,
                state: state, tools: tools)
        }
        // The node's span is current while it works, so its calls and its subtasks' spans are its children.
        let span = EngineSpan.start("roma.node \(nodeID)", enabled: true)
        defer { span.end() }
        span.set("roma.node.id", nodeID)
        span.set("roma.node.depth", task.depth)
        span.set("roma.node.task_type", task.taskType.rawValue)
        if let parent = NodePath.parent(of: nodeID) { span.set("roma.node.parent", parent) }
        do {
            let output = try await span.within {
                try await solveNode(
                    nodeID: nodeID, task: task, dependencies: dependencies, upstream: upstream, request: request, goalID: goalID,
                    state: state, tools: tools)
            }
            await state.describe(nodeID, to: span)
            return output
        } catch {
            await state.describe(nodeID, to: span)
            span.fail((error as? EngineError)?.message ?? "\(error)", type: (error as? EngineError)?.code.description ?? "error")
            throw error
        }
    }

    private func solveNode(
        nodeID: String, task: TaskContext, dependencies: [(goal: String, result: String)],
        upstream: [(goal: String, result: String)], request: ResolvedRequest, goalID: String, state: ExecutionState,
        tools: [ToolDefinition]
    ) async throws -> String {
        await state.start(nodeID)
        var caller = NodeCaller(engine: self, state: state, request: request, goalID: goalID, nodeID: nodeID)
        do {
            try Task.checkCancellation()
            let output: String
            // A task at the depth limit is executed without asking the atomizer; one above the
            // minimum depth is planned without asking.
            let mustSplit = task.depth < task.maxDepth && task.depth < (request.minDepth ?? 0)
            let decision: Atomizer.Decision =
                task.depth >= task.maxDepth ? .execute : mustSplit ? .plan : try await Atomizer().decide(task, caller: &caller)
            var plan: Plan?
            if decision == .plan {
                // A required split must be one: a plan of one subtask is sent back (where two are allowed).
                let least = mustSplit ? min(2, configuration.maxSubtasks) : 1
                plan = try await Planner(maxSubtasks: configuration.maxSubtasks, minSubtasks: least).plan(
                    task, context: upstream + dependencies, caller: &caller)
            }
            if let plan, plan.subtasks.count > 1 {
                await state.setKind(nodeID, "plan")
                // What this task depends on must reach the subtasks that do its work.
                let children = try await runPlan(
                    plan, parentID: nodeID, parent: task, upstream: upstream + dependencies, request: request, goalID: goalID, state: state,
                    tools: tools)
                output = try await Aggregator().aggregate(task, children: children, caller: &caller)
            } else {
                // A one-subtask plan is no split at all: the task is answered directly.
                await state.setKind(nodeID, "execute")
                output = try await Executor().execute(
                    task, dependencies: dependencies, upstream: upstream, tools: tools, caller: &caller)
            }
            try Task.checkCancellation()
            await state.finish(nodeID, status: .completed, output: output)
            return output
        } catch {
            let failure = classify(error, nodeID: nodeID, goal: task.goal)
            await state.finish(
                nodeID, status: failure.code == .cancelled ? .cancelled : .failed, error: failure.code == .cancelled ? nil : failure.message
            )
            throw failure
        }
    }

    /// Runs a plan's subtasks, each as soon as its dependencies are done; returns results in plan order.
    private func runPlan(
        _ plan: Plan, parentID: String, parent: TaskContext, upstream: [(goal: String, result: String)], request: ResolvedRequest,
        goalID: String, state: ExecutionState, tools: [ToolDefinition]
    ) async throws -> [(goal: String, result: String)] {
        let ids = plan.subtasks.indices.map { NodePath.child(of: parentID, index: $0) }
        for (index, subtask) in plan.subtasks.enumerated() {
            await state.add(
                .init(
                    id: ids[index], parent: parentID, depth: parent.depth + 1, taskType: subtask.taskType, input: subtask.goal,
                    dependencies: subtask.dependencies.map { ids[$0] }))
        }
        var results = [String?](repeating: nil, count: plan.subtasks.count)
        var waitingOn = plan.subtasks.map { Set($0.dependencies) }
        var started = Set<Int>()
        try await withThrowingTaskGroup(of: (Int, String).self) { group in
            func launchReady() {
                for index in plan.subtasks.indices where !started.contains(index) && waitingOn[index].isEmpty {
                    started.insert(index)
                    let subtask = plan.subtasks[index]
                    let inputs = subtask.dependencies.map { (goal: plan.subtasks[$0].goal, result: results[$0] ?? "") }
                    let context = TaskContext(
                        objective: parent.objective, goal: subtask.goal, taskType: subtask.taskType, depth: parent.depth + 1,
                        maxDepth: parent.maxDepth)
                    let id = ids[index]
                    group.addTask {
                        let output = try await solve(
                            nodeID: id, task: context, dependencies: inputs, upstream: upstream, request: request, goalID: goalID,
                            state: state, tools: tools)
                        return (index, output)
                    }
                }
            }
            launchReady()
            // Dependencies are acyclic (validated), so every subtask eventually becomes ready.
            while let (index, output) = try await group.next() {
                results[index] = output
                for other in plan.subtasks.indices { waitingOn[other].remove(index) }
                launchReady()
            }
        }
        return plan.subtasks.indices.map { (goal: plan.subtasks[$0].goal, result: results[$0] ?? "") }
    }

    /// Turns any error into the engine's error, keeping the deepest failing node.
    private func classify(_ error: any Error, nodeID: String, goal: String) -> EngineError {
        let path = NodePath.lineage(nodeID).joined(separator: " › ")
        let shortGoal = goal.count > 80 ? String(goal.prefix(80)) + "…" : goal
        if var engineError = error as? EngineError {
            // Raised for this very node (a budget, unusable output): name it as call failures do.
            // A child's error passes through its ancestors unchanged.
            if engineError.nodeID == nodeID && engineError.code != .cancelled {
                engineError.message = "node \(path) (\"\(shortGoal)\"): \(engineError.message)"
            }
            return engineError
        }
        if error is CancellationError || Task.isCancelled {
            return EngineError(code: .cancelled, message: "the execution was cancelled", nodeID: nodeID)
        }
        if let tool = error as? ToolError {
            return EngineError(
                code: .nodeFailed, message: "node \(path) (\"\(shortGoal)\") failed: \(tool.message)", nodeID: nodeID,
                isRecordingMiss: tool.code == .recordingMiss)
        }
        if let llm = error as? LLMError {
            return EngineError(
                code: .nodeFailed, message: "node \(path) (\"\(shortGoal)\") failed: \(llm.message)", nodeID: nodeID,
                isTemporary: llm.isTemporary, isRecordingMiss: llm.code == .recordingMiss)
        }
        return EngineError(code: .nodeFailed, message: "node \(path) (\"\(shortGoal)\") failed: \(error)", nodeID: nodeID)
    }
}
