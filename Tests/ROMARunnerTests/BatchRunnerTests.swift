import Foundation
import ROMACore
import ROMAEngine
import Testing

@testable import ROMARunner

@Suite struct BatchRunnerTests {
    @Test func endToEndTreeHasEveryFileInTheDesignShapes() async throws {
        let tmp = try TemporaryFolder()
        let manifest = try Fixtures.manifest("quickstart.yaml")
        let outcomes = try await BatchRunner(options: Fixtures.options(tmp.url)).run([manifest])
        #expect(outcomes.count == manifest.goals.count)
        #expect(outcomes.allSatisfy { $0.status == .completed && $0.written })

        let tree = ResultsTree(out: tmp.url, manifestName: manifest.name)
        let summary = try CanonicalJSON.decode(
            Summary.self, from: try #require(FileManager.default.contents(atPath: tree.root.appendingPathComponent("summary.json").path)))
        #expect(summary.goals.map(\.id) == manifest.goals.map(\.id))
        #expect(summary.counts == ["completed": manifest.goals.count])
        let index = try #require(FileManager.default.contents(atPath: tree.root.appendingPathComponent("index.md").path))
        #expect(String(decoding: index, as: UTF8.self).contains("```mermaid\nflowchart TD"))

        for goal in manifest.goals {
            for file in ResultsTree.File.all {
                let data = try #require(tree.read(goal.id, file), "\(goal.id)/\(file) is missing")
                #expect(data.last == UInt8(ascii: "\n"), "\(file) ends with a newline")
            }
            let request = try CanonicalJSON.decode(ResolvedRequest.self, from: try #require(tree.read(goal.id, "request.json")))
            #expect(request.goal == goal.request.goal)
            #expect(request.maxDepth == (goal.request.maxDepth ?? goal.request.profile.preset.maxDepth))
            let details = try CanonicalJSON.decode(ExecutionDetails.self, from: try #require(tree.read(goal.id, "execution.json")))
            #expect(details.status == .completed)
            #expect(details.executionId.hasPrefix("exec_") && details.executionId.count == 21)
            #expect(details.result?.isEmpty == false)
            #expect(details.completedAt != nil)
            let dag = try CanonicalJSON.decode(DAGResponse.self, from: try #require(tree.read(goal.id, "dag.json")))
            #expect(dag.executionId == details.executionId)
            #expect(dag.dag.stats.totalNodes == dag.dag.nodes.count)
            #expect(dag.dag.stats.totalEdges == dag.dag.edges.count)
            #expect(dag.dag.nodes.first?.id == "node_0" && dag.dag.nodes.first?.parent == nil)
            #expect(dag.dag.nodes.allSatisfy { $0.depth <= request.maxDepth })
            #expect(dag.dag.edges.contains { $0.type == "depends_on" })
            let mermaid = String(decoding: try #require(tree.read(goal.id, "dag.mmd")), as: UTF8.self)
            #expect(mermaid.hasPrefix("flowchart TD\n"))
            #expect(mermaid.contains("node_0 --> node_0_1"))
            let calls = GoalArtifacts.readCalls(tree.read(goal.id, "calls.jsonl"))
            #expect(calls.count == details.metadata.agentCalls)
            #expect(calls.reduce(0) { $0 + $1.usage.totalTokens } == details.metadata.tokensUsed)
        }
    }

    @Test func reRunRewritesNothingAndAChangedGoalRunsAlone() async throws {
        let tmp = try TemporaryFolder()
        let manifest = try Fixtures.manifest("quickstart.yaml")
        let runner = BatchRunner(options: Fixtures.options(tmp.url))
        _ = try await runner.run([manifest])
        let before = Fixtures.snapshot(tmp.url)

        let again = try await runner.run([manifest])
        #expect(again.allSatisfy { $0.status == .skipped })
        let after = Fixtures.snapshot(tmp.url)
        #expect(Set(after.keys) == Set(before.keys))
        for (path, (data, mtime)) in before {
            #expect(after[path]?.0 == data, "\(path) bytes changed")
            #expect(after[path]?.1 == mtime, "\(path) was rewritten")
        }

        var changed = manifest
        changed.goals[1].request.goal += " Keep it short."
        let third = try await runner.run([changed])
        #expect(third.filter { $0.status == .completed }.map(\.goal) == [changed.goals[1].id])
        #expect(
            third.filter { $0.status == .skipped }.map(\.goal).sorted()
                == changed.goals.map(\.id).filter { $0 != changed.goals[1].id }.sorted())
        let final = Fixtures.snapshot(tmp.url)
        for (path, (_, mtime)) in before where path.hasPrefix("quickstart/\(changed.goals[0].id)/") {
            #expect(final[path]?.1 == mtime, "\(path) of the unchanged goal was rewritten")
        }
        #expect(final["quickstart/\(changed.goals[1].id)/request.json"]?.0 != before["quickstart/\(changed.goals[1].id)/request.json"]?.0)
    }

    @Test func aCompletedGoalWhoseExecutionNoLongerDecodesRunsAgain() async throws {
        let tmp = try TemporaryFolder()
        let manifest = try Fixtures.manifest("quickstart.yaml")
        let runner = BatchRunner(options: Fixtures.options(tmp.url))
        _ = try await runner.run([manifest])
        // Still "completed" at the top, but the root node's depth is no longer a number.
        let tree = ResultsTree(out: tmp.url, manifestName: manifest.name)
        let damaged = manifest.goals[0].id
        let path = tree.goalFolder(damaged).appendingPathComponent(ResultsTree.File.execution)
        let text = String(decoding: try #require(tree.read(damaged, ResultsTree.File.execution)), as: UTF8.self)
        #expect(text.contains(#""depth" : 0,"#) && text.contains(#""status" : "completed""#))
        try Data(text.replacingOccurrences(of: #""depth" : 0,"#, with: #""depth" : "zero","#).utf8).write(to: path)

        let again = try await runner.run([manifest])
        #expect(again.first { $0.goal == damaged }?.status == .completed)
        #expect(again.filter { $0.goal != damaged }.allSatisfy { $0.status == .skipped })
        let summary = try CanonicalJSON.decode(
            Summary.self, from: try #require(FileManager.default.contents(atPath: tree.root.appendingPathComponent("summary.json").path)))
        #expect(summary.counts == ["completed": manifest.goals.count])
    }

    @Test func offlineReplayReproducesTheTreeByteForByte() async throws {
        let tmp = try TemporaryFolder()
        let manifest = try Fixtures.manifest("nightly-research.yaml")
        _ = try await BatchRunner(options: Fixtures.options(tmp.url)).run([manifest])
        let recorded = Fixtures.snapshot(tmp.url)
        let replayed = try await BatchRunner(options: Fixtures.options(tmp.url, recording: .offline, force: true)).run([manifest])
        #expect(replayed.allSatisfy { $0.status == .completed && $0.written })
        let after = Fixtures.snapshot(tmp.url)
        #expect(Set(after.keys) == Set(recorded.keys))
        for (path, (data, _)) in recorded {
            #expect(after[path]?.0 == data, "\(path) differs after replay")
        }
    }

    @Test func offlineMissFailsTheGoalAndWritesNothingForIt() async throws {
        let tmp = try TemporaryFolder()
        let manifest = try Fixtures.manifest("quickstart.yaml")
        _ = try await BatchRunner(options: Fixtures.options(tmp.url)).run([manifest])
        let before = Fixtures.snapshot(tmp.url)
        var changed = manifest
        changed.goals[0].request.configOverrides.temperature = 0.1
        let outcomes = try await BatchRunner(options: Fixtures.options(tmp.url, recording: .offline)).run([changed])
        let missed = try #require(outcomes.first { $0.goal == changed.goals[0].id })
        #expect(missed.status == .failed)
        #expect(!missed.written)
        #expect(missed.error?.contains("no recorded answer for goal '\(changed.goals[0].id)', node node_0") == true)
        let after = Fixtures.snapshot(tmp.url)
        for (path, (data, _)) in before where path.hasPrefix("quickstart/\(changed.goals[0].id)/") {
            #expect(after[path]?.0 == data)
        }
    }

    @Test func replayCallsTheProviderOnlyOnMisses() async throws {
        let tmp = try TemporaryFolder()
        let manifest = try Fixtures.manifest("quickstart.yaml")
        _ = try await BatchRunner(options: Fixtures.options(tmp.url)).run([manifest])
        var changed = manifest
        changed.goals[0].request.configOverrides.temperature = 0.1
        let plans = try await BatchRunner(options: Fixtures.options(tmp.url, recording: .replay)).plan([changed])
        let changedPlan = try #require(plans.first { $0.goal == changed.goals[0].id })
        #expect(changedPlan.state == .changed && changedPlan.wouldRun && changedPlan.replayMiss != nil)
        let otherPlan = try #require(plans.first { $0.goal == changed.goals[1].id })
        #expect(!otherPlan.wouldRun)
        let outcomes = try await BatchRunner(options: Fixtures.options(tmp.url, recording: .replay)).run([changed])
        #expect(outcomes.first { $0.goal == changed.goals[0].id }?.status == .completed)
    }

    @Test func aSecondRunOnTheSameTreeIsRefused() async throws {
        let tmp = try TemporaryFolder()
        let manifest = try Fixtures.manifest("quickstart.yaml")
        let tree = ResultsTree(out: tmp.url, manifestName: manifest.name)
        try tree.create()
        let lock = try TreeLock.acquire(root: tree.root, shard: nil, command: "test holder")
        defer { lock.release() }
        await #expect(throws: TreeLock.Locked.self) {
            _ = try await BatchRunner(options: Fixtures.options(tmp.url)).run([manifest])
        }
    }

    @Test func aLockFileLeftByADeadRunDoesNotBlock() async throws {
        let tmp = try TemporaryFolder()
        let manifest = try Fixtures.manifest("quickstart.yaml")
        let tree = ResultsTree(out: tmp.url, manifestName: manifest.name)
        try tree.create()
        // What an earlier version (or a dead run) left: a lock file naming a process. The lock is
        // the kernel's, not the file's, so nothing holds it.
        let holder = TreeLock.Holder(pid: 999_999, host: "elsewhere", startedAt: "2026-01-01T00:00:00.000Z", command: "dead run")
        try CanonicalJSON.encode(holder).write(to: tree.root.appendingPathComponent(".lock"))
        let outcomes = try await BatchRunner(options: Fixtures.options(tmp.url)).run([manifest])
        #expect(outcomes.allSatisfy { $0.status == .completed })
        #expect(TreeLock.holders(in: tree.root.path).isEmpty, "a released lock names no holder")
    }

    /// A goal's job is built when it is looked at — to decide whether it runs, and again when it
    /// starts — so both builds must give the same request and bytes, in manifest order.
    @Test func aGoalsJobIsTheSameEachTimeItIsBuilt() throws {
        let examples = Fixtures.packageRoot.appendingPathComponent("examples")
        var manifests: [Manifest] = []
        for name in ["quickstart.yaml", "tools.yaml", "weak-model.yaml"] {
            let bytes = Array(try Data(contentsOf: examples.appendingPathComponent(name)))
            let (manifest, diagnostics) = ManifestLoader(environment: [:]).load(bytes: bytes, file: name)
            manifests.append(try #require(manifest, "\(diagnostics.map(\.headline))"))
        }
        var options = Fixtures.options(URL(fileURLWithPath: "/nonexistent"))
        let all = BatchRunner(options: options).jobs(manifests)
        #expect(all.count == manifests.reduce(0) { $0 + $1.goals.count })
        #expect((0..<all.count).map { all.spec(at: $0).goal.id } == manifests.flatMap { $0.goals.map(\.id) })
        for index in 0..<all.count {
            let (first, second) = (try all.job(at: index), try all.job(at: index))
            #expect(first.request == second.request)
            #expect(first.requestBytes == second.requestBytes)
            #expect(first.goal.id == all.spec(at: index).goal.id)
        }
        // `--only` keeps its goals' places, in manifest order.
        let wanted = [manifests[2].goals[0].id, manifests[0].goals[1].id]
        options.only = Set(wanted)
        let only = BatchRunner(options: options).jobs(manifests)
        #expect((0..<only.count).map { only.spec(at: $0).goal.id } == [wanted[1], wanted[0]])
        #expect(only.goalIDs(manifestNamed: manifests[0].name) == [wanted[1]])
    }

    @Test func shardsPartitionTheGoals() throws {
        var yaml = "goals:\n"
        for i in 0..<200 { yaml += "  - { id: g\(i), goal: goal number \(i) }\n" }
        let manifest = try Fixtures.manifest(yaml: yaml)
        var seen: [String: Int] = [:]
        for index in 0..<4 {
            var options = Fixtures.options(URL(fileURLWithPath: "/nonexistent"))
            options.shard = Shard(index: index, count: 4)
            let jobs = BatchRunner(options: options).jobs([manifest])
            for index in 0..<jobs.count { seen[try jobs.job(at: index).goal.id, default: 0] += 1 }
        }
        #expect(seen.count == 200)
        #expect(seen.values.allSatisfy { $0 == 1 })
    }
}
