import Foundation
import ROMACore
import ROMAEngine
import ROMARunner

/// Batch runner figures: 1,000 goals with the offline provider; replay vs record of 100 goals
/// against a model with 20 ms of latency per call.
enum RunnerBenchmark {
    static func manifest(goals: Int, name: String) throws -> Manifest {
        var yaml = "name: \(name)\ndefaults: { max_depth: 2, config_profile: fast }\ngoals:\n"
        for i in 0..<goals { yaml += "  - { id: g\(i), goal: \"Summarise the main arguments about topic \(i) for a briefing note\" }\n" }
        let (manifest, diagnostics) = ManifestLoader(environment: [:]).load(bytes: Array(yaml.utf8), file: "\(name).yaml")
        guard let manifest else { throw BenchmarkError(message: "\(diagnostics.map(\.headline))") }
        return manifest
    }

    static func run() async throws {
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

        // 100 goals: record against a 20 ms model, then replay offline.
        let m = try manifest(goals: 100, name: "hundred")
        let out = root.appendingPathComponent("hundred")
        let slow = DelayedModel(base: OfflineModel(), delay: .milliseconds(20))
        let recordOptions = RunOptions(out: out, concurrency: 8, llmConcurrency: 8, provider: ProviderSettings(name: "offline"), environment: [:])
        let recordStart = ContinuousClock.now
        _ = try await BatchRunner(options: recordOptions, providerModel: slow).run([m])
        let recordTime = (ContinuousClock.now - recordStart).seconds
        var replays: [Double] = []
        for _ in 0..<5 {
            var options = recordOptions
            options.recording = .offline
            options.force = true
            let start = ContinuousClock.now
            let outcomes = try await BatchRunner(options: options).run([m])
            replays.append((ContinuousClock.now - start).seconds)
            guard outcomes.allSatisfy({ $0.status == .completed }) else { throw BenchmarkError(message: "a replayed goal failed") }
        }
        let replay = median(replays)
        print("runner: 100 goals: record (20 ms/call, 8 calls in flight) \(format(recordTime)) s; replay --offline median \(format(replay)) s; speed-up \(format(recordTime / replay))x")
    }
}

/// A model that answers like its base after a fixed latency (a stand-in for a remote provider).
struct DelayedModel<Base: LanguageModel>: LanguageModel {
    var base: Base
    var delay: Duration
    var providerName: String { base.providerName }

    func complete(_ request: ChatRequest, context: CallContext) async throws -> ChatResponse {
        try await Task.sleep(for: delay)
        return try await base.complete(request, context: context)
    }
}

struct BenchmarkError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

func format(_ value: Double) -> String { String(format: "%.3f", value) }

func peakRSSMiB() -> Int { (peakRSSBytes() ?? 0) / (1024 * 1024) }

