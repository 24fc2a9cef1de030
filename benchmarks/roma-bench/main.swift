// roma-bench: release-mode benchmarks; run with `benchmarks/run` (the README's Performance section reports the figures).
import Foundation
import ROMARunner

let arguments = Array(CommandLine.arguments.dropFirst())
let suites: [String: () async throws -> Void] = [
    "manifest": ManifestBenchmark.run,
    "runner": RunnerBenchmark.run,
    "replay": RunnerBenchmark.replay,
    "engine": EngineBenchmark.run,
    "server": ServerBenchmark.run,
    "wrk": WrkBenchmark.run,
    "scale": ScaleBenchmark.run,
    // The mock server child process of `scale`, not a benchmark.
    "scale-mock-server": ScaleBenchmark.serveMock,
]
// `replay` is the second half of `runner`, runnable alone for profiling; `wrk` needs wrk installed.
let selected = arguments.isEmpty ? ["engine", "manifest", "runner", "server", "scale"] : arguments
// A scale run measures `roma run`, whose tasks run on the event loops (BatchExecutor); the mock's
// process keeps Swift's pool. The other suites keep Swift's pool, as their figures always did.
if selected == ["scale"] { BatchExecutor.install(environment: ProcessInfo.processInfo.environment) }
for name in selected {
    guard let suite = suites[name] else {
        FileHandle.standardError.write(Data("unknown benchmark '\(name)'; known: \(suites.keys.sorted().joined(separator: ", "))\n".utf8))
        exit(64)
    }
    try await suite()
}
