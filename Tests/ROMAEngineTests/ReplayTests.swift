import Foundation
import ROMACore
import ROMAEngine
import ROMATestSupport
import Testing

/// Replaying an execution from its recorded calls reproduces it exactly, however it ended.
@Suite("Replay of recorded executions")
struct ReplayTests {
    /// How a recorded execution ends.
    struct Ending: Sendable, CustomTestStringConvertible {
        var name: String
        var router: RoleRouter
        var configuration = EngineConfiguration()
        var status: ExecutionStatus
        var testDescription: String { name }
    }

    static let endings: [Ending] = [
        Ending(name: "completed", router: RoleRouter(atomizer: { $0.depth == 0 ? .plan : .execute }), status: .completed),
        Ending(
            name: "failed: a plan that stays invalid",
            router: RoleRouter(atomizer: { _ in .plan }, planner: { _ in .plan([MockSubtask("X", dependencies: [0]), MockSubtask("Y")]) }),
            status: .failed),
        Ending(
            name: "failed: the call budget", router: RoleRouter(atomizer: { $0.depth == 0 ? .plan : .execute }),
            configuration: EngineConfiguration(maxLLMCalls: 3), status: .failed),
    ]

    @Test("an offline replay, later, gives the same record: timestamps from the calls, not the clock", arguments: endings)
    func replayIsExact(ending: Ending) async throws {
        try await MockOpenAIServer.withServer(ending.router.script) { server in
            var harness = EngineHarness(server)
            harness.configuration = ending.configuration
            let request = resolved("Root", maxDepth: 2)
            let recorded = await ExecutionEngine(model: harness.model, configuration: ending.configuration).run(request)
            #expect(recorded.status == ending.status, "\(recorded.error?.message ?? "")")

            let replay = ReplayModel(mode: .offline, live: nil, providerName: "openai", recordings: recorded.calls)
            let later = FixedWallClock(date: Date().addingTimeInterval(3600))
            let replayed = await ExecutionEngine(model: replay, configuration: ending.configuration, clock: later).run(request)
            #expect(replayed.status == ending.status)
            #expect(replayed.finishedAt == recorded.finishedAt)
            #expect(replayed.createdAt == recorded.createdAt)
            #expect(replayed.details == recorded.details)
            #expect(replayed.calls == recorded.calls)
        }
    }
}
