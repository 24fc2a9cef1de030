import Foundation
import NIOConcurrencyHelpers
import ROMACore
import ROMAEngine
import ROMARunner
import ROMATestSupport
import Testing

@testable import ROMAServer

/// `roma run --mode remote` against a live `roma serve` on loopback.
@Suite struct RemoteModeTests {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static func manifest(goals: Int = 3) throws -> Manifest {
        var yaml = "name: remote-batch\ndefaults: { max_depth: 2, config_profile: fast }\ngoals:\n"
        for i in 0..<goals { yaml += "  - { id: g\(i), goal: \"Explain topic number \(i) briefly\" }\n" }
        let (manifest, diagnostics) = ManifestLoader(environment: [:]).load(bytes: Array(yaml.utf8), file: "remote-batch.yaml")
        guard let manifest else { throw TestFailure("\(diagnostics)") }
        return manifest
    }

    static func options(_ out: URL, server: LiveServer, key: String? = nil) -> RunOptions {
        RunOptions(
            out: out, mode: .remote, concurrency: 3, provider: ProviderSettings(name: "offline"), environment: [:],
            remote: RemoteSettings(
                baseURL: "http://127.0.0.1:\(server.port)", apiKey: key ?? server.key, pollInitial: .milliseconds(5),
                pollMax: .milliseconds(40), maxRetries: 6))
    }

    static func temporaryFolder() -> URL {
        URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("roma-remote-\(UUID().uuidString)")
    }

    static func serverExecutionCount(_ server: LiveServer) async throws -> Int {
        try await server.request(.GET, "/api/v1/executions?limit=1", key: server.key).json?["pagination"]?["total"]?.intValue ?? -1
    }

    static func files(_ root: URL) -> Set<String> {
        var result = Set<String>()
        let walker = FileManager.default.enumerator(atPath: root.path)
        while let path = walker?.nextObject() as? String {
            if !path.hasPrefix(".") && !path.contains("/.") { result.insert(path) }
        }
        return result
    }

    @Test func aManifestRoundTripsWithTheSameTreeAsALocalRun() async throws {
        let out = Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: out) }
        let manifest = try Self.manifest()
        try await LiveServer.with { server in
            let outcomes = try await BatchRunner(options: Self.options(out.appendingPathComponent("remote"), server: server)).run([manifest]
            )
            #expect(outcomes.count == 3)
            #expect(outcomes.allSatisfy { $0.status == .completed && $0.written && $0.executionID?.hasPrefix("exec_") == true })
            #expect(try await Self.serverExecutionCount(server) == 3)
        }
        let local = try await BatchRunner(
            options: RunOptions(out: out.appendingPathComponent("local"), provider: ProviderSettings(name: "offline"), environment: [:])
        ).run([manifest])
        #expect(local.allSatisfy { $0.status == .completed })
        let remoteFiles = Self.files(out.appendingPathComponent("remote/remote-batch"))
        let localFiles = Self.files(out.appendingPathComponent("local/remote-batch")).filter { !$0.hasSuffix("calls.jsonl") }
        #expect(remoteFiles == localFiles)
        let tree = ResultsTree(out: out.appendingPathComponent("remote"), manifestName: "remote-batch")
        for goal in manifest.goals {
            let details = try CanonicalJSON.decode(ExecutionDetails.self, from: try #require(tree.read(goal.id, "execution.json")))
            #expect(details.status == .completed)
            let dag = try CanonicalJSON.decode(DAGResponse.self, from: try #require(tree.read(goal.id, "dag.json")))
            #expect(dag.executionId == details.executionId && !dag.dag.nodes.isEmpty)
            #expect(String(decoding: try #require(tree.read(goal.id, "dag.mmd")), as: UTF8.self).hasPrefix("flowchart TD"))
        }
        #expect(tree.submissions().isEmpty)
        let summary = try CanonicalJSON.decode(
            Summary.self, from: try #require(FileManager.default.contents(atPath: tree.root.appendingPathComponent("summary.json").path)))
        #expect(summary.counts == ["completed": 3])
    }

    @Test func ctrlCCancelsTheRunsExecutionsOnTheServer() async throws {
        let out = Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: out) }
        let gate = Gate()
        let manifest = try Self.manifest(goals: 2)
        try await LiveServer.with(model: GateModel(gate: gate)) { server in
            let (submitted, sink) = AsyncStream.makeStream(of: String.self)
            let run = Task {
                try await BatchRunner(options: Self.options(out, server: server)).run([manifest]) { event in
                    if case .submitted(_, _, let id, _) = event { sink.yield(id) }
                }
            }
            var ids: [String] = []
            for await id in submitted {
                ids.append(id)
                if ids.count == 2 { break }
            }
            run.cancel()
            let outcomes = try await run.value
            #expect(outcomes.allSatisfy { $0.status == .cancelled })
            for id in ids {
                let stored = await server.waitUntilFinished(id)
                #expect(stored.status == .cancelled)
            }
        }
    }

    @Test func exhaustingTheDailyLimitDefersUnsentGoals() async throws {
        let out = Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: out) }
        let manifest = try Self.manifest(goals: 5)
        try await LiveServer.with(configuration: ServerConfiguration(dailyRequestLimit: 6)) { server in
            var options = Self.options(out, server: server)
            options.concurrency = 1
            let outcomes = try await BatchRunner(options: options).run([manifest])
            let deferred = outcomes.filter { $0.status == .deferred }
            #expect(!deferred.isEmpty)
            #expect(outcomes.allSatisfy { $0.status == .completed || $0.status == .deferred })
            #expect(deferred.allSatisfy { $0.temporary && $0.error?.contains("daily request limit") == true })
            // Nothing is submitted after the limit is hit: at most one execution per request budget.
            #expect(try await Self.serverExecutionCount(server) <= 2)
            let tree = ResultsTree(out: out, manifestName: manifest.name)
            let summary = try CanonicalJSON.decode(
                Summary.self,
                from: try #require(FileManager.default.contents(atPath: tree.root.appendingPathComponent("summary.json").path)))
            #expect(summary.goals.contains { $0.status == "deferred" })
        }
    }

    @Test func statusAndCancelCommandsActOnATreesInFlightExecutions() async throws {
        let out = Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: out) }
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        let manifestFile = out.appendingPathComponent("remote-batch.yaml")
        try "name: remote-batch\ngoals:\n  - { id: g0, goal: first }\n  - { id: g1, goal: second }\n".write(
            to: manifestFile, atomically: true, encoding: .utf8)
        let gate = Gate()
        try await LiveServer.with(model: GateModel(gate: gate)) { server in
            let environment = ["ROMA_BASE_URL": "http://127.0.0.1:\(server.port)", "ROMA_API_KEY": server.key]
            let results = out.appendingPathComponent("results")
            let run = try RomaProcess(
                arguments: ["run", manifestFile.path, "--mode", "remote", "--out", results.path, "--json"], environment: environment)
            var ids: [String] = []
            for await line in run.lines where line.contains(#""event":"submitted""#) {
                if let id = try? JSONDecoder().decode(JSONValue.self, from: Data(line.utf8))["execution_id"]?.stringValue { ids.append(id) }
                if ids.count == 2 { break }
            }
            run.kill()
            let tree = results.appendingPathComponent("remote-batch").path
            let status = try RomaProcess(arguments: ["status", tree], environment: environment)
            let statusLines = await Array(status.lines)
            #expect(status.wait() == 0)
            #expect(statusLines.count == 2)
            #expect(statusLines.allSatisfy { $0.contains(" running ") })
            let cancel = try RomaProcess(arguments: ["cancel", tree], environment: environment)
            let cancelLines = await Array(cancel.lines)
            #expect(cancel.wait() == 0)
            #expect(cancelLines.filter { $0.hasSuffix(" cancelled") }.count == 2)
            for id in ids {
                #expect(await server.waitUntilFinished(id).status == .cancelled)
            }
        }
    }

    @Test func deferredGoalsExit75AndAMissingKeyIsBadUsage() async throws {
        let out = Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: out) }
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        let manifestFile = out.appendingPathComponent("remote-batch.yaml")
        var yaml = "name: remote-batch\ndefaults: { max_depth: 1 }\nengine: { concurrency: 1 }\ngoals:\n"
        for i in 0..<4 { yaml += "  - { id: g\(i), goal: \"Explain topic number \(i) briefly\" }\n" }
        try yaml.write(to: manifestFile, atomically: true, encoding: .utf8)
        try await LiveServer.with(configuration: ServerConfiguration(dailyRequestLimit: 5)) { server in
            let arguments = ["run", manifestFile.path, "--mode", "remote", "--out", out.appendingPathComponent("results").path, "--json"]
            let run = try RomaProcess(
                arguments: arguments, environment: ["ROMA_BASE_URL": "http://127.0.0.1:\(server.port)", "ROMA_API_KEY": server.key])
            var deferred = 0
            for await line in run.lines where line.contains(#""status":"deferred""#) { deferred += 1 }
            #expect(run.wait() == 75)
            #expect(deferred > 0)
            let noKey = try RomaProcess(
                arguments: arguments, environment: ["ROMA_BASE_URL": "http://127.0.0.1:\(server.port)", "ROMA_API_KEY": ""])
            #expect(noKey.wait() == 64)
        }
    }

    @Test func droppedConnectionsAreRetriedThenFailTheGoalCleanly() async throws {
        let out = Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: out) }
        let listener = try DroppingListener()
        defer { listener.stop() }
        let manifest = try Self.manifest(goals: 1)
        let options = RunOptions(
            out: out, mode: .remote, provider: ProviderSettings(name: "offline"), environment: [:],
            remote: RemoteSettings(
                baseURL: "http://127.0.0.1:\(listener.port)", apiKey: "sk_live_test", pollInitial: .milliseconds(1),
                pollMax: .milliseconds(5), maxRetries: 3))
        let outcomes = try await BatchRunner(options: options).run([manifest])
        #expect(outcomes.first?.status == .failed)
        #expect(outcomes.first?.temporary == true)
        #expect(listener.connections >= 4)  // the first try and three retries
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("remote-batch/g0").path))
    }

    @Test(.timeLimit(.minutes(1)))
    func aServerThatRefusesConnectionsFailsTheGoalInAFewWords() async throws {
        // Nothing listens: each attempt fails at once (no reconnect loop waiting out a deadline),
        // and the goal's error says why in a few words.
        let out = Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: out) }
        let options = RunOptions(
            out: out, mode: .remote, provider: ProviderSettings(name: "offline"), environment: [:],
            remote: RemoteSettings(
                baseURL: "http://127.0.0.1:\(try ClosedPort.make())", apiKey: "sk_live_test", pollInitial: .milliseconds(1),
                pollMax: .milliseconds(5), maxRetries: 3))
        let outcomes = try await BatchRunner(options: options).run([try Self.manifest(goals: 1)])
        #expect(outcomes.first?.status == .failed)
        #expect(outcomes.first?.temporary == true)
        #expect(outcomes.first?.error == "POST /api/v1/executions failed: Connection refused (gave up after 4 attempts)")
        // The time spent trying (three backoff sleeps of at least 1 ms), not "failed in 0.0 s".
        #expect((outcomes.first?.seconds ?? 0) >= 0.003)
    }

    @Test func serverErrorsAreRetriedWithoutDuplicateExecutions() async throws {
        let out = Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: out) }
        let manifest = try Self.manifest(goals: 2)
        let failures = NIOLockedValueBox(["create": 2, "read": 3])
        let flaky: @Sendable (SQLiteExecutionStore) -> any ExecutionStore = { FaultInjectingStore(base: $0, failures: failures) }
        try await LiveServer.with(wrapStore: flaky) { server in
            let outcomes = try await BatchRunner(options: Self.options(out, server: server)).run([manifest])
            #expect(outcomes.allSatisfy { $0.status == .completed })
            #expect(failures.withLockedValue { $0 } == ["create": 0, "read": 0])
            #expect(try await Self.serverExecutionCount(server) == 2)
        }
    }

    @Test func aKilledRunRestartedReattachesAndCreatesNoDuplicates() async throws {
        let out = Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: out) }
        let gate = Gate()
        let manifestFile = out.appendingPathComponent("remote-batch.yaml")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        var yaml = "name: remote-batch\ndefaults: { max_depth: 2 }\ngoals:\n"
        for i in 0..<3 { yaml += "  - { id: g\(i), goal: \"Explain topic number \(i) briefly\" }\n" }
        try yaml.write(to: manifestFile, atomically: true, encoding: .utf8)
        try await LiveServer.with(model: GateModel(gate: gate)) { server in
            let environment = ["ROMA_BASE_URL": "http://127.0.0.1:\(server.port)", "ROMA_API_KEY": server.key]
            let arguments = ["run", manifestFile.path, "--mode", "remote", "--out", out.appendingPathComponent("results").path, "--json"]
            // First run: killed with SIGKILL once every goal is submitted.
            let first = try RomaProcess(arguments: arguments, environment: environment)
            var submitted = 0
            for await line in first.lines where line.contains(#""event":"submitted""#) {
                submitted += 1
                if submitted == 3 { break }
            }
            first.kill()
            #expect(try await Self.serverExecutionCount(server) == 3)
            await gate.open()
            // Second run: re-attaches to the three executions instead of resubmitting.
            let second = try RomaProcess(arguments: arguments, environment: environment)
            var attached = 0
            for await line in second.lines where line.contains(#""event":"submitted""#) && line.contains(#""attached":true"#) {
                attached += 1
            }
            #expect(second.wait() == 0)
            #expect(attached == 3)
            #expect(try await Self.serverExecutionCount(server) == 3)
        }
    }
}

/// A loopback listener that accepts connections and drops them at once, counting them.
final class DroppingListener: @unchecked Sendable {
    let port: Int
    private let fd: Int32
    private let accepted = NIOLockedValueBox(0)

    init() throws {
        let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        fd = socketFD
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(socketFD, $0, length) == 0 && listen(socketFD, 16) == 0 && getsockname(socketFD, $0, &length) == 0
            }
        }
        guard bound else { throw TestFailure("cannot listen on loopback") }
        port = Int(UInt16(bigEndian: address.sin_port))
        let accepted = self.accepted
        Thread.detachNewThread {
            while true {
                let client = accept(socketFD, nil, nil)
                if client < 0 { return }
                accepted.withLockedValue { $0 += 1 }
                close(client)
            }
        }
    }

    var connections: Int { accepted.withLockedValue { $0 } }

    func stop() {
        shutdown(fd, Int32(SHUT_RDWR))
        close(fd)
    }
}

/// The built `roma` executable as a child process whose stdout lines arrive as a stream.
final class RomaProcess: @unchecked Sendable {
    let process = Process()
    let lines: AsyncStream<String>

    init(arguments: [String], environment: [String: String]) throws {
        let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        process.executableURL = exe.deletingLastPathComponent().appendingPathComponent("roma")
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        process.environment = env
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        let (stream, sink) = AsyncStream.makeStream(of: String.self)
        lines = stream
        try process.run()
        let handle = out.fileHandleForReading
        Thread.detachNewThread {
            var buffer = Data()
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                buffer.append(chunk)
                while let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                    sink.yield(String(decoding: buffer[buffer.startIndex..<newline], as: UTF8.self))
                    buffer.removeSubrange(buffer.startIndex...newline)
                }
            }
            sink.finish()
        }
    }

    func kill() {
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    func wait() -> Int32 {
        process.waitUntilExit()
        return process.terminationStatus
    }
}

extension Array {
    /// Every element of a stream, once it ends.
    init(_ stream: AsyncStream<Element>) async {
        var all: [Element] = []
        for await element in stream { all.append(element) }
        self = all
    }
}
