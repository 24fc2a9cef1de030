import Foundation
import ROMACore
import ROMAEngine
import ROMATestSupport
import Testing

/// The offline model: real multi-level plans with dependencies, no network, the same every time.
@Suite("Offline model")
struct OfflineModelTests {
    /// The goals of the manifests in `examples/`, resolved as a run would resolve them.
    static let exampleGoals: [ResolvedRequest] = {
        let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../examples").standardized
        let outcome = ManifestLoader(environment: [:]).load(paths: [examples.path])
        return outcome.manifests.flatMap { manifest in
            manifest.goals.map { ResolvedRequest(id: $0.id, request: $0.request, profiles: ProfileTable()) }
        }
    }()

    @Test("the examples load")
    func examplesLoad() {
        #expect(Self.exampleGoals.count >= 9)
    }

    @Test("every example goal gets a plan with dependencies and completes", arguments: exampleGoals)
    func examplePlans(request: ResolvedRequest) async throws {
        let record = await ExecutionEngine(model: OfflineModel()).run(request)
        #expect(record.status == .completed)
        #expect(record.result?.hasPrefix("[synthetic]") == true)
        #expect(record.dag.edges.contains { $0.type == "depends_on" })
        #expect(record.dag.nodes.count >= 3)
        #expect(record.dag.nodes.allSatisfy { $0.status == .completed })
        #expect(record.node("node_0")?.type == "plan")
        #expect(record.dag.nodes.map(\.depth).max() ?? 0 <= request.maxDepth)
        #expect(record.calls.allSatisfy { $0.provider == "offline" })
    }

    @Test("some example goals are planned over several levels")
    func multiLevel() async {
        var deepest: [Int] = []
        for request in Self.exampleGoals {
            let record = await ExecutionEngine(model: OfflineModel()).run(request)
            deepest.append(record.dag.nodes.filter { $0.type == "plan" }.map(\.depth).max() ?? -1)
        }
        #expect(deepest.contains { $0 >= 1 }, "no example goal was planned below the root: \(deepest)")
    }

    @Test("two runs give identical DAGs, results and calls", arguments: exampleGoals)
    func deterministic(request: ResolvedRequest) async {
        let clock = FixedWallClock()
        let first = await ExecutionEngine(model: OfflineModel(), clock: clock).run(request)
        let second = await ExecutionEngine(model: OfflineModel(), clock: clock).run(request)
        #expect(first == second)
        #expect(first.executionID == second.executionID)

        // With the real clock only the timestamps may differ.
        let timed = await ExecutionEngine(model: OfflineModel()).run(request)
        #expect(Self.untimed(timed.dag) == Self.untimed(first.dag))
        #expect(timed.result == first.result)
        #expect(timed.calls.map(\.key) == first.calls.map(\.key))
    }

    static func untimed(_ dag: DAG) -> DAG {
        var dag = dag
        for index in dag.nodes.indices {
            dag.nodes[index].startedAt = nil
            dag.nodes[index].completedAt = nil
        }
        return dag
    }
}
