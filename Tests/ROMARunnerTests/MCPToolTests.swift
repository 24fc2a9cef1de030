import Foundation
import ROMACore
import ROMAEngine
import ROMATestSupport
import Testing

@testable import ROMARunner
@testable import ROMATools

#if canImport(Glibc)
    import Glibc
#endif

/// The Python test MCP server (`Tests/MCPFixtures/mcp_test_server.py`), run by the tests over stdio.
enum MCPFixture {
    static let script = Fixtures.packageRoot.appendingPathComponent("Tests/MCPFixtures/mcp_test_server.py").path

    /// The venv's python (`scripts/mcp-test-venv` makes it), or `ROMA_MCP_TEST_PYTHON`.
    static let python: String? = {
        let candidates: [String?] = [
            ProcessInfo.processInfo.environment["ROMA_MCP_TEST_PYTHON"],
            Fixtures.packageRoot.appendingPathComponent(".venv-mcp-test/bin/python").path,
        ]
        return candidates.compactMap { $0 }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    static var available: Bool {
        if python == nil {
            print("MCP tool tests skipped: no Python with the mcp package (run scripts/mcp-test-venv, or set ROMA_MCP_TEST_PYTHON)")
        }
        return python != nil
    }

    /// Test servers that are running and not about to end: neither a zombie nor with a SIGKILL
    /// pending (a second Ctrl-C kills them as roma exits; they may still be on their way out).
    static func liveServers() -> [String] {
        runningServers().filter { pid in
            guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return false }
            let lines = status.split(separator: "\n")
            if lines.contains(where: { $0.hasPrefix("State:\tZ") || $0.hasPrefix("State:\tX") }) { return false }
            // SIGKILL is signal 9: bit 8 of the pending-signal masks.
            let pending = lines.filter { $0.hasPrefix("SigPnd:") || $0.hasPrefix("ShdPnd:") }.compactMap {
                UInt64($0.split(separator: "\t").last ?? "", radix: 16)
            }
            return !pending.contains { $0 & (1 << 8) != 0 }
        }
    }

    /// Processes still running the test server (there must be none after a run).
    static func runningServers() -> [String] {
        let fm = FileManager.default
        return ((try? fm.contentsOfDirectory(atPath: "/proc")) ?? []).filter { Int($0) != nil }.compactMap { pid in
            guard let data = fm.contents(atPath: "/proc/\(pid)/cmdline") else { return nil }
            let text = String(decoding: data.map { $0 == 0 ? 0x20 : $0 }, as: UTF8.self)
            return text.contains(script) ? pid : nil
        }
    }
}

@Suite("MCP tools end to end", .serialized, .enabled(if: MCPFixture.available, "needs scripts/mcp-test-venv"))
struct MCPToolTests {
    static let secret = "hunter2-do-not-write"

    static func yaml(goals: String) -> String {
        """
        name: mcptools
        defaults: { max_depth: 1, tools: [test] }
        profiles: { general: mock-model }
        engine: { tool_timeout_seconds: 5, max_tool_calls: 2 }
        tools:
          test:
            command: [\(MCPFixture.python ?? "python3"), \(MCPFixture.script)]
            env: [ROMA_TEST_SECRET]
        goals:
        \(goals)
        """
    }

    /// Executors call the tool their task names (native function calling), then answer with its result.
    static let router = RoleRouter(executor: { request in
        if let result = request.toolResults.last { return .text("Answer from the tool: \(result.prefix(120))") }
        let task = request.currentTask
        let tool = ["lookup", "fail", "slow", "big", "die", "has_env", "noisy"].first { task.contains($0) } ?? "lookup"
        let arguments = tool == "lookup" ? #"{"city": "Paris"}"# : tool == "has_env" ? #"{"name": "ROMA_TEST_SECRET"}"# : "{}"
        return .toolCalls([MockToolCall(tool, arguments: arguments)])
    })

    static func options(_ out: URL, mock: URL, recording: RecordingMode, force: Bool = false) -> RunOptions {
        let provider = ProviderSettings(name: "openai", baseURL: mock.absoluteString, timeout: .seconds(30))
        let environment = ["ROMA_TEST_SECRET": secret, "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"]
        return RunOptions(out: out, concurrency: 2, recording: recording, provider: provider, force: force, environment: environment)
    }

    @Test("tools that succeed, fail, time out, return 1 MB and write noise; recorded, then replayed offline byte for byte with no server")
    func recordAndReplay() async throws {
        let tmp = try TemporaryFolder()
        let manifest = try Fixtures.manifest(
            yaml: Self.yaml(
                goals: """
                      - { id: ok, goal: "Call lookup for Paris" }
                      - { id: failing, goal: "Call fail" }
                      - { id: slow, goal: "Call slow" }
                      - { id: big, goal: "Call big" }
                      - { id: env, goal: "Call has_env" }
                      - { id: noisy, goal: "Call noisy" }
                    """), file: "mcptools.yaml")
        let events = EventLog()
        let (outcomes, stopped) = try await MockOpenAIServer.withServer(Self.router.script) { server in
            let runner = BatchRunner(options: Self.options(tmp.url, mock: server.baseURL, recording: .record))
            return (try await runner.run([manifest]) { events.append($0) }, server.baseURL)
        }
        #expect(outcomes.allSatisfy { $0.status == .completed && $0.toolCalls == 1 }, "\(outcomes.map { $0.error ?? "" })")
        #expect(MCPFixture.runningServers().isEmpty, "the run left its MCP server running")

        let tree = ResultsTree(out: tmp.url, manifestName: manifest.name)
        func text(_ goal: String, _ file: String) -> String { String(decoding: tree.read(goal, file) ?? Data(), as: UTF8.self) }
        #expect(text("ok", ResultsTree.File.result).contains("weather in Paris: sunny"))
        #expect(text("ok", ResultsTree.File.result).contains("## Sources"))
        #expect(text("ok", ResultsTree.File.dag).contains(#""tool_calls""#))
        #expect(text("failing", ResultsTree.File.calls).contains("lookup failed: no reason"))
        #expect(text("slow", ResultsTree.File.calls).contains("did not answer within 5.0 seconds"))
        #expect(text("big", ResultsTree.File.calls).contains("[… cut: the tool returned 1048576 characters"))
        #expect(text("env", ResultsTree.File.result).contains("Answer from the tool: set"))
        // Stray lines on a server's stdout are skipped, and its stderr (1 MB here) fills no pipe.
        #expect(text("noisy", ResultsTree.File.result).contains("Answer from the tool: quiet now"))

        // No secret anywhere: not in the tree, not in the events.
        for (path, (data, _)) in Fixtures.snapshot(tmp.url) {
            #expect(!String(decoding: data, as: UTF8.self).contains(Self.secret), "\(path) holds the secret")
        }
        #expect(!events.all.contains { "\($0)".contains(Self.secret) })

        // Replay: the model's server stopped, no MCP server started (offline never starts one).
        let before = Fixtures.snapshot(tmp.url)
        let replay = try await BatchRunner(options: Self.options(tmp.url, mock: stopped, recording: .offline, force: true)).run([manifest])
        #expect(replay.allSatisfy { $0.status == .completed && $0.written }, "\(replay.map { $0.error ?? "" })")
        #expect(MCPFixture.runningServers().isEmpty)
        let after = Fixtures.snapshot(tmp.url)
        #expect(Set(after.keys) == Set(before.keys))
        for (path, (data, _)) in before { #expect(after[path]?.0 == data, "\(path) differs after the offline replay") }

        // A tool result recorded for other arguments is a miss (never a stale hit), and
        // `roma plan --offline` names it.
        let path = tree.goalFolder("ok").appendingPathComponent(ResultsTree.File.calls)
        let lines = text("ok", ResultsTree.File.calls).split(separator: "\n").map { line -> String in
            guard let record = ToolCallRecord(line: Array(line.utf8)) else { return String(line) }
            let other = ToolCallRecord.key(server: "test", tool: "lookup", arguments: .object(["city": .string("Lyon")]), sample: 0)
            return line.replacingOccurrences(of: record.key, with: other)
        }
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: path)
        let plans = try await BatchRunner(options: Self.options(tmp.url, mock: stopped, recording: .offline, force: true)).plan([manifest])
        let miss = plans.first { $0.goal == "ok" }?.replayMiss ?? ""
        #expect(miss.contains("tool test.lookup with these arguments"), "\(miss)")
    }

    @Test("a server that dies mid-call, or will not start, is a clear error naming it; nothing is left running")
    func serverFailures() async throws {
        let tmp = try TemporaryFolder()
        let dying = try Fixtures.manifest(yaml: Self.yaml(goals: "  - { id: dies, goal: \"Call die\" }"), file: "mcptools.yaml")
        let broken = try Fixtures.manifest(
            yaml: Self.yaml(goals: "  - { id: nostart, goal: \"Call lookup\" }").replacingOccurrences(
                of: MCPFixture.script, with: "/nonexistent/server.py"
            ).replacingOccurrences(of: "name: mcptools", with: "name: broken"), file: "broken.yaml")
        let outcomes = try await MockOpenAIServer.withServer(Self.router.script) { server in
            try await BatchRunner(options: Self.options(tmp.url, mock: server.baseURL, recording: .record)).run([dying, broken])
        }
        let dies = try #require(outcomes.first { $0.goal == "dies" })
        #expect(dies.status == .failed)
        #expect(dies.error?.contains("the tool server 'test' exited (status 3) during a call to die") == true, "\(dies.error ?? "")")
        let nostart = try #require(outcomes.first { $0.goal == "nostart" })
        #expect(nostart.status == .failed)
        #expect(nostart.error?.contains("the tool server 'test' exited with status") == true, "\(nostart.error ?? "")")
        #expect(MCPFixture.runningServers().isEmpty)
    }
}

extension MCPToolTests {
    @Test("a streamable-HTTP server, its header's value read from the variable named, never written")
    func streamableHTTP() async throws {
        let token = "tok-\(UUID().uuidString)"
        let server = try await HTTPTestServer(python: try #require(MCPFixture.python), token: token)
        defer { server.stop() }
        let tmp = try TemporaryFolder()
        let yaml = """
            name: mcphttp
            defaults: { max_depth: 1, tools: [test.lookup] }
            profiles: { general: mock-model }
            tools:
              test:
                url: http://127.0.0.1:\(server.port)/mcp
                headers_env: { Authorization: ROMA_TEST_AUTH }
            goals:
              - { id: ok, goal: "Call lookup for Paris" }
            """
        let manifest = try Fixtures.manifest(yaml: yaml, file: "mcphttp.yaml")
        let events = EventLog()
        let outcomes = try await MockOpenAIServer.withServer(Self.router.script) { mock in
            var options = Self.options(tmp.url, mock: mock.baseURL, recording: .record)
            options.environment["ROMA_TEST_AUTH"] = "Bearer \(token)"
            return try await BatchRunner(options: options).run([manifest]) { events.append($0) }
        }
        #expect(outcomes.first?.status == .completed, "\(outcomes.first?.error ?? "")")
        let tree = ResultsTree(out: tmp.url, manifestName: manifest.name)
        let result = String(decoding: tree.read("ok", ResultsTree.File.result) ?? Data(), as: UTF8.self)
        #expect(result.contains("weather in Paris: sunny"))
        // Only the allowed tool was offered.
        let calls = String(decoding: tree.read("ok", ResultsTree.File.calls) ?? Data(), as: UTF8.self)
        #expect(calls.contains(#""name":"lookup""#) && !calls.contains(#""name":"big""#))
        for (path, (data, _)) in Fixtures.snapshot(tmp.url) {
            #expect(!String(decoding: data, as: UTF8.self).contains(token), "\(path) holds the header's value")
        }
        #expect(!events.all.contains { "\($0)".contains(token) })
    }

    @Test("a goal cancelled while it starts a server hands the start to a goal waiting for it")
    func cancelledStarterHandsOver() async throws {
        let (observed, sink) = AsyncStream.makeStream(of: String.self)
        let server = ToolServer(
            name: "test", transport: .stdio(command: [MCPFixture.python ?? "python3", MCPFixture.script], environment: []))
        let hub = MCPToolHub(
            servers: ["test": server], environment: ProcessInfo.processInfo.environment, startTimeout: .seconds(60),
            observe: { sink.yield($0) })
        var events = observed.makeAsyncIterator()
        let first = Task { try await hub.definitions(for: [ToolReference("test")]) }
        #expect(await events.next() == "starting test")
        let second = Task { try await hub.definitions(for: [ToolReference("test")]) }
        #expect(await events.next() == "waiting test")
        first.cancel()
        await #expect(throws: (any Error).self) { try await first.value }
        // The waiter started the server itself, and got its tools.
        #expect(await events.next() == "starting test")
        let tools = try await second.value
        #expect(tools.contains { $0.tool == "lookup" })
        await hub.shutdown()
        #expect(MCPFixture.liveServers().isEmpty)
    }

    @Test("a run cancelled while a tool call is in flight stops its server: no orphan process")
    func cancelledRun() async throws {
        let tmp = try TemporaryFolder()
        let manifest = try Fixtures.manifest(
            yaml: Self.yaml(goals: "  - { id: slow, goal: \"Call slow\" }").replacingOccurrences(
                of: "tool_timeout_seconds: 5", with: "tool_timeout_seconds: 600"), file: "mcptools.yaml")
        let outcomes = try await MockOpenAIServer.withServer(Self.router.script) { mock in
            let runner = BatchRunner(options: Self.options(tmp.url, mock: mock.baseURL, recording: .record))
            let (asked, sink) = AsyncStream.makeStream(of: Void.self)
            let run = Task {
                try await runner.run([manifest]) { event in
                    // The executor's first answer asks for the tool: the call starts right after it.
                    if case .engine(_, _, .call(_, "execute", _, _, _, _)) = event { sink.yield() }
                }
            }
            var iterator = asked.makeAsyncIterator()
            _ = await iterator.next()
            run.cancel()
            return try await run.value
        }
        #expect(outcomes.first?.status == .cancelled, "\(outcomes.first.map { "\($0.status)" } ?? "")")
        #expect(MCPFixture.runningServers().isEmpty, "the cancelled run left its MCP server running")
    }
}

extension MCPToolTests {
    @Test(
        "Ctrl-C (once: the orderly stop; twice: exit at once) on `roma run` while a tool call is in flight: exit 130, no server left",
        arguments: [1, 2])
    func interruptedCommand(signals: Int) async throws {
        let tmp = try TemporaryFolder()
        let file = tmp.url.appendingPathComponent("mcptools.yaml")
        try Self.yaml(goals: "  - { id: slow, goal: \"Call slow\" }").replacingOccurrences(
            of: "tool_timeout_seconds: 5", with: "tool_timeout_seconds: 600"
        ).write(to: file, atomically: true, encoding: .utf8)
        let (asked, sink) = AsyncStream.makeStream(of: Void.self)
        let router = RoleRouter(executor: { request in
            if let result = request.toolResults.last { return .text("Answer from the tool: \(result.prefix(120))") }
            // The server is running (its tools were listed before this call); the tool call follows this answer.
            sink.yield()
            return .toolCalls([MockToolCall("slow", arguments: "{}")])
        })
        let (status, errors) = try await MockOpenAIServer.withServer(router.script) { mock in
            let process = Process()
            process.executableURL = Fixtures.romaBinary
            process.arguments = [
                "run", file.path, "--provider", "openai", "--base-url", mock.baseURL.absoluteString, "--out",
                tmp.url.appendingPathComponent("out").path,
            ]
            process.environment = [
                "NO_COLOR": "1", "ROMA_TEST_SECRET": Self.secret, "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
            ]
            let stderr = Pipe()
            process.standardError = stderr
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            var iterator = asked.makeAsyncIterator()
            _ = await iterator.next()
            #expect(!MCPFixture.runningServers().isEmpty, "the MCP server is not running during the call")
            for _ in 0..<signals { kill(process.processIdentifier, SIGINT) }
            // Read and wait off the cooperative pool: the mock answers on it while the child runs.
            return await withCheckedContinuation { continuation in
                DispatchQueue.global().async {
                    let errors = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                    process.waitUntilExit()
                    continuation.resume(returning: (process.terminationStatus, errors))
                }
            }
        }
        #expect(status == 130, "\(errors)")
        #expect(MCPFixture.liveServers().isEmpty, "the interrupted run left its MCP server running")
    }
}

extension MCPToolTests {
    @Test("roma serve --config runs executions with the file's tools (a remote run shows the calls); stopping it stops them")
    func serveWithConfig() async throws {
        let tmp = try TemporaryFolder()
        let config = tmp.url.appendingPathComponent("server.yaml")
        try """
        tools:
          test:
            command: [\(MCPFixture.python ?? "python3"), \(MCPFixture.script)]
        defaults: { tools: [test.lookup] }
        profiles: { general: mock-model }
        engine: { max_tool_calls: 2, tool_timeout_seconds: 30, tool_choice: auto, tool_arguments: all }
        """.write(to: config, atomically: true, encoding: .utf8)
        let manifest = tmp.url.appendingPathComponent("remote.yaml")
        try "name: remote\ndefaults: { max_depth: 1 }\ngoals:\n  - { id: ok, goal: \"Call lookup for Paris\" }\n".write(
            to: manifest, atomically: true, encoding: .utf8)
        let db = tmp.url.appendingPathComponent("serve.sqlite").path
        let key = try runRoma(["serve", "keys", "create", "--db", db]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(!key.isEmpty)

        let result = try await MockOpenAIServer.withServer(Self.router.script) { mock in
            let serve = Process()
            serve.executableURL = Fixtures.romaBinary
            serve.arguments = [
                "serve", "--port", "0", "--db", db, "--config", config.path, "--provider", "openai", "--base-url",
                mock.baseURL.absoluteString,
            ]
            serve.environment = ["LOG_LEVEL": "notice", "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"]
            let log = Pipe()
            serve.standardError = log
            serve.standardOutput = FileHandle.nullDevice
            try serve.run()
            defer { if serve.isRunning { serve.terminate() } }
            // Its log's "listening" line names the port; the rest of the log is drained.
            let port: Int? = await withCheckedContinuation { continuation in
                DispatchQueue.global().async {
                    var text = ""
                    var resumed = false
                    while case let chunk = log.fileHandleForReading.availableData, !chunk.isEmpty {
                        text += String(decoding: chunk, as: UTF8.self)
                        if !resumed, let range = text.range(of: #"address=http://127\.0\.0\.1:[0-9]+"#, options: .regularExpression) {
                            resumed = true
                            continuation.resume(returning: Int(text[range].split(separator: ":").last ?? ""))
                        }
                    }
                    if !resumed { continuation.resume(returning: nil) }
                }
            }
            let listening = try #require(port, "roma serve did not start")
            let run = try await runRomaDetached(
                ["run", manifest.path, "--mode", "remote", "--out", tmp.url.appendingPathComponent("out").path],
                environment: ["ROMA_BASE_URL": "http://127.0.0.1:\(listening)", "ROMA_API_KEY": key])
            #expect(MCPFixture.runningServers().count == 1, "the server's MCP server is not running")
            serve.terminate()
            await withCheckedContinuation { continuation in
                DispatchQueue.global().async {
                    serve.waitUntilExit()
                    continuation.resume()
                }
            }
            return run
        }
        #expect(result.status == 0, "\(result.stderr)")
        let tree = ResultsTree(out: tmp.url.appendingPathComponent("out"), manifestName: "remote")
        let dag = String(decoding: tree.read("ok", ResultsTree.File.dag) ?? Data(), as: UTF8.self)
        #expect(dag.contains(#""tool_calls""#) && dag.contains(#""tool" : "lookup""#), "\(dag)")
        let answer = String(decoding: tree.read("ok", ResultsTree.File.result) ?? Data(), as: UTF8.self)
        #expect(answer.contains("weather in Paris: sunny"), "\(answer)")
        #expect(MCPFixture.runningServers().isEmpty, "roma serve left its MCP server running")
    }
}

/// Collects batch events.
final class EventLog: @unchecked Sendable {
    private let lock = NSLock()
    private var events: [BatchEvent] = []
    var all: [BatchEvent] { lock.withLock { events } }
    func append(_ event: BatchEvent) { lock.withLock { events.append(event) } }
}

/// The test server over streamable HTTP, started by a test and stopped when it ends.
final class HTTPTestServer: @unchecked Sendable {
    let process = Process()
    let port: Int

    /// Starts it with `token` as the bearer token it requires; returns once it listens.
    init(python: String, token: String) async throws {
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [MCPFixture.script, "--http", "0"]
        process.environment = ["ROMA_TEST_TOKEN": token, "PATH": "/usr/bin:/bin"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Its first line says where it listens; read off the cooperative pool (a blocking read).
        let reading = output.fileHandleForReading
        let port = await withCheckedContinuation { (continuation: CheckedContinuation<Int, Never>) in
            DispatchQueue.global().async {
                var text = ""
                while !text.contains("\n") {
                    let data = reading.availableData
                    if data.isEmpty { break }
                    text += String(decoding: data, as: UTF8.self)
                }
                let line = text.split(separator: "\n").first { $0.hasPrefix("ready ") }
                continuation.resume(returning: line.flatMap { Int($0.dropFirst(6)) } ?? 0)
            }
        }
        guard port > 0 else { throw FixtureError(message: "the HTTP test server did not start") }
        self.port = port
    }

    func stop() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}
