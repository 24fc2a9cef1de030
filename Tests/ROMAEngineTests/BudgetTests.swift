import Foundation
import ROMACore
import ROMAEngine
import ROMATestSupport
import Testing

/// Budgets stop runaway executions with `budgetExceeded`, and a global limiter caps calls in flight.
@Suite("Budgets and the call limiter")
struct BudgetTests {
    /// Every task is planned into three independent subtasks until the depth limit: 1 + 3 + 9 nodes at depth 2.
    static let bushy = RoleRouter(
        atomizer: { _ in .plan },
        planner: { request in .plan((1...3).map { MockSubtask("\(request.currentTask).\($0)") }) })

    @Test("the LLM call budget fails the execution with budgetExceeded before the next call is sent")
    func callBudget() async throws {
        try await MockOpenAIServer.withServer(Self.bushy.script) { server in
            var harness = EngineHarness(server)
            harness.configuration.maxLLMCalls = 5
            let record = await harness.run("Root", maxDepth: 2)
            #expect(record.status == .failed)
            let error = try #require(record.error)
            #expect(error.code == .budgetExceeded)
            #expect(error.message.contains("limit of 5 LLM calls"))
            #expect(error.nodeID?.hasPrefix("node_0_") == true)
            #expect(error.message.contains("node_0 › \(error.nodeID ?? "?")"), "\(error.message)")
            #expect(!error.isTemporary)
            #expect(server.journal.count <= 5)
            #expect(record.calls.count <= 5)
            #expect(record.result == nil)
        }
    }

    @Test("the token budget fails the execution with budgetExceeded once a call goes over it")
    func tokenBudget() async throws {
        let usage = TokenUsage(promptTokens: 100, completionTokens: 50)
        let router = RoleRouter(
            atomizer: { _ in .content(#"{"decision": "PLAN"}"#, usage: usage) },
            planner: { _ in .content(MockSubtask.json([MockSubtask("A"), MockSubtask("B", dependencies: [0])]), usage: usage) },
            executor: { _ in .content("answer", usage: usage) },
            aggregator: { _ in .content("combined", usage: usage) })
        try await MockOpenAIServer.withServer(router.script) { server in
            var harness = EngineHarness(server)
            harness.configuration.maxTokens = 400
            let record = await harness.run("Root", maxDepth: 1)
            #expect(record.status == .failed)
            let error = try #require(record.error)
            #expect(error.code == .budgetExceeded)
            #expect(error.message.contains("used 450 tokens, over its limit of 400"), "\(error.message)")
            // Root atomize (150), root plan (300), A's execute (450): over, so B never starts.
            #expect(server.journal.count == 3)
            #expect(record.tokensUsed == 450)
            #expect(error.nodeID == "node_0_1")
            #expect(error.message.contains("node_0 › node_0_1"), "\(error.message)")
        }
    }

    @Test("the global CallLimiter caps calls in flight across many concurrent goals")
    func limiterAcrossGoals() async throws {
        let gauge = ConcurrencyGauge()
        let bushy = Self.bushy.script
        let script: MockOpenAIServer.Script = { request in
            gauge.enter()
            defer { gauge.leave() }
            try? await Task.sleep(for: .milliseconds(5))  // simulated provider latency
            return await bushy(request)
        }
        try await MockOpenAIServer.withServer(script) { server in
            var harness = EngineHarness(server)
            let limiter = CallLimiter(limit: 3)
            harness.limiter = limiter
            let engine = harness.engine
            let records = await withTaskGroup(of: ExecutionRecord.self) { group in
                for goal in 0..<8 {
                    group.addTask { await engine.run(resolved("Goal \(goal)", maxDepth: 1, id: "goal-\(goal)")) }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }
            #expect(records.count == 8)
            #expect(records.allSatisfy { $0.status == .completed })
            // Per goal: root atomize + plan + aggregate, three executors.
            #expect(server.journal.count == 8 * 6)
            let peak = limiter.peak
            #expect(peak <= 3)
            #expect(peak == 3, "eight goals at once should fill every slot")
            #expect(gauge.peak <= 3)
        }
    }
}
