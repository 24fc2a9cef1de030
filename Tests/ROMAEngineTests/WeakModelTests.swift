import Foundation
import ROMACore
import ROMAEngine
import ROMATestSupport
import Testing

/// The odd answers of a small model (empty plans, invented task types, prose, blank or runaway
/// answers): each is sent back and recovered from, or ends the execution as a clean failure.
@Suite("Weak model answers over the mock OpenAI server")
struct WeakModelTests {
    /// A planner answer a small model gives, and what the feedback to it must say.
    struct OddPlan: Sendable, CustomTestStringConvertible {
        var name: String
        var reply: MockReply
        /// A fragment of the message sent back to the model (and of the final error).
        var feedback: String
        var testDescription: String { name }
    }

    static let oddPlans: [OddPlan] = [
        OddPlan(name: "empty subtask list", reply: .text(#"{"subtasks": []}"#), feedback: "the plan has no subtasks; give 2 to 6"),
        OddPlan(
            name: "invented task type",
            reply: .text(
                #"{"subtasks": [{"goal": "look it up", "task_type": "RESEARCH", "dependencies": []}, {"goal": "say it", "task_type": "WRITE", "dependencies": [0]}]}"#
            ),
            feedback: #"subtask 0 has task_type "RESEARCH"; use THINK, RETRIEVE or WRITE"#),
        OddPlan(
            name: "prose instead of JSON",
            reply: .text("To answer this, first find the facts, then write them up. Step 1: research. Step 2: write."),
            feedback: "the answer contains no valid JSON object"),
        OddPlan(
            name: "subtasks as bare strings", reply: .text(#"{"subtasks": ["find the facts", "write them up"]}"#),
            feedback: #"subtask 0 has no "goal" string"#),
        OddPlan(name: "JSON of another shape", reply: .text(#"{"answer": "Paris"}"#), feedback: #"an object with a "subtasks" array"#),
    ]

    static let validPlan = [MockSubtask("A"), MockSubtask("B", dependencies: [0])]

    @Test("an odd plan is sent back with the error, and the corrected plan runs", arguments: oddPlans)
    func oddPlanRecovers(plan: OddPlan) async throws {
        let plans = Counter()
        let router = RoleRouter(
            atomizer: { $0.depth == 0 ? .plan : .execute },
            planner: { _ in plans.next() == 0 ? plan.reply : .plan(Self.validPlan) })
        try await MockOpenAIServer.withServer(router.script) { server in
            let record = await EngineHarness(server).run("Root", maxDepth: 2)
            #expect(record.status == .completed, "\(record.error?.message ?? "")")
            let planner = server.journal.requests(.planner)
            try #require(planner.count == 2)
            #expect(planner[1].lastUserMessage.hasPrefix("That answer could not be used: "))
            #expect(planner[1].lastUserMessage.contains(plan.feedback), "\(planner[1].lastUserMessage)")
            #expect(record.dag.nodes.map(\.id) == ["node_0", "node_0_1", "node_0_2"])
            #expect(record.outputRetries == 1)
        }
    }

    @Test("an odd plan that persists fails the execution cleanly after maxOutputAttempts", arguments: oddPlans)
    func oddPlanPersists(plan: OddPlan) async throws {
        let router = RoleRouter(atomizer: { _ in .plan }, planner: { _ in plan.reply })
        try await MockOpenAIServer.withServer(router.script) { server in
            let record = await EngineHarness(server).run("Root", maxDepth: 2)
            #expect(record.status == .failed)
            let error = try #require(record.error)
            #expect(error.code == .invalidOutput)
            #expect(error.nodeID == "node_0")
            #expect(error.message.contains("plan answer was unusable after 3 attempts"), "\(error.message)")
            #expect(error.message.contains(plan.feedback), "\(error.message)")
            #expect(server.journal.requests(.planner).count == 3)
            #expect(server.journal.count == 4)
            #expect(record.node("node_0")?.status == .failed)
            // Three unusable answers, two of them asked again.
            #expect(record.outputRetries == 2)
        }
    }

    @Test("an atomizer that never answers in JSON fails cleanly after maxOutputAttempts")
    func atomizerProse() async throws {
        let router = RoleRouter(atomizer: { _ in .text("This task is quite broad, so I would plan it.") })
        try await MockOpenAIServer.withServer(router.script) { server in
            let record = await EngineHarness(server).run("Root", maxDepth: 2)
            #expect(record.status == .failed)
            #expect(record.error?.code == .invalidOutput)
            #expect(record.error?.message.contains("atomize answer was unusable after 3 attempts") == true)
            #expect(server.journal.count == 3)
        }
    }

    @Test("a one-subtask plan that repeats the goal is answered directly, at every depth", arguments: [1, 2, 5])
    func singleSubtaskRepeatingTheGoal(maxDepth: Int) async throws {
        let router = RoleRouter(atomizer: { _ in .plan }, planner: { .plan([MockSubtask($0.currentTask)]) })
        try await MockOpenAIServer.withServer(router.script) { server in
            let record = await EngineHarness(server).run("Explain tides", maxDepth: maxDepth)
            #expect(record.status == .completed)
            #expect(record.result == "result of Explain tides")
            #expect(record.dag.nodes.count == 1)
            #expect(server.journal.all.map { $0.role?.description ?? "?" } == ["atomizer", "planner", "executor:THINK"])
        }
    }

    @Test("subtasks that all repeat the goal stop at the depth limit")
    func subtasksRepeatingTheGoal() async throws {
        let router = RoleRouter(
            atomizer: { _ in .plan }, planner: { .plan([MockSubtask($0.currentTask), MockSubtask($0.currentTask, dependencies: [0])]) })
        try await MockOpenAIServer.withServer(router.script) { server in
            let record = await EngineHarness(server).run("Explain tides", maxDepth: 2)
            #expect(record.status == .completed, "\(record.error?.message ?? "")")
            // 1 + 2 + 4 nodes; the four at depth 2 are executed without asking the atomizer.
            #expect(record.dag.nodes.count == 7)
            #expect(record.dag.nodes.filter { $0.depth == 2 }.allSatisfy { $0.type == "execute" && $0.llmCalls == 1 })
            #expect(server.journal.requests(.atomizer).count == 3)
        }
    }

    /// Which free-text agent answers blank.
    enum BlankAgent: String, CaseIterable, Sendable { case executor, aggregator }

    static func blankScript(_ agent: BlankAgent, blanks: Int, counter: Counter) -> MockOpenAIServer.Script {
        let blank: @Sendable (MockReply) -> MockReply = { counter.next() < blanks ? .text(" \n ") : $0 }
        return RoleRouter(
            atomizer: { $0.depth == 0 ? .plan : .execute },
            planner: { _ in .plan([MockSubtask("A"), MockSubtask("B")]) },
            executor: { request in
                agent == .executor && request.currentTask == "B" ? blank(.text("RESULT[B]")) : .text("RESULT[\(request.currentTask)]")
            },
            aggregator: { _ in agent == .aggregator ? blank(.text("done")) : .text("done") }
        ).script
    }

    @Test("a blank answer is asked for again, and the next answer is used", arguments: BlankAgent.allCases)
    func blankAnswerRecovers(agent: BlankAgent) async throws {
        try await MockOpenAIServer.withServer(Self.blankScript(agent, blanks: 1, counter: Counter())) { server in
            let record = await EngineHarness(server).run("Root", maxDepth: 2)
            #expect(record.status == .completed, "\(record.error?.message ?? "")")
            #expect(record.result == "done")
            #expect(record.node("node_0_2")?.output == "RESULT[B]")
            let asked =
                agent == .executor ? server.journal.requests(forTask: "B").filter(\.isExecutor) : server.journal.requests(.aggregator)
            try #require(asked.count == 2)
            #expect(asked[1].messages.count == 4)
            #expect(asked[1].messages.prefix(2) == asked[0].messages.prefix(2))
            #expect(asked[1].messages[2] == .assistant(""))
            #expect(asked[1].lastUserMessage == "That answer could not be used: it was empty. Answer the current task now, in Markdown.")
            #expect(record.outputRetries == 1)
            // Executor B: atomizer and two answers; root: atomizer, planner and two answers.
            #expect(record.node(agent == .executor ? "node_0_2" : "node_0")?.llmCalls == (agent == .executor ? 3 : 4))
        }
    }

    @Test("an answer that stays blank fails the node cleanly after maxOutputAttempts", arguments: BlankAgent.allCases)
    func blankAnswerPersists(agent: BlankAgent) async throws {
        try await MockOpenAIServer.withServer(Self.blankScript(agent, blanks: .max, counter: Counter())) { server in
            let record = await EngineHarness(server).run("Root", maxDepth: 2)
            #expect(record.status == .failed)
            let error = try #require(record.error)
            let purpose = agent == .executor ? "execute" : "aggregate"
            #expect(error.code == .invalidOutput)
            #expect(error.nodeID == (agent == .executor ? "node_0_2" : "node_0"))
            #expect(error.message.contains("the model's \(purpose) answer was empty after 3 attempts"), "\(error.message)")
            #expect(
                error.message.hasPrefix(agent == .executor ? "node node_0 › node_0_2 (\"B\")" : "node node_0 (\"Root\")"),
                "\(error.message)")
        }
    }

    @Test("a JSON answer cut off at max_tokens is sent back saying so, and the next answer is used")
    func runawayJSONIsSentBack() async throws {
        let runaway = #"{"subtasks": [{"goal": "Find the facts about the tides, the moon, the sun, the moon, the sun, the moon"#
        let plans = Counter()
        let router = RoleRouter(
            atomizer: { $0.depth == 0 ? .plan : .execute },
            planner: { _ in plans.next() == 0 ? .content(runaway, finishReason: "length") : .plan(Self.validPlan) })
        try await MockOpenAIServer.withServer(router.script) { server in
            let record = await EngineHarness(server).run("Explain tides", maxDepth: 2)
            #expect(record.status == .completed, "\(record.error?.message ?? "")")
            let planner = server.journal.requests(.planner)
            try #require(planner.count == 2)
            #expect(planner[1].messages[2] == .assistant(runaway))
            #expect(
                planner[1].lastUserMessage.hasPrefix(
                    "That answer could not be used: it was cut off at the limit of 4000 tokens before the JSON was complete (the answer contains no valid JSON object"
                ),
                "\(planner[1].lastUserMessage)")
            #expect(planner[1].lastUserMessage.contains("keep every value short. Answer again with only the JSON object"))
        }
    }

    @Test("a JSON answer that keeps running past max_tokens fails cleanly, naming the limit")
    func runawayJSONPersists() async throws {
        let router = RoleRouter(atomizer: { _ in
            .content(#"{"decision": "PLAN", "reason": "because because because"#, finishReason: "length")
        })
        try await MockOpenAIServer.withServer(router.script) { server in
            let record = await EngineHarness(server).run("Explain tides", maxDepth: 2)
            #expect(record.status == .failed)
            #expect(record.error?.code == .invalidOutput)
            #expect(
                record.error?.message.contains("atomize answer was unusable after 3 attempts: it was cut off at the limit of 4000 tokens")
                    == true)
            #expect(server.journal.count == 3)
        }
    }

    @Test("a free-text answer cut off at max_tokens is kept as it is")
    func runawayTextIsKept() async throws {
        let long = String(repeating: "and then the tide rises again, ", count: 400)
        let router = RoleRouter(executor: { _ in .content(long, finishReason: "length") })
        try await MockOpenAIServer.withServer(router.script) { server in
            let record = await EngineHarness(server).run("Explain tides", maxDepth: 1)
            #expect(record.status == .completed)
            #expect(record.result == long.trimmingCharacters(in: .whitespaces))
            #expect(record.calls.last?.finishReason == "length")
            #expect(server.journal.count == 2)
        }
    }
}
