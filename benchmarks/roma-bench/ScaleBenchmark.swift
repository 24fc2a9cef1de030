import Foundation
import ROMACore
import ROMAEngine
import ROMARunner
import ROMATestSupport

/// A 10,000-goal batch through the mock OpenAI-compatible server at 20 ms per call: its makespan
/// against the batch's critical-path bound, its peak memory, and the whole process's CPU per
/// model call. `ROMA_BENCH_SCALE_LATENCY_MS` sets another latency, to see what the runner's
/// idle waits between answers cost (README, "What the waits cost").
///
/// The mock runs in a child process (`roma-bench scale-mock-server`), so the CPU and memory
/// measured are the runner's alone: HTTP client, JSON, engine, results tree and fsync, as in a
/// `roma run` against a remote provider.
enum ScaleBenchmark {
    static let environment = ProcessInfo.processInfo.environment
    /// The mock's latency per call (`ROMA_BENCH_SCALE_LATENCY_MS`, milliseconds from 0 to 60,000; 20
    /// unless set); exits with one line and 64 for a value that is not a number of milliseconds.
    static let latency: Duration = {
        guard let text = environment["ROMA_BENCH_SCALE_LATENCY_MS"] else { return .milliseconds(20) }
        guard let milliseconds = Double(text), milliseconds >= 0, milliseconds <= 60_000 else {
            FileHandle.standardError.write(
                Data("scale: ROMA_BENCH_SCALE_LATENCY_MS must be a number of milliseconds from 0 to 60000, not '\(text)'\n".utf8))
            exit(64)
        }
        return .microseconds(Int((milliseconds * 1000).rounded()))
    }()
    /// Goals of the measured batch (`ROMA_BENCH_SCALE_GOALS` sets fewer, for profiling).
    static let goals = environment["ROMA_BENCH_SCALE_GOALS"].flatMap(Int.init) ?? 10_000
    /// Goals of the smaller batch run first, so the peak RSS of both shows whether memory grows with the batch.
    static let warmGoals = goals / 10
    /// `--concurrency` and `--llm-concurrency` of the runs.
    static let concurrency = 32
    static let llmConcurrency = 32
    /// The manifest's `max_depth` (`ROMA_BENCH_SCALE_DEPTH`): 1, the offline model's plans one
    /// level deep (~6 calls per goal); 2 plans the subtasks again (~15 calls per goal).
    static let depth = environment["ROMA_BENCH_SCALE_DEPTH"].flatMap(Int.init) ?? 1

    /// The lower bound of a batch's makespan at the configured concurrency, given every goal's
    /// critical path (its longest chain of calls that must follow one another) and its call count.
    /// No schedule beats any of: all calls spread over `llmConcurrency` slots; every goal's
    /// critical path spread over `concurrency` goal slots (a goal holds its slot at least that
    /// long); the longest single critical path.
    struct Bound {
        var totalCalls: Int
        var criticalPathCalls: Int
        var longestCriticalPath: Int

        func seconds(latency: Duration, concurrency: Int, llmConcurrency: Int) -> Double {
            let call = latency / .seconds(1)
            return max(
                Double(totalCalls) * call / Double(llmConcurrency), Double(criticalPathCalls) * call / Double(concurrency),
                Double(longestCriticalPath) * call)
        }
    }

    static func run() async throws {
        _ = (mockKind, latency)  // a bad setting stops the run before anything starts
        let root = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("roma-bench-scale-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let mock = try MockProcess.start()
        defer { mock.stop() }

        // A smaller batch first: the peak RSS after it and after the big batch show whether memory grows with goals.
        _ = try await batch(goals: warmGoals, out: root.appendingPathComponent("warm"), mock: mock)
        let warmRSS = peakRSSMiB()
        let measured = try await batch(goals: goals, out: root.appendingPathComponent("scale"), mock: mock)
        let bigRSS = peakRSSMiB()

        let bound = try criticalPathBound(tree: ResultsTree(out: root.appendingPathComponent("scale"), manifestName: "scale"), goals: goals)
        let ideal = bound.seconds(latency: latency, concurrency: concurrency, llmConcurrency: llmConcurrency)
        let calls = bound.totalCalls
        let call = "\(latency / .milliseconds(1)) ms"
        print(
            "scale: \(goals) goals, \(calls) LLM calls through the mock server (child process, \(call)/call), "
                + "--concurrency \(concurrency) --llm-concurrency \(llmConcurrency), max_depth \(depth), mock \(mockKind.rawValue), "
                + "ROMA_FSYNC=\(environment["ROMA_FSYNC"] ?? "unset") (each-file: an fsync per file; unset: one syncfs per goal folder on ext4)"
        )
        print(
            String(
                format:
                    "scale: bound = max(calls %d × %@ / %d, Σ critical paths %d × %@ / %d, longest critical path %d × %@) = %.2f s",
                calls, call, llmConcurrency, bound.criticalPathCalls, call, concurrency, bound.longestCriticalPath, call, ideal))
        if ideal > 0 {
            print(String(format: "scale: makespan %.2f s = %.3f × the bound (target ≤ 1.30)", measured.seconds, measured.seconds / ideal))
        } else {
            print(String(format: "scale: makespan %.2f s (no bound at 0 ms per call)", measured.seconds))
        }
        print(
            String(
                format:
                    "scale: CPU (user+sys) of the whole process %.2f s = %.3f ms per model call (target ≤ 0.25): user %.3f ms, system %.3f ms; load average %@",
                measured.cpu, measured.cpu * 1000 / Double(calls), measured.user * 1000 / Double(calls),
                measured.system * 1000 / Double(calls), loadAverage()))
        let mockPerCall = measured.mockCPU.map { String(format: "%.3f ms", $0 * 1000 / Double(calls)) } ?? "unknown"
        print(
            String(
                format:
                    "scale: the mock server's CPU (%@, the child process, not counted above) %@ per call; the runner's context switches per call: %.2f voluntary, %.2f involuntary",
                mockKind.rawValue, mockPerCall, Double(measured.switches.voluntary) / Double(calls),
                Double(measured.switches.involuntary) / Double(calls)))
        print("scale: peak RSS \(warmRSS) MiB after \(warmGoals) goals, \(bigRSS) MiB after \(goals) goals")
    }

    struct Measurement {
        var seconds: Double
        var user: Double
        var system: Double
        var cpu: Double { user + system }
        /// The mock server's user+sys CPU seconds meanwhile (nil if its `/proc` entry could not be read).
        var mockCPU: Double?
        var switches: (voluntary: Int, involuntary: Int)
    }

    static func batch(goals: Int, out: URL, mock: MockProcess) async throws -> Measurement {
        var yaml = "name: scale\ndefaults: { max_depth: \(depth), config_profile: fast }\ngoals:\n"
        for i in 0..<goals { yaml += "  - { id: g\(i), goal: \"Summarise the main arguments about topic \(i) for a briefing note\" }\n" }
        let (loaded, diagnostics) = ManifestLoader(environment: [:]).load(bytes: Array(yaml.utf8), file: "scale.yaml")
        guard let manifest = loaded else { throw BenchmarkError(message: "\(diagnostics.map(\.headline))") }
        let options = RunOptions(
            out: out, concurrency: concurrency, llmConcurrency: llmConcurrency,
            provider: ProviderSettings(name: "openai", baseURL: mock.baseURL), environment: [:])
        // getrusage(RUSAGE_SELF): this process's threads only; the mock's child process is not counted.
        let cpuBefore = processCPUTimes()
        let switchesBefore = contextSwitches()
        let mockBefore = mock.cpuSeconds()
        let start = ContinuousClock.now
        let outcomes = try await BatchRunner(options: options).run([manifest])
        let seconds = (ContinuousClock.now - start) / .seconds(1)
        let cpuAfter = processCPUTimes()
        let switchesAfter = contextSwitches()
        let mockAfter = mock.cpuSeconds()
        guard outcomes.count == goals, outcomes.allSatisfy({ $0.status == .completed }) else {
            throw BenchmarkError(message: "scale: \(outcomes.filter { $0.status != .completed }.count) goals did not complete")
        }
        return Measurement(
            seconds: seconds, user: cpuAfter.user - cpuBefore.user, system: cpuAfter.system - cpuBefore.system,
            mockCPU: mockBefore.flatMap { before in mockAfter.map { $0 - before } },
            switches: (switchesAfter.voluntary - switchesBefore.voluntary, switchesAfter.involuntary - switchesBefore.involuntary))
    }

    /// Reads every goal's `dag.json` (after the run, outside the timing).
    static func criticalPathBound(tree: ResultsTree, goals: Int) throws -> Bound {
        var bound = Bound(totalCalls: 0, criticalPathCalls: 0, longestCriticalPath: 0)
        for i in 0..<goals {
            let data = try Data(contentsOf: tree.goalFolder("g\(i)").appendingPathComponent("dag.json"))
            let dag = try CanonicalJSON.decode(DAGResponse.self, from: data).dag
            let path = EngineBenchmark.criticalPathCalls(dag)
            bound.totalCalls += dag.nodes.reduce(0) { $0 + $1.llmCalls }
            bound.criticalPathCalls += path
            bound.longestCriticalPath = max(bound.longestCriticalPath, path)
        }
        return bound
    }

    static func loadAverage() -> String {
        ((try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? "?").split(separator: " ").prefix(3).joined(separator: " ")
    }

    // MARK: The mock server's process

    /// The child process serving the mock OpenAI API: it prints its base URL and serves until its standard input closes.
    struct MockProcess {
        var process: Process
        var input: Pipe
        var baseURL: String

        static func start() throws -> MockProcess {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
            process.arguments = ["scale-mock-server"]
            let input = Pipe()
            let output = Pipe()
            process.standardInput = input
            process.standardOutput = output
            try process.run()
            var line = Data()
            while !line.contains(UInt8(ascii: "\n")) {
                let chunk = output.fileHandleForReading.availableData
                guard !chunk.isEmpty else { throw BenchmarkError(message: "scale: the mock server process did not start") }
                line.append(chunk)
            }
            let url = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            return MockProcess(process: process, input: input, baseURL: url)
        }

        /// The child's user+sys CPU seconds so far (`/proc/<pid>/stat`; nil where it cannot be read).
        func cpuSeconds() -> Double? {
            guard let stat = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/stat", encoding: .utf8),
                let end = stat.lastIndex(of: ")")
            else { return nil }
            // After the command name: state is field 3, utime and stime fields 14 and 15.
            let fields = stat[stat.index(after: end)...].split(separator: " ")
            guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
            return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
        }

        func stop() {
            try? input.fileHandleForWriting.close()
            process.waitUntilExit()
        }
    }

    /// The servers the child process can run (`ROMA_BENCH_SCALE_MOCK`).
    enum MockKind: String {
        /// `OfflineModelServer`: one event loop and a timer per request (the default).
        case nio
        /// The tests' `MockOpenAIServer`, which used more CPU than the runner it served (kept for comparison).
        case hummingbird
    }

    /// The server the child process runs; exits with one line and 64 for a name that is none.
    static let mockKind: MockKind = {
        let name = environment["ROMA_BENCH_SCALE_MOCK"] ?? MockKind.nio.rawValue
        guard let kind = MockKind(rawValue: name) else {
            FileHandle.standardError.write(Data("scale: ROMA_BENCH_SCALE_MOCK must be nio or hummingbird, not '\(name)'\n".utf8))
            exit(64)
        }
        return kind
    }()

    /// `roma-bench scale-mock-server`: the mock answering as the offline model after `latency`.
    static func serveMock() async throws {
        if mockKind == .nio {
            let server = try OfflineModelServer.start(latency: latency)
            FileHandle.standardOutput.write(Data((server.baseURL.absoluteString + "\n").utf8))
            _ = FileHandle.standardInput.readDataToEndOfFile()
            server.stop()
            return
        }
        try await MockOpenAIServer.withServer(latency: latency, MockOpenAIServer.offlineModel) { server in
            FileHandle.standardOutput.write(Data((server.baseURL.absoluteString + "\n").utf8))
            await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
                Thread.detachNewThread {
                    _ = FileHandle.standardInput.readDataToEndOfFile()
                    done.resume()
                }
            }
        }
    }
}
