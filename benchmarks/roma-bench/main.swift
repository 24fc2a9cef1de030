// roma-bench: release-mode benchmarks; run with `benchmarks/run` (the README's Performance section reports the figures).
import Foundation

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
for name in selected {
    guard let suite = suites[name] else {
        FileHandle.standardError.write(Data("unknown benchmark '\(name)'; known: \(suites.keys.sorted().joined(separator: ", "))\n".utf8))
        exit(64)
    }
    try await suite()
}
