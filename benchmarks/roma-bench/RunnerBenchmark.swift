import Foundation
import ROMACore
import ROMAEngine
import ROMARunner
import ROMATestSupport

/// Batch runner figures: 1,000 goals with the offline provider; replay vs record of 100 goals
/// against the mock OpenAI-compatible server with 20 ms of latency per call.
enum RunnerBenchmark {
    static func manifest(goals: Int, name: String) throws -> Manifest {
        var yaml = "name: \(name)\ndefaults: { max_depth: 2, config_profile: fast }\ngoals:\n"
        for i in 0..<goals { yaml += "  - { id: g\(i), goal: \"Summarise the main arguments about topic \(i) for a briefing note\" }\n" }
        let (manifest, diagnostics) = ManifestLoader(environment: [:]).load(bytes: Array(yaml.utf8), file: "\(name).yaml")
        guard let manifest else { throw BenchmarkError(message: "\(diagnostics.map(\.headline))") }
        return manifest
    }

    static func run() async throws {
        try await thousandOffline()
        try await replay()
    }

    static func thousandOffline() async throws {
        let root = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("roma-bench-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }

        // 1,000 goals, offline provider, default concurrency.
        var thousand: [Double] = []
        var calls = 0
        for trial in 0..<3 {
            let out = root.appendingPathComponent("thousand-\(trial)")
            let m = try manifest(goals: 1000, name: "thousand")
            let options = RunOptions(out: out, concurrency: 8, provider: ProviderSettings(name: "offline"), environment: [:])
            let start = ContinuousClock.now
            let outcomes = try await BatchRunner(options: options).run([m])
            thousand.append((ContinuousClock.now - start).seconds)
            guard outcomes.allSatisfy({ $0.status == .completed }) else { throw BenchmarkError(message: "a goal failed") }
            calls = Summary(manifest: m, tree: ResultsTree(out: out, manifestName: m.name)).goals.reduce(0) { $0 + $1.llmCalls }
        }
        print("runner: 1,000 goals offline: median \(format(median(thousand))) s (\(calls) LLM calls), peak RSS \(peakRSSMiB()) MiB")

    }

    static func replay() async throws {
        var recordTime = 0.0
        var recordedCalls = 0
        let root = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("roma-bench-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        // 100 goals: record against the mock OpenAI-compatible server answering after 20 ms
        // (with the offline provider's answers), then replay offline with the server stopped.
        let m = try manifest(goals: 100, name: "hundred")
        let out = root.appendingPathComponent("hundred")
        let recordOptions = try await MockOpenAIServer.withServer(latency: .milliseconds(20), MockOpenAIServer.offlineModel) { server in
            let options = RunOptions(
                out: out, concurrency: 8, llmConcurrency: 8,
                provider: ProviderSettings(name: "openai", baseURL: server.baseURL.absoluteString),
                environment: [:])
            let start = ContinuousClock.now
            let outcomes = try await BatchRunner(options: options).run([m])
            recordTime = (ContinuousClock.now - start).seconds
            guard outcomes.allSatisfy({ $0.status == .completed }) else { throw BenchmarkError(message: "a recorded goal failed") }
            recordedCalls = server.journal.count
            return options
        }
        var replays: [Double] = []
        var cpu: [Double] = []
        for _ in 0..<runs {
            let cpuBefore = processCPUSeconds()
            var options = recordOptions
            options.recording = .offline
            options.force = true
            let start = ContinuousClock.now
            let outcomes = try await BatchRunner(options: options).run([m])
            replays.append((ContinuousClock.now - start).seconds)
            cpu.append(processCPUSeconds() - cpuBefore)
            guard outcomes.allSatisfy({ $0.status == .completed && $0.written }) else {
                throw BenchmarkError(message: "a replayed goal failed")
            }
        }
        let replay = median(replays)
        print(
            "runner: 100 goals, \(recordedCalls) LLM calls: record against the mock server (20 ms/call, 8 goals and 8 calls in flight) \(format(recordTime)) s; "
                + "replay --offline --force: runs \(replays.map(format).joined(separator: ", ")) s, median \(format(replay)) s; speed-up \(format(recordTime / replay))x (target ≥ 50x)"
        )
        print(
            String(
                format: "runner: replay CPU (user+sys): median %.0f ms, %.0f µs per replayed call", median(cpu) * 1000,
                median(cpu) * 1e6 / Double(recordedCalls)))
    }

    /// Replay runs measured (the median is reported); `ROMA_BENCH_REPLAYS` sets more, for profiling.
    static let runs = ProcessInfo.processInfo.environment["ROMA_BENCH_REPLAYS"].flatMap(Int.init) ?? 7
}

struct BenchmarkError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

func format(_ value: Double) -> String { String(format: "%.3f", value) }

func peakRSSMiB() -> Int { (peakRSSBytes() ?? 0) / (1024 * 1024) }
