import AsyncHTTPClient
import Foundation
import ROMACore
import ROMAEngine
import ROMATestSupport

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The engine's scheduling overhead (makespan against the tree's critical path, over a mock
/// provider with a fixed latency) and its own CPU cost per LLM call (against an instant model).
enum EngineBenchmark {
    /// The mock provider's latency per call.
    static let latency: Duration = .milliseconds(20)
    /// Depth limit of the benchmark tree: every task above it is planned.
    static let depth = 3
    /// Runs measured per figure (the median is reported).
    static let runs = 5

    static func run() async throws {
        try await makespan()
        try await anatomy()
        try await cpuPerCall()
    }

    // MARK: Where a call's time goes

    /// What one call costs beyond the mock's latency: the timer's overshoot, and a round trip
    /// through the HTTP client and the mock server with no latency at all.
    static func anatomy() async throws {
        var sleeps: [Double] = []
        for _ in 0..<50 {
            let start = ContinuousClock.now
            try await Task.sleep(for: latency, tolerance: .zero)
            sleeps.append((ContinuousClock.now - start) / .milliseconds(1))
        }
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        var trips: [Double] = []
        do {
            try await MockOpenAIServer.withServer(router.script) { server in
                let model = OpenAIModel(configuration: .init(baseURL: server.baseURL.absoluteString), client: client)
                let chat = ChatRequest(
                    model: "mock-model", messages: [.system("[roma:executor:THINK]"), .user("Current task: baseline")], temperature: 0.7,
                    maxTokens: 4000)
                for index in 0..<200 {
                    let start = ContinuousClock.now
                    _ = try await model.complete(
                        chat, context: CallContext(goalID: "bench", nodeID: "node_0", purpose: "execute", sampleIndex: index))
                    trips.append((ContinuousClock.now - start) / .milliseconds(1))
                }
            }
        } catch {
            try? await client.shutdown()
            throw error
        }
        try await client.shutdown()
        print(
            String(
                format:
                    "engine anatomy: Task.sleep(20 ms) takes a median %.2f ms; a call through the HTTP client and the mock with no latency %.2f ms",
                median(sleeps), median(Array(trips.dropFirst(20)))))
    }

    // MARK: Makespan against the critical path

    /// Every task above the depth limit is planned into four subtasks `0, 1 → 2 (needs 0) → 3 (needs 1, 2)`.
    static let plan = [
        MockSubtask("gather", type: "RETRIEVE"), MockSubtask("survey", type: "RETRIEVE"),
        MockSubtask("analyse", dependencies: [0]), MockSubtask("write", type: "WRITE", dependencies: [1, 2]),
    ]

    static let router = RoleRouter(
        atomizer: { _ in .plan },
        planner: { request in
            .plan(plan.map { MockSubtask("\($0.goal) \(request.currentTask)", type: $0.type, dependencies: $0.dependencies) })
        },
        executor: { .text("result of \($0.currentTask)") },
        aggregator: { .text("combined \($0.currentTask)") })

    static func makespan() async throws {
        let client = HTTPClient(
            eventLoopGroupProvider: .singleton,
            configuration: .init(connectionPool: .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 256)))
        do {
            try await MockOpenAIServer.withServer(latency: latency, router.script) { server in
                let provider = OpenAIModel(configuration: .init(baseURL: server.baseURL.absoluteString), client: client)
                let limiter = CallLimiter(limit: 256)
                let engine = ExecutionEngine(model: ResilientModel(LimitedModel(provider, limiter: limiter)))
                let request = ResolvedRequest(
                    id: "bench", request: ExecutionRequest(goal: "Benchmark the engine", maxDepth: depth),
                    profiles: ProfileTable(fallback: "mock-model"))

                _ = await engine.run(request)  // warm up connections and caches
                var ratios: [Double] = []
                var makespans: [Double] = []
                var criticalPath = 0
                var calls = 0
                for _ in 0..<runs {
                    let start = ContinuousClock.now
                    let record = await engine.run(request)
                    let elapsed = ContinuousClock.now - start
                    guard record.status == .completed else {
                        throw EngineBenchmarkError(message: "benchmark execution \(record.status): \(record.error?.message ?? "")")
                    }
                    criticalPath = criticalPathCalls(record.dag)
                    calls = record.calls.count
                    let ideal = latency * criticalPath
                    makespans.append(elapsed / .milliseconds(1))
                    ratios.append(elapsed / ideal)
                }
                let peak = limiter.peak
                // The same number of calls one after another, without the engine: what the critical
                // path costs through this HTTP stack and mock, so the engine's own share shows.
                let model = ResilientModel(LimitedModel(provider, limiter: limiter))
                let chat = ChatRequest(
                    model: "mock-model", messages: [.system("[roma:executor:THINK]"), .user("Current task: baseline")], temperature: 0.7,
                    maxTokens: 4000)
                var baselines: [Double] = []
                for _ in 0..<runs {
                    let start = ContinuousClock.now
                    for index in 0..<criticalPath {
                        _ = try await model.complete(
                            chat, context: CallContext(goalID: "bench", nodeID: "node_0", purpose: "execute", sampleIndex: index))
                    }
                    baselines.append((ContinuousClock.now - start) / .milliseconds(1))
                }
                print(
                    "engine makespan: \(treeNodes) nodes, \(calls) LLM calls, \(ms(latency)) ms each, up to \(peak) in flight")
                print("engine makespan: critical path \(criticalPath) calls × \(ms(latency)) ms = \(criticalPath * ms(latency)) ms")
                print("engine makespan: runs \(makespans.map { String(format: "%.0f", $0) }.joined(separator: ", ")) ms")
                print(
                    String(
                        format: "engine makespan: median %.0f ms, ratio to critical path %.3f (target ≤ 1.10)", median(makespans),
                        median(ratios)))
                print(
                    String(
                        format:
                            "engine makespan: the critical path's %d calls made one after another: median %.0f ms (%.2f ms per call); makespan / that = %.3f",
                        criticalPath, median(baselines), median(baselines) / Double(criticalPath), median(makespans) / median(baselines)))
            }
        } catch {
            try? await client.shutdown()
            throw error
        }
        try await client.shutdown()
    }

    /// The longest chain of sequential calls: a node's own calls plus the longest dependency chain of its children.
    static func criticalPathCalls(_ dag: DAG) -> Int {
        let children = Dictionary(grouping: dag.nodes.filter { $0.parent != nil }, by: { $0.parent ?? "" })
        func path(_ node: DAGNode) -> Int {
            let siblings = children[node.id] ?? []
            var chain: [String: Int] = [:]
            // Longest chain ending at each sibling, memoised (the plan was validated acyclic).
            func longest(_ sibling: DAGNode) -> Int {
                if let known = chain[sibling.id] { return known }
                let before = sibling.dependencies.compactMap { id in siblings.first { $0.id == id } }.map(longest).max() ?? 0
                let value = before + path(sibling)
                chain[sibling.id] = value
                return value
            }
            return node.llmCalls + (siblings.map(longest).max() ?? 0)
        }
        guard let root = dag.nodes.first(where: { $0.parent == nil }) else { return 0 }
        return path(root)
    }

    /// Nodes of the full tree: 4 subtasks per plan down to the depth limit.
    static var treeNodes: Int {
        (0...depth).reduce(0) { total, level in total + (0..<level).reduce(1) { product, _ in product * plan.count } }
    }

    // MARK: CPU per call

    /// Answers instantly, as the router above would: the engine's own cost is all that is left.
    struct InstantModel: LanguageModel {
        var providerName: String { "instant" }

        func complete(_ request: ChatRequest, context: CallContext) async throws -> ChatResponse {
            let system = request.messages.first?.content ?? ""
            let content: String
            if system.hasPrefix("[roma:atomizer]") {
                content = #"{"decision": "PLAN", "reason": "benchmark"}"#
            } else if system.hasPrefix("[roma:planner]") {
                content = MockSubtask.json(
                    plan.map { MockSubtask("\($0.goal) \(context.nodeID)", type: $0.type, dependencies: $0.dependencies) })
            } else {
                content = "answer for \(context.nodeID)"
            }
            return ChatResponse(content: content, usage: TokenUsage(promptTokens: 100, completionTokens: 20), finishReason: "stop")
        }
    }

    static func cpuPerCall() async throws {
        let limiter = CallLimiter(limit: 64)
        let engine = ExecutionEngine(model: ResilientModel(LimitedModel(InstantModel(), limiter: limiter)))
        let request = ResolvedRequest(
            id: "bench", request: ExecutionRequest(goal: "Benchmark the engine", maxDepth: depth),
            profiles: ProfileTable(fallback: "instant"))
        _ = await engine.run(request)  // warm up

        var perCall: [Double] = []
        var calls = 0
        for _ in 0..<runs {
            let before = processCPUSeconds()
            calls = 0
            for _ in 0..<10 {
                let record = await engine.run(request)
                guard record.status == .completed else { throw EngineBenchmarkError(message: "benchmark execution \(record.status)") }
                calls += record.calls.count
            }
            perCall.append((processCPUSeconds() - before) * 1e6 / Double(calls))
        }
        print(
            String(
                format: "engine CPU: %d calls per sample, median %.1f µs user+sys per LLM call (samples: %@)", calls, median(perCall),
                perCall.map { String(format: "%.1f", $0) }.joined(separator: ", ")))
    }

    static func ms(_ duration: Duration) -> Int { Int(duration / .milliseconds(1)) }
}

/// A benchmark execution did not complete.
struct EngineBenchmarkError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
