import Foundation
import ROMACore
import ROMAEngine
import ROMATestSupport
import Testing

/// The shape of the task tree: what each agent is asked, with which context, and the DAG that results.
@Suite("Task tree over the mock OpenAI server")
struct TreeTests {
    /// Root → A, B, C, D with the diamond A → {B, C} → D; B is planned again into B1 → B2.
    ///
    /// Executors answer `RESULT[task]`, aggregators `AGG[task]`, so each prompt shows exactly which
    /// results it was given.
    static let diamond = RoleRouter(
        atomizer: { request in request.depth == 0 || request.currentTask == "B" ? .plan : .execute },
        planner: { request in
            request.currentTask == "B"
                ? .plan([MockSubtask("B1", type: "RETRIEVE"), MockSubtask("B2", type: "WRITE", dependencies: [0])])
                : .plan([
                    MockSubtask("A", type: "RETRIEVE"), MockSubtask("B", dependencies: [0]),
                    MockSubtask("C", dependencies: [0]), MockSubtask("D", type: "WRITE", dependencies: [1, 2]),
                ])
        },
        executor: { .text("RESULT[\($0.currentTask)]") },
        aggregator: { .text("AGG[\($0.currentTask)]") })

    static let markers = ["RESULT[A]", "AGG[B]", "RESULT[B1]", "RESULT[B2]", "RESULT[C]", "RESULT[D]", "AGG[Root]"]

    static func markers(in text: String) -> Set<String> { Set(markers.filter { text.contains($0) }) }

    @Test("each executor sees exactly its dependencies' results in a 3-level diamond")
    func diamondContext() async throws {
        try await MockOpenAIServer.withServer(Self.diamond.script) { server in
            let record = await EngineHarness(server).run("Root", maxDepth: 3)
            #expect(record.status == .completed)
            #expect(record.result == "AGG[Root]")

            let journal = server.journal
            // B depends on A and is planned: A's result reaches B's planner and both of B's subtasks.
            let expected: [String: Set<String>] = [
                "A": [], "C": ["RESULT[A]"], "D": ["AGG[B]", "RESULT[C]"], "B1": ["RESULT[A]"], "B2": ["RESULT[A]", "RESULT[B1]"],
            ]
            for (task, results) in expected {
                let executor = try #require(journal.executorRequests.first { $0.currentTask == task }, "no executor call for \(task)")
                #expect(Self.markers(in: executor.prompt) == results, "executor of \(task)")
            }
            #expect(journal.executorRequests.count == 5)
            let planB = try #require(journal.requests(.planner).first { $0.currentTask == "B" })
            #expect(Self.markers(in: planB.prompt) == ["RESULT[A]"])

            // Aggregators see all their children's results, in plan order.
            let aggregateB = try #require(journal.requests(.aggregator).first { $0.currentTask == "B" })
            #expect(Self.markers(in: aggregateB.prompt) == ["RESULT[B1]", "RESULT[B2]"])
            let aggregateRoot = try #require(journal.requests(.aggregator).first { $0.currentTask == "Root" })
            #expect(Self.markers(in: aggregateRoot.prompt) == ["RESULT[A]", "AGG[B]", "RESULT[C]", "RESULT[D]"])
            let order = ["RESULT[A]", "AGG[B]", "RESULT[C]", "RESULT[D]"].compactMap { aggregateRoot.prompt.range(of: $0)?.lowerBound }
            #expect(order == order.sorted())

            // Dependents are only asked after their dependencies answered.
            func index(_ role: MockChatRequest.Role, _ task: String) -> Int {
                journal.all.first { $0.role == role && $0.currentTask == task }?.index ?? -1
            }
            #expect(index(.executor("THINK"), "C") > index(.executor("RETRIEVE"), "A"))
            #expect(index(.atomizer, "B") > index(.executor("RETRIEVE"), "A"))
            #expect(index(.atomizer, "D") > index(.aggregator, "B"))
            #expect(index(.atomizer, "D") > index(.executor("THINK"), "C"))
            #expect(index(.executor("WRITE"), "B2") > index(.executor("RETRIEVE"), "B1"))

            // Every request carries the resolved model and parameters, and the key only as a header.
            for request in journal.all {
                #expect(request.model == "mock-model")
                #expect(request.temperature == 0.7)
                #expect(request.maxTokens == 4000)
                #expect(request.authorization == "Bearer sk-test-secret")
                #expect(!request.body.contains("sk-test-secret"))
            }
        }
    }

    @Test("the DAG has the tree's nodes, subtask and depends_on edges, depth, parent and stats")
    func dagShape() async throws {
        try await MockOpenAIServer.withServer(Self.diamond.script) { server in
            let record = await EngineHarness(server).run("Root", maxDepth: 3)
            let dag = record.dag
            #expect(dag.nodes.map(\.id) == ["node_0", "node_0_1", "node_0_2", "node_0_2_1", "node_0_2_2", "node_0_3", "node_0_4"])

            struct Shape: Equatable {
                var type: String, taskType: String, depth: Int, parent: String?, dependencies: [String], calls: Int, input: String
            }
            let shapes = Dictionary(
                uniqueKeysWithValues: dag.nodes.map {
                    (
                        $0.id,
                        Shape(
                            type: $0.type, taskType: $0.taskType, depth: $0.depth, parent: $0.parent, dependencies: $0.dependencies,
                            calls: $0.llmCalls, input: $0.input)
                    )
                })
            #expect(
                shapes["node_0"] == Shape(type: "plan", taskType: "THINK", depth: 0, parent: nil, dependencies: [], calls: 3, input: "Root")
            )
            #expect(
                shapes["node_0_1"]
                    == Shape(type: "execute", taskType: "RETRIEVE", depth: 1, parent: "node_0", dependencies: [], calls: 2, input: "A"))
            #expect(
                shapes["node_0_2"]
                    == Shape(type: "plan", taskType: "THINK", depth: 1, parent: "node_0", dependencies: ["node_0_1"], calls: 3, input: "B"))
            #expect(
                shapes["node_0_2_1"]
                    == Shape(type: "execute", taskType: "RETRIEVE", depth: 2, parent: "node_0_2", dependencies: [], calls: 2, input: "B1"))
            #expect(
                shapes["node_0_2_2"]
                    == Shape(
                        type: "execute", taskType: "WRITE", depth: 2, parent: "node_0_2", dependencies: ["node_0_2_1"], calls: 2,
                        input: "B2"))
            #expect(
                shapes["node_0_3"]
                    == Shape(
                        type: "execute", taskType: "THINK", depth: 1, parent: "node_0", dependencies: ["node_0_1"], calls: 2, input: "C"))
            #expect(
                shapes["node_0_4"]
                    == Shape(
                        type: "execute", taskType: "WRITE", depth: 1, parent: "node_0", dependencies: ["node_0_2", "node_0_3"], calls: 2,
                        input: "D"))

            let edges = Set(dag.edges.map { "\($0.from)->\($0.to):\($0.type)" })
            #expect(
                edges == [
                    "node_0->node_0_1:subtask", "node_0->node_0_2:subtask", "node_0->node_0_3:subtask", "node_0->node_0_4:subtask",
                    "node_0_2->node_0_2_1:subtask", "node_0_2->node_0_2_2:subtask",
                    "node_0_1->node_0_2:depends_on", "node_0_1->node_0_3:depends_on", "node_0_2->node_0_4:depends_on",
                    "node_0_3->node_0_4:depends_on", "node_0_2_1->node_0_2_2:depends_on",
                ])
            #expect(dag.edges.count == 11)
            #expect(dag.stats == DAGStats(totalNodes: 7, completedNodes: 7, failedNodes: 0, totalEdges: 11))

            for node in dag.nodes {
                #expect(node.status == .completed)
                #expect(node.startedAt != nil && node.completedAt != nil)
                #expect(node.error == nil)
            }
            #expect(record.node("node_0_2")?.output == "AGG[B]")
            #expect(record.node("node_0_4")?.output == "RESULT[D]")

            // Calls: one record per request, tokens add up per node and per execution.
            #expect(record.calls.count == 16)
            #expect(server.journal.count == 16)
            #expect(dag.nodes.reduce(0) { $0 + $1.llmCalls } == 16)
            #expect(dag.nodes.reduce(0) { $0 + $1.tokensUsed } == record.tokensUsed)
            #expect(record.tokensUsed > 0)
            #expect(record.calls.map(\.purpose).filter { $0 == "atomize" }.count == 7)
            #expect(record.details.metadata.agentCalls == 16)
        }
    }

    /// Tasks named `deeper…` are planned again, `leaf…` ones executed: a chain as deep as the limit allows.
    static let chain = RoleRouter(
        atomizer: { request in request.depth == 0 || request.currentTask.hasPrefix("deeper") ? .plan : .execute },
        planner: { request in
            let next = (request.depth ?? 0) + 1
            return .plan([MockSubtask("deeper \(next)"), MockSubtask("leaf \(next)", dependencies: [0])])
        })

    @Test("at the depth limit the atomizer is not asked", arguments: [1, 2, 10])
    func depthLimit(maxDepth: Int) async throws {
        try await MockOpenAIServer.withServer(Self.chain.script) { server in
            let record = await EngineHarness(server).run("Chain", maxDepth: maxDepth)
            #expect(record.status == .completed)

            let atomizer = server.journal.requests(.atomizer)
            // The root plus both children at every depth below the limit.
            #expect(atomizer.count == 1 + 2 * (maxDepth - 1))
            #expect(atomizer.allSatisfy { ($0.depth ?? .max) < maxDepth })
            #expect(atomizer.allSatisfy { $0.maxDepth == maxDepth })
            #expect(server.journal.requests(.planner).count == maxDepth)
            #expect(server.journal.requests(.aggregator).count == maxDepth)
            let leaves = server.journal.executorRequests
            #expect(leaves.count == maxDepth + 1)
            #expect(leaves.filter { $0.depth == maxDepth }.count == 2)

            #expect(record.dag.nodes.count == 1 + 2 * maxDepth)
            #expect(record.dag.nodes.map(\.depth).max() == maxDepth)
            let deepest = record.dag.nodes.filter { $0.depth == maxDepth }
            #expect(deepest.allSatisfy { $0.type == "execute" && $0.llmCalls == 1 })
        }
    }

    @Test("a one-subtask plan is answered directly by the executor")
    func singleSubtaskPlan() async throws {
        let router = RoleRouter(atomizer: { _ in .plan }, planner: { _ in .plan([MockSubtask("only")]) })
        try await MockOpenAIServer.withServer(router.script) { server in
            let record = await EngineHarness(server).run("Solo", maxDepth: 3)
            #expect(record.status == .completed)
            #expect(record.result == "result of Solo")
            #expect(record.dag.nodes.count == 1)
            #expect(record.node("node_0")?.type == "execute")
            #expect(server.journal.all.map { $0.role?.description ?? "?" } == ["atomizer", "planner", "executor:THINK"])
        }
    }
}
