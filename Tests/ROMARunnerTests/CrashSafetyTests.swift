import Foundation
import ROMACore
import ROMAEngine
import ROMATestSupport
import Synchronization
import Testing

@testable import ROMARunner

/// The tree's promise under overlapping runs, shards, kills at every step of a swap, a full
/// disk and providers that echo credentials (issue 12).
@Suite struct CrashSafetyTests {
    static func manifest(goals: Int, temperature: Double? = nil) throws -> Manifest {
        var yaml = "name: crash\ngoals:\n"
        for i in 0..<goals {
            yaml += "  - { id: g\(i), goal: \"Investigate question number \(i)\""
            if let temperature { yaml += ", config_overrides: { temperature: \(temperature) }" }
            yaml += " }\n"
        }
        return try Fixtures.manifest(yaml: yaml)
    }

    static func entries(_ root: URL) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []).sorted()
    }

    static func makeFolder(_ url: URL, file: String = "request.json") throws {
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        try Data("{}\n".utf8).write(to: url.appendingPathComponent(file))
    }

    // MARK: 1. Cleanup never touches a live run's work

    @Test func aRefusedRunLeavesTheHoldersWorkInProgressAlone() async throws {
        let tmp = try TemporaryFolder()
        let manifest = try Self.manifest(goals: 2)
        let tree = ResultsTree(out: tmp.url, manifestName: manifest.name)
        try tree.create()
        let lock = try TreeLock.acquire(root: tree.root, shard: nil, command: "live run")
        defer { lock.release() }
        let staging = tree.root.appendingPathComponent(".tmp-run-0000abcd-g0")
        let ready = tree.root.appendingPathComponent(".ready-run-0000abcd-42-g1")
        try Self.makeFolder(staging)
        try Self.makeFolder(ready)
        for shard in [nil, Shard(index: 0, count: 2)] {
            var options = Fixtures.options(tmp.url)
            options.shard = shard
            await #expect(throws: TreeLock.Locked.self) { _ = try await BatchRunner(options: options).run([manifest]) }
        }
        #expect(FileManager.default.fileExists(atPath: staging.path))
        #expect(FileManager.default.fileExists(atPath: ready.path))
    }

    @Test func aShardRecoversOnlyItsOwnLeftovers() async throws {
        let tmp = try TemporaryFolder()
        let manifest = try Self.manifest(goals: 6)
        let tree = ResultsTree(out: tmp.url, manifestName: manifest.name)
        try tree.create()
        let other = try TreeLock.acquire(root: tree.root, shard: Shard(index: 0, count: 2), command: "shard 0/2")
        let othersWork = tree.root.appendingPathComponent(".tmp-s0of2-0000abcd-g3")
        let deadOwn = tree.root.appendingPathComponent(".tmp-s1of2-0000abcd-g4")
        try Self.makeFolder(othersWork)
        try Self.makeFolder(deadOwn)
        var options = Fixtures.options(tmp.url)
        options.shard = Shard(index: 1, count: 2)
        _ = try await BatchRunner(options: options).run([manifest])
        #expect(FileManager.default.fileExists(atPath: othersWork.path), "a live shard's staging folder survives")
        #expect(!FileManager.default.fileExists(atPath: deadOwn.path), "the dead run of this shard's leftovers are gone")
        // A whole run cannot start while a shard runs; once it has ended, it cleans up everything.
        await #expect(throws: TreeLock.Locked.self) { _ = try await BatchRunner(options: Fixtures.options(tmp.url)).run([manifest]) }
        other.release()
        _ = try await BatchRunner(options: Fixtures.options(tmp.url)).run([manifest])
        #expect(Self.entries(tree.root).filter { $0.hasPrefix(".tmp-") }.isEmpty)
    }

    struct LockCase: Sendable, CustomTestStringConvertible {
        var held: Shard?
        var wanted: Shard?
        var allowed: Bool
        var testDescription: String { "\(held.map(\.description) ?? "whole") held, \(wanted.map(\.description) ?? "whole") wanted" }
    }

    @Test(arguments: [
        LockCase(held: nil, wanted: nil, allowed: false),
        LockCase(held: nil, wanted: Shard(index: 0, count: 3), allowed: false),
        LockCase(held: Shard(index: 0, count: 3), wanted: nil, allowed: false),
        LockCase(held: Shard(index: 0, count: 3), wanted: Shard(index: 0, count: 3), allowed: false),
        LockCase(held: Shard(index: 0, count: 3), wanted: Shard(index: 1, count: 3), allowed: true),
    ])
    func lockingProtocol(_ test: LockCase) throws {
        let tmp = try TemporaryFolder()
        let held = try TreeLock.acquire(root: tmp.url, shard: test.held, command: "first")
        defer { held.release() }
        if test.allowed {
            let second = try TreeLock.acquire(root: tmp.url, shard: test.wanted, command: "second")
            second.release()
        } else {
            #expect(throws: TreeLock.Locked.self) { try TreeLock.acquire(root: tmp.url, shard: test.wanted, command: "second") }
            // A refused run releases nothing: the holder still holds.
            #expect(throws: TreeLock.Locked.self) { try TreeLock.acquire(root: tmp.url, shard: test.wanted, command: "third") }
        }
    }

    @Test func aLockHeldByAKilledProcessIsFreeAtOnce() throws {
        let tmp = try TemporaryFolder()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "python3", "-c",
            "import fcntl,sys; f=open(sys.argv[1],'a'); fcntl.flock(f, fcntl.LOCK_EX); print('held', flush=True); sys.stdin.read()",
            tmp.url.appendingPathComponent(".lock").path,
        ]
        let output = Pipe()
        let input = Pipe()
        process.standardOutput = output
        process.standardInput = input
        try process.run()
        // Wait for the child's word that it holds the lock (an event, not a delay).
        let line = String(decoding: output.fileHandleForReading.availableData, as: UTF8.self)
        #expect(line.hasPrefix("held"))
        #expect(throws: TreeLock.Locked.self) { try TreeLock.acquire(root: tmp.url, shard: nil, command: "second") }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let lock = try TreeLock.acquire(root: tmp.url, shard: nil, command: "after the kill")
        lock.release()
    }

    @Test func concurrentShardsWriteEveryGoalOnce() async throws {
        let tmp = try TemporaryFolder()
        let manifest = try Self.manifest(goals: 60)
        let outcomes = try await withThrowingTaskGroup(of: [GoalOutcome].self) { group in
            for index in 0..<3 {
                var options = Fixtures.options(tmp.url)
                options.shard = Shard(index: index, count: 3)
                group.addTask { try await BatchRunner(options: options).run([manifest]) }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        #expect(outcomes.count == 60)
        #expect(outcomes.allSatisfy { $0.status == .completed })
        let tree = ResultsTree(out: tmp.url, manifestName: manifest.name)
        for goal in manifest.goals { #expect(tree.missingFiles(goal.id, withCalls: true).isEmpty, "\(goal.id)") }
        #expect(Self.entries(tree.root).filter { $0.hasPrefix(".tmp-") || $0.hasPrefix(".ready-") }.isEmpty)
    }

    // MARK: 2. No kill during a swap loses the goal

    /// Counts the tree's calls and "kills" the run at call `killAt`: that call and every later
    /// one throws, as if the process had died there.
    final class KillSwitch: @unchecked Sendable {
        private let lock = NSLock()
        private var calls = 0
        private var readyAt: Int?
        let killAt: Int
        let exchange: Bool
        private(set) var killed = false

        init(killAt: Int, exchange: Bool) {
            self.killAt = killAt
            self.exchange = exchange
        }

        var newFolderWasComplete: Bool { lock.withLock { readyAt.map { $0 < killAt } ?? false } }

        var faults: FileSystemFaults {
            FileSystemFaults { call, path in
                self.lock.withLock {
                    if call == .exchange && !self.exchange { return .fail(EINVAL) }
                    defer { self.calls += 1 }
                    if self.calls >= self.killAt {
                        self.killed = true
                        return .kill
                    }
                    if call == .rename && path.contains("/.ready-") { self.readyAt = self.calls }
                    return nil
                }
            }
        }
    }

    @Test(arguments: [true, false])
    func noKillDuringAGoalSwapLosesTheGoal(exchange: Bool) async throws {
        let old = try Self.manifest(goals: 1)
        let new = try Self.manifest(goals: 1, temperature: 0.1)
        // The new version of the folder, written without faults, to compare with.
        let reference = try TemporaryFolder()
        _ = try await BatchRunner(options: Fixtures.options(reference.url)).run([new])
        let newFiles = Fixtures.snapshot(reference.url.appendingPathComponent("crash/g0")).mapValues(\.0)
        var killAt = 0
        while true {
            let tmp = try TemporaryFolder()
            _ = try await BatchRunner(options: Fixtures.options(tmp.url)).run([old])
            let oldFiles = Fixtures.snapshot(tmp.url.appendingPathComponent("crash/g0")).mapValues(\.0)
            let kill = KillSwitch(killAt: killAt, exchange: exchange)
            var options = Fixtures.options(tmp.url)
            options.faults = kill.faults
            _ = try? await BatchRunner(options: options).run([new])
            guard kill.killed else { break }  // every call of the run has been a kill point

            // The next run recovers under the lock.
            let tree = ResultsTree(out: tmp.url, manifestName: "crash")
            try tree.recover()
            let files = Fixtures.snapshot(tree.goalFolder("g0")).mapValues(\.0)
            // The new version's times are this run's, so it is known by its request and whole by
            // its files agreeing with each other.
            let isNew = files["request.json"] == newFiles["request.json"] && Set(files.keys) == Set(newFiles.keys) && Self.agree(files)
            #expect(files == oldFiles || isNew, "kill at call \(killAt): the folder is one whole version")
            if kill.newFolderWasComplete { #expect(isNew, "kill at call \(killAt): the finished new folder was put in place") }
            let leftovers = Self.entries(tree.root).filter { $0.hasPrefix(".tmp-") || $0.hasPrefix(".ready-") || $0.hasPrefix(".old-") }
            #expect(leftovers.isEmpty, "kill at call \(killAt): \(leftovers)")
            killAt += 1
        }
        #expect(killAt > 15, "the swap and the summary make more calls than this")
    }

    /// A new goal's folder is renamed straight into place (no `.ready-` step): a kill at any
    /// call of its write leaves the whole folder or none, never a leftover, and a kill after the
    /// rename leaves it in place.
    @Test func noKillDuringANewGoalsWriteLeavesAPartialFolder() async throws {
        let manifest = try Self.manifest(goals: 1)
        let reference = try TemporaryFolder()
        _ = try await BatchRunner(options: Fixtures.options(reference.url)).run([manifest])
        let expected = Fixtures.snapshot(reference.url.appendingPathComponent("crash/g0")).mapValues(\.0)
        var killAt = 0
        var renamedIn = 0
        while true {
            let tmp = try TemporaryFolder()
            let calls = Mutex<[(FileSystemFaults.Call, String)]>([])
            var options = Fixtures.options(tmp.url)
            let limit = killAt
            options.faults = FileSystemFaults { call, path in
                calls.withLock { seen in
                    defer { seen.append((call, path)) }
                    return seen.count >= limit ? .kill : nil
                }
            }
            _ = try? await BatchRunner(options: options).run([manifest])
            let made = calls.withLock { $0 }
            guard made.count > killAt else { break }  // every call of the run has been a kill point
            // Whether the kill came after the folder's rename into place.
            let afterRename = made.prefix(killAt).contains { $0.0 == .rename && $0.1.hasSuffix("/crash/g0") }

            let tree = ResultsTree(out: tmp.url, manifestName: "crash")
            try tree.recover()
            let files = Fixtures.snapshot(tree.goalFolder("g0")).mapValues(\.0)
            let whole = files["request.json"] == expected["request.json"] && Set(files.keys) == Set(expected.keys) && Self.agree(files)
            #expect(files.isEmpty || whole, "kill at call \(killAt): the folder is whole or absent")
            if afterRename {
                renamedIn += 1
                #expect(whole, "kill at call \(killAt): the renamed folder stays in place")
            }
            let leftovers = Self.entries(tree.root).filter { $0.hasPrefix(".tmp-") || $0.hasPrefix(".ready-") || $0.hasPrefix(".old-") }
            #expect(leftovers.isEmpty, "kill at call \(killAt): \(leftovers)")
            #expect(!made.contains { $0.1.contains("/.ready-") }, "a new goal needs no .ready- step")
            killAt += 1
        }
        #expect(killAt > 8 && renamedIn > 0, "the write and the summary make more calls than this")
    }

    /// Whether a goal folder's execution and DAG belong to one execution.
    static func agree(_ files: [String: Data]) -> Bool {
        guard let execution = files["execution.json"].flatMap({ try? CanonicalJSON.decode(ExecutionDetails.self, from: $0) }),
            let dag = files["dag.json"].flatMap({ try? CanonicalJSON.decode(DAGResponse.self, from: $0) })
        else { return false }
        return execution.executionId == dag.executionId && execution.dag?.nodes.count == dag.dag.nodes.count
    }

    @Test func leftoversOfEarlierVersionsAreRecovered() throws {
        let tmp = try TemporaryFolder()
        let tree = ResultsTree(root: tmp.url)
        // The old swap: goal moved to `.trash-` and killed before the new folder was renamed in.
        try Self.makeFolder(tmp.url.appendingPathComponent(".trash-g-1-deadbeef"))
        try Self.makeFolder(tmp.url.appendingPathComponent(".tmp-g-1-deadbeef"))
        #expect(try tree.recover() == ["g-1"])
        #expect(Self.entries(tmp.url) == ["g-1"])
    }

    // MARK: 3. Completeness is checked

    @Test func aFolderMissingAFileIsNotCompleteAndRunsAgain() async throws {
        let tmp = try TemporaryFolder()
        let manifest = try Self.manifest(goals: 2)
        _ = try await BatchRunner(options: Fixtures.options(tmp.url)).run([manifest])
        let tree = ResultsTree(out: tmp.url, manifestName: manifest.name)
        try FileManager.default.removeItem(at: tree.goalFolder("g1").appendingPathComponent("dag.json"))

        let plans = try await BatchRunner(options: Fixtures.options(tmp.url)).plan([manifest])
        let plan = try #require(plans.first { $0.goal == "g1" })
        #expect(plan.state == .incomplete && plan.wouldRun && plan.missingFiles == ["dag.json"])
        #expect(plans.first { $0.goal == "g0" }?.wouldRun == false)

        let notes = NoteCollector()
        let outcomes = try await BatchRunner(options: Fixtures.options(tmp.url)).run([manifest]) { notes.add($0) }
        #expect(outcomes.first { $0.goal == "g1" }?.status == .completed)
        #expect(outcomes.first { $0.goal == "g0" }?.status == .skipped)
        #expect(tree.missingFiles("g1", withCalls: true).isEmpty)
        #expect(notes.notes.contains { $0.contains("crash/g1: the folder lacks dag.json") })
    }

    // MARK: 4. Secrets never reach the tree

    @Test func aProviderThatEchoesTheKeyLeavesNoTraceOfIt() async throws {
        let tmp = try TemporaryFolder()
        let key = "sk-proj-Zq81Secret0123456789abcdef"
        let manifest = try Self.manifest(goals: 2)
        let echo: MockOpenAIServer.Script = { request in
            .status(
                401,
                body:
                    #"{"error":{"message":"Incorrect API key provided: \#(request.authorization ?? ""). Key \#(key) header Authorization=\#(request.authorization ?? "")","type":"invalid_request_error"}}"#
            )
        }
        try await MockOpenAIServer.withServer(echo) { server in
            let options = RunOptions(
                out: tmp.url, concurrency: 2, recording: .record,
                provider: ProviderSettings(name: "openai", baseURL: server.baseURL.absoluteString, apiKey: key),
                environment: ["CUSTOM_LLM_CREDENTIAL": key])
            let outcomes = try await BatchRunner(options: options).run([manifest])
            #expect(outcomes.allSatisfy { $0.status == .failed })
            #expect(server.journal.count > 0)
        }
        var checked = 0
        let walker = FileManager.default.enumerator(atPath: tmp.url.path)
        while let relative = walker?.nextObject() as? String {
            guard let data = FileManager.default.contents(atPath: tmp.url.appendingPathComponent(relative).path) else { continue }
            let text = String(decoding: data, as: UTF8.self)
            #expect(!text.contains(key) && !text.contains("Zq81Secret"), "\(relative) holds the key")
            checked += 1
        }
        #expect(checked >= 10, "the failed goals' folders and the summary were written")
        let execution = try #require(ResultsTree(out: tmp.url, manifestName: "crash").read("g0", ResultsTree.File.execution))
        #expect(String(decoding: execution, as: UTF8.self).contains("[REDACTED]"))
    }

    // MARK: 5. A full disk stops the run

    @Test func aFullDiskStopsTheRunCleanly() async throws {
        let tmp = try TemporaryFolder()
        let manifest = try Self.manifest(goals: 12)
        var options = Fixtures.options(tmp.url)
        options.concurrency = 2
        options.faults = FileSystemFaults { call, path in
            // The disk fills once the run has started (its .gitignore is written first).
            call == .createFile && !path.hasSuffix(".gitignore") ? .fail(ENOSPC) : nil
        }
        let started = NoteCollector()
        do {
            _ = try await BatchRunner(options: options).run([manifest]) { event in
                if case .goalStarted(_, let goal) = event { started.add(goal) }
            }
            Issue.record("the run should have stopped")
        } catch let stopped as RunStopped {
            #expect(stopped.cause.errorNumber == ENOSPC)
            #expect(stopped.description.contains("No space left on device"))
            #expect(!stopped.description.contains("Error Domain"))
            #expect(stopped.description.hasPrefix("cannot create \(tmp.url.path)/crash/.tmp-run-"))
        }
        #expect(started.notes.count <= 2, "no goal starts once the tree cannot be written: \(started.notes)")
        let root = tmp.url.appendingPathComponent("crash")
        #expect(
            Self.entries(root).filter { !$0.hasPrefix(".lock") && $0 != ".gitignore" }.isEmpty,
            "nothing half-written: \(Self.entries(root))")
    }

    /// The disk refuses to make a goal folder durable (`syncfs` or `fsync` fails): the folder is
    /// never renamed into place, nothing half-written is left, and the run stops as for a full disk.
    @Test func aFailedSyncStopsTheRunBeforeTheFolderIsRenamed() async throws {
        let tmp = try TemporaryFolder()
        let manifest = try Self.manifest(goals: 6)
        var options = Fixtures.options(tmp.url)
        options.concurrency = 2
        let renamed = NoteCollector()
        options.faults = FileSystemFaults { call, path in
            if call == .rename { renamed.add(path) }
            return call == .sync && !path.hasSuffix(".gitignore") ? .fail(EIO) : nil
        }
        do {
            _ = try await BatchRunner(options: options).run([manifest])
            Issue.record("the run should have stopped")
        } catch let stopped as RunStopped {
            #expect(stopped.cause.errorNumber == EIO)
            #expect(stopped.description.hasPrefix("cannot write \(tmp.url.path)/crash/.tmp-run-"), "\(stopped.description)")
            #expect(stopped.description.contains("Input/output error"))
        }
        #expect(
            !renamed.notes.contains { $0.contains("/.ready-") || $0.hasSuffix("/g0") }, "no unsynced folder was renamed: \(renamed.notes)")
        let root = tmp.url.appendingPathComponent("crash")
        #expect(
            Self.entries(root).filter { !$0.hasPrefix(".lock") && $0 != ".gitignore" && $0 != "summary.json" && $0 != "index.md" }.isEmpty,
            "nothing half-written: \(Self.entries(root))")
    }

    /// Both ways of making a folder durable: a failure leaves the goal's folder as it was.
    @Test(arguments: [TreeFileSystem.SyncStrategy.fileSystem, .eachFile])
    func aFailedSyncLeavesTheOldFolder(strategy: TreeFileSystem.SyncStrategy) throws {
        let tmp = try TemporaryFolder()
        let renamed = NoteCollector()
        var tree = ResultsTree(
            root: tmp.url.appendingPathComponent("crash"),
            faults: FileSystemFaults { call, path in
                if call == .rename { renamed.add(path) }
                return call == .sync && path.contains("/.tmp-") ? .fail(EIO) : nil
            })
        tree.fileSystem.syncStrategy = strategy
        try tree.create()
        try Self.makeFolder(tree.goalFolder("g0"))
        #expect(throws: ResultsTreeError.self) {
            try tree.writeGoal("g0", files: ["request.json": Data("new\n".utf8), "result.md": Data("answer\n".utf8)])
        }
        #expect(renamed.notes.isEmpty, "nothing unsynced was renamed: \(renamed.notes)")
        #expect(Self.entries(tree.root) == ["g0"], "no staging folder is left")
        #expect(tree.read("g0", "request.json") == Data("{}\n".utf8), "the old folder is untouched")
    }

    /// The tree folder's `fsync` after a swap is what makes the rename durable: when the disk
    /// refuses it, the goal is not reported written (it used to be ignored).
    @Test func aFailedSyncOfTheTreeFolderFailsTheWrite() throws {
        let tmp = try TemporaryFolder()
        let root = tmp.url.appendingPathComponent("crash")
        let tree = ResultsTree(root: root, faults: FileSystemFaults { call, _ in call == .syncFolder ? .fail(EIO) : nil })
        try tree.create()
        let error = #expect(throws: ResultsTreeError.self) {
            try tree.writeGoal("g0", files: ["request.json": Data("{}\n".utf8), "result.md": Data("answer\n".utf8)])
        }
        #expect(error?.description == "cannot sync \(tree.root.path): Input/output error")
        #expect(error?.code == .io)
    }
}

/// Collects strings from events, across tasks.
final class NoteCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [String] = []

    func add(_ text: String) { lock.withLock { items.append(text) } }

    func add(_ event: BatchEvent) {
        if case .note(let text) = event { add(text) }
    }

    var notes: [String] { lock.withLock { items } }
}
