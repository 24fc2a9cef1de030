import Foundation
import ROMACore
import ROMAEngine
import ROMATestSupport
import Testing

/// Invalid plans and unusable answers are sent back to the model with the error, a bounded number of times.
@Suite("Plan validation and structured output")
struct PlanValidationTests {
    struct InvalidPlan: Sendable, CustomTestStringConvertible {
        var name: String
        var subtasks: [MockSubtask]
        /// What the feedback to the model must say.
        var error: String
        var testDescription: String { name }
    }

    static let invalidPlans: [InvalidPlan] = [
        InvalidPlan(
            name: "cycle",
            subtasks: [MockSubtask("A", dependencies: [2]), MockSubtask("B", dependencies: [0]), MockSubtask("C", dependencies: [1])],
            error: "the dependencies form a cycle through subtasks 0 → 2 → 1 → 0"),
        InvalidPlan(
            name: "out-of-range dependency", subtasks: [MockSubtask("A"), MockSubtask("B", dependencies: [5])],
            error: "subtask 1 depends on 5, which is out of range 0..<2"),
        InvalidPlan(
            name: "negative dependency", subtasks: [MockSubtask("A", dependencies: [-1]), MockSubtask("B")],
            error: "subtask 0 depends on -1, which is out of range 0..<2"),
        InvalidPlan(
            name: "self-edge", subtasks: [MockSubtask("A"), MockSubtask("B", dependencies: [1])], error: "subtask 1 depends on itself"),
        InvalidPlan(
            name: "reserved task type", subtasks: [MockSubtask("A", type: "IMAGE_GENERATION"), MockSubtask("B")],
            error: "subtask 0 has task_type \"IMAGE_GENERATION\"; use THINK, RETRIEVE or WRITE"),
        InvalidPlan(
            name: "too many subtasks", subtasks: (1...7).map { MockSubtask("S\($0)") }, error: "the plan has 7 subtasks; give at most 6"),
    ]

    static let validPlan = [MockSubtask("A"), MockSubtask("B", dependencies: [0])]

    @Test("an invalid plan is sent back with the error, then the corrected plan runs", arguments: invalidPlans)
    func invalidPlanIsSentBack(plan: InvalidPlan) async throws {
        let plans = Counter()
        let router = RoleRouter(
            atomizer: { $0.depth == 0 ? .plan : .execute },
            planner: { _ in plans.next() == 0 ? .plan(plan.subtasks) : .plan(Self.validPlan) })
        try await MockOpenAIServer.withServer(router.script) { server in
            let record = await EngineHarness(server).run("Root", maxDepth: 2)
            #expect(record.status == .completed, "\(record.error?.message ?? "")")
            let planner = server.journal.requests(.planner)
            try #require(planner.count == 2)
            #expect(!planner[0].lastUserMessage.contains(plan.error))
            #expect(planner[1].lastUserMessage.contains(plan.error), "\(planner[1].lastUserMessage)")
            // The retry keeps the original prompt and shows the model its own rejected answer.
            #expect(planner[1].messages.count == 4)
            #expect(planner[1].messages.prefix(2) == planner[0].messages.prefix(2))
            #expect(planner[1].messages[2] == ChatMessage.assistant(MockSubtask.json(plan.subtasks)))
            #expect(record.dag.nodes.map(\.id) == ["node_0", "node_0_1", "node_0_2"])
            #expect(record.node("node_0_2")?.dependencies == ["node_0_1"])
        }
    }

    @Test("a plan that stays invalid fails with invalidOutput after maxOutputAttempts, naming the node")
    func permanentlyInvalidPlan() async throws {
        let cycle = [MockSubtask("X", dependencies: [1]), MockSubtask("Y", dependencies: [0])]
        let router = RoleRouter(
            atomizer: { $0.depth == 0 || $0.currentTask == "B" ? .plan : .execute },
            planner: { $0.currentTask == "B" ? .plan(cycle) : .plan([MockSubtask("A"), MockSubtask("B")]) })
        try await MockOpenAIServer.withServer(router.script) { server in
            var harness = EngineHarness(server)
            harness.configuration.maxOutputAttempts = 3
            let record = await harness.run("Root", maxDepth: 3)
            #expect(record.status == .failed)
            let error = try #require(record.error)
            #expect(error.code == .invalidOutput)
            #expect(error.nodeID == "node_0_2")
            #expect(error.message.contains("unusable after 3 attempts"))
            #expect(error.message.contains("cycle"))
            #expect(error.message.contains("node_0 › node_0_2"), "\(error.message)")
            #expect(!error.isTemporary)
            #expect(server.journal.requests(.planner).filter { $0.currentTask == "B" }.count == 3)
            #expect(record.node("node_0_2")?.status == .failed)
        }
    }

    @Test("maxOutputAttempts of 0 still makes one attempt", arguments: [0, 1])
    func atLeastOneAttempt(maxOutputAttempts: Int) async throws {
        let router = RoleRouter(atomizer: { _ in .plan }, planner: { _ in .plan([MockSubtask("X", dependencies: [0]), MockSubtask("Y")]) })
        try await MockOpenAIServer.withServer(router.script) { server in
            var harness = EngineHarness(server)
            harness.configuration.maxOutputAttempts = maxOutputAttempts
            let record = await harness.run("Root", maxDepth: 2)
            #expect(record.status == .failed)
            #expect(record.error?.code == .invalidOutput)
            #expect(record.error?.message.contains("unusable after 1 attempt:") == true, "\(record.error?.message ?? "")")
            #expect(server.journal.requests(.planner).count == 1)
        }
        let offline = await ExecutionEngine(model: OfflineModel(), configuration: EngineConfiguration(maxOutputAttempts: 0))
            .run(resolved("Write a short briefing on heat pumps", maxDepth: 2))
        #expect(offline.status == .completed)
    }

    @Test("answers wrapped in prose or code fences are parsed; unparsable ones are sent back")
    func tolerantParsing() async throws {
        let atomizer = Counter()
        let router = RoleRouter(
            atomizer: { _ in
                atomizer.next() == 0
                    ? .text("I think this should be planned, but I won't say it in JSON.")
                    : .text(
                        "Sure! Here is my decision:\n```json\n{\"decision\": \"PLAN\", \"reason\": \"broad {task}\"}\n```\nHope that helps."
                    )
            },
            planner: { _ in .text("```\n" + MockSubtask.json(Self.validPlan) + "\n```") })
        try await MockOpenAIServer.withServer(router.script) { server in
            let record = await EngineHarness(server).run("Root", maxDepth: 1)
            #expect(record.status == .completed, "\(record.error?.message ?? "")")
            let atomizerRequests = server.journal.requests(.atomizer)
            #expect(atomizerRequests.count == 2)
            #expect(atomizerRequests[1].lastUserMessage.contains("could not be used: the answer contains no valid JSON object"))
            #expect(record.dag.nodes.count == 3)
        }
    }
}
