import Foundation
import ROMACore
import ROMAEngine
import ROMATestSupport
import Testing

@testable import ROMARunner

/// Record and replay through the `openai` provider against the mock OpenAI server: what a run
/// records can be replayed with the server gone, and a changed request misses exactly its own calls.
@Suite struct MockRecordReplayTests {
    static let yaml = """
        name: mockrec
        defaults: { max_depth: 2, config_profile: general }
        profiles: { general: mock-model }
        goals:
          - { id: alpha, goal: Compare green tea and coffee }
          - { id: beta, goal: Explain how rainbows form }
          - { id: gamma, goal: Summarise the history of the printing press }
        """

    /// The root is planned into two subtasks (the second needs the first), which are executed.
    static let router = RoleRouter(
        atomizer: { $0.depth == 0 ? .plan : .execute },
        executor: { .text("result of \($0.currentTask) for \($0.field("Overall objective") ?? "")") },
        aggregator: { .text("combined \($0.currentTask)") })

    static func options(_ out: URL, mock: URL, recording: RecordingMode, force: Bool = false) -> RunOptions {
        let provider = ProviderSettings(name: "openai", baseURL: mock.absoluteString, timeout: .seconds(30))
        return RunOptions(out: out, concurrency: 3, recording: recording, provider: provider, force: force, environment: [:])
    }

    /// Records the manifest against a mock server that is stopped on return; gives the requests it
    /// received and its address, where nothing listens any more (a call there is a transport error).
    static func record(_ manifest: Manifest, out: URL) async throws -> (requests: [MockChatRequest], stopped: URL) {
        try await MockOpenAIServer.withServer(router.script) { server in
            let outcomes = try await BatchRunner(options: options(out, mock: server.baseURL, recording: .record)).run([manifest])
            #expect(outcomes.count == 3)
            #expect(outcomes.allSatisfy { $0.status == .completed && $0.written }, "\(outcomes.map { $0.error ?? "" })")
            return (server.journal.all, server.baseURL)
        }
    }

    static func calls(_ tree: ResultsTree, _ goal: String) -> [CallRecord] {
        GoalArtifacts.readCalls(tree.read(goal, ResultsTree.File.calls))
    }

    @Test("a run recorded against the mock replays offline, server stopped, to the same bytes")
    func recordThenReplayOffline() async throws {
        let tmp = try TemporaryFolder()
        let manifest = try Fixtures.manifest(yaml: Self.yaml, file: "mockrec.yaml")
        let (received, stopped) = try await Self.record(manifest, out: tmp.url)
        let tree = ResultsTree(out: tmp.url, manifestName: manifest.name)
        // Every call went to the server and was recorded: 7 per goal (atomizer, planner, 2 × atomizer + executor, aggregator).
        let recorded = manifest.goals.map { Self.calls(tree, $0.id).count }
        #expect(recorded == [7, 7, 7])
        #expect(received.count == recorded.reduce(0, +))
        #expect(received.allSatisfy { $0.model == "mock-model" })
        let before = Fixtures.snapshot(tmp.url)

        let replay = BatchRunner(options: Self.options(tmp.url, mock: stopped, recording: .offline, force: true))
        let outcomes = try await replay.run([manifest])
        #expect(outcomes.allSatisfy { $0.status == .completed && $0.written }, "\(outcomes.map { $0.error ?? "" })")
        let after = Fixtures.snapshot(tmp.url)
        #expect(Set(after.keys) == Set(before.keys))
        #expect(before.count == 3 * ResultsTree.File.all.count + 2)
        for (path, (data, _)) in before {
            #expect(after[path]?.0 == data, "\(path) differs after the offline replay")
        }
    }

    @Test("a changed override misses exactly its goal's calls in --replay; the others never reach the server")
    func changedOverrideMissesOnlyItsGoal() async throws {
        let tmp = try TemporaryFolder()
        let manifest = try Fixtures.manifest(yaml: Self.yaml, file: "mockrec.yaml")
        _ = try await Self.record(manifest, out: tmp.url)
        let tree = ResultsTree(out: tmp.url, manifestName: manifest.name)
        let before = Fixtures.snapshot(tmp.url)

        var changed = manifest
        changed.goals[1].request.configOverrides.temperature = 0.2
        let (outcomes, received) = try await MockOpenAIServer.withServer(Self.router.script) { server in
            let replay = BatchRunner(options: Self.options(tmp.url, mock: server.baseURL, recording: .replay, force: true))
            let outcomes = try await replay.run([changed])
            return (outcomes, server.journal.all)
        }
        #expect(outcomes.allSatisfy { $0.status == .completed && $0.written }, "\(outcomes.map { $0.error ?? "" })")

        // Every call of beta missed (the temperature is in every key) and went to the server; nothing else did.
        let betaCalls = Self.calls(tree, "beta")
        #expect(betaCalls.count == 7)
        #expect(received.count == betaCalls.count)
        #expect(received.allSatisfy { $0.temperature == 0.2 })
        let objectives = Dictionary(grouping: received, by: { $0.field("Overall objective") ?? "" }).mapValues(\.count)
        #expect(objectives == ["Explain how rainbows form": betaCalls.count])

        // The unchanged goals replayed to the same bytes; beta's request now says 0.2.
        let after = Fixtures.snapshot(tmp.url)
        for (path, (data, _)) in before where path.hasPrefix("mockrec/alpha/") || path.hasPrefix("mockrec/gamma/") {
            #expect(after[path]?.0 == data, "\(path) changed")
        }
        let request = try CanonicalJSON.decode(ResolvedRequest.self, from: try #require(tree.read("beta", ResultsTree.File.request)))
        #expect(request.temperature == 0.2)
        #expect(after["mockrec/beta/calls.jsonl"]?.0 != before["mockrec/beta/calls.jsonl"]?.0)
    }

    @Test("--offline with a missing call fails that goal with the recording miss and writes nothing for it")
    func offlineMissWritesNothing() async throws {
        let tmp = try TemporaryFolder()
        let manifest = try Fixtures.manifest(yaml: Self.yaml, file: "mockrec.yaml")
        let (_, stopped) = try await Self.record(manifest, out: tmp.url)
        let before = Fixtures.snapshot(tmp.url)

        // The server is stopped: an attempt to call it would fail as a transport error, not a miss.
        var changed = manifest
        changed.goals[1].request.configOverrides.temperature = 0.2
        let added = try Fixtures.manifest(yaml: "goals:\n  - { id: delta, goal: Describe the water cycle }\n").goals[0]
        changed.goals.append(added)
        let outcomes = try await BatchRunner(options: Self.options(tmp.url, mock: stopped, recording: .offline)).run([changed])

        let byGoal = Dictionary(uniqueKeysWithValues: outcomes.map { ($0.goal, $0) })
        #expect(byGoal["alpha"]?.status == .skipped)
        #expect(byGoal["gamma"]?.status == .skipped)
        for id in ["beta", "delta"] {
            let outcome = try #require(byGoal[id])
            #expect(outcome.status == .failed)
            #expect(!outcome.written)
            #expect(!outcome.temporary, "a miss is not a provider outage")
            let error = try #require(outcome.error)
            #expect(error.contains("no recorded answer for goal '\(id)', node node_0"), "\(error)")
            #expect(error.contains("--offline never calls the provider"), "\(error)")
        }
        // beta keeps its recorded folder byte for byte; delta gets none.
        let after = Fixtures.snapshot(tmp.url)
        for (path, (data, _)) in before where path.hasPrefix("mockrec/beta/") {
            #expect(after[path]?.0 == data, "\(path) was rewritten")
        }
        #expect(!after.keys.contains { $0.hasPrefix("mockrec/delta/") })
        #expect(!FileManager.default.fileExists(atPath: tmp.url.appendingPathComponent("mockrec/delta").path))
    }
}
