import ArgumentParser
import Foundation
import ROMAClient
import ROMACore
import ROMAEngine
import ROMARunner

/// Options shared by `run` and `plan`: where results go and how goals are run.
struct RunSettings: ParsableArguments {
    @Argument(help: "Manifest files or folders of manifests.")
    var manifests: [String]

    @Option(help: "Results root; each manifest writes <out>/<manifest name>/.")
    var out: String = "results"

    @Option(help: "local (in-process engine) or remote (a ROMA API).")
    var mode: RunMode?

    @Option(help: "LLM provider for local runs: openai or offline.")
    var provider: String?

    @Option(help: "OpenAI-compatible API root (default: $OPENAI_BASE_URL, then https://api.openai.com/v1).")
    var baseURL: String?

    @Flag(help: "Call the provider for every call and store it (default).")
    var record = false

    @Flag(help: "Answer from recorded calls; call the provider on a miss.")
    var replay = false

    @Flag(help: "Answer from recorded calls only; a miss fails the goal. No network.")
    var offline = false

    @Option(help: "Goals in flight at once.")
    var concurrency: Int?

    @Option(help: "LLM calls in flight at once, across all goals.")
    var llmConcurrency: Int?

    @Option(parsing: .upToNextOption, help: "Run only these goal ids (a template's id selects all its goals).")
    var only: [String] = []

    @Flag(help: "Re-run goals even when their results are current.")
    var force = false

    @Option(help: "Run a stable slice I/N of the goals (0-based I), e.g. 0/4.")
    var shard: String?

    @Flag(help: "Print JSON Lines events instead of a progress display.")
    var json = false

    func validate() throws {
        if [record, replay, offline].filter({ $0 }).count > 1 {
            throw ValidationError("--record, --replay and --offline are exclusive")
        }
        if let provider, !EngineSettings.providers.contains(provider) {
            throw ValidationError("--provider must be one of \(EngineSettings.providers.joined(separator: ", "))")
        }
        if let shard, Shard(shard) == nil { throw ValidationError("--shard must be I/N with 0 <= I < N, e.g. 0/4") }
        if let concurrency, concurrency < 1 { throw ValidationError("--concurrency must be at least 1") }
        if let llmConcurrency, llmConcurrency < 1 { throw ValidationError("--llm-concurrency must be at least 1") }
    }

    var recordingMode: RecordingMode { offline ? .offline : replay ? .replay : .record }

    /// Options for the runner: flags win over the manifest's `engine:` section, which wins over the environment.
    func options(for manifests: [Manifest], environment: [String: String]) throws -> RunOptions {
        let engine = manifests.first?.engine ?? EngineSettings()
        let providerName = provider ?? engine.provider ?? environment["ROMA_PROVIDER"] ?? "openai"
        let keyVariable = engine.apiKeyEnv ?? "OPENAI_API_KEY"
        let settings = ProviderSettings(
            name: providerName,
            baseURL: baseURL ?? engine.baseURL ?? environment["OPENAI_BASE_URL"] ?? "https://api.openai.com/v1",
            apiKey: environment[keyVariable],
            timeout: .seconds(engine.timeoutSeconds ?? 120))
        let shardValue = shard.flatMap(Shard.init) ?? Shard.fromEnvironment(environment)
        return RunOptions(
            out: URL(fileURLWithPath: out), mode: mode ?? engine.mode ?? .local,
            concurrency: concurrency ?? engine.concurrency ?? 4, llmConcurrency: llmConcurrency ?? engine.llmConcurrency ?? 8,
            only: Self.selectedGoals(only, in: manifests), force: force, shard: shardValue, recording: recordingMode, provider: settings,
            environment: environment, remote: RemoteSettings.fromEnvironment(environment))
    }

    /// Loads and validates the manifests; prints diagnostics and exits 65 on any error.
    /// Whether the run's model calls wait on the network, as the command line and environment
    /// say: a recording run against a provider, or a remote run. `--offline` and `--replay` runs
    /// answer from recordings and the offline model answers at once: those are CPU-bound, and
    /// Swift's pool spreads them over every core (a manifest that names the offline provider in
    /// `engine.provider` is not looked at here: it runs on the event loops, correctly, more slowly).
    func waitsOnTheNetwork(_ environment: [String: String]) -> Bool {
        if offline || replay { return false }
        if mode == .remote { return true }
        return (provider ?? environment["ROMA_PROVIDER"]) != "offline"
    }

    func loadManifests() throws -> [Manifest] {
        let outcome = ManifestLoader().load(paths: manifests)
        for diagnostic in outcome.diagnostics { Terminal.standardError.write(diagnostic.rendered() + "\n") }
        if outcome.hasErrors { throw ExitStatus.invalidManifest }
        let unknown = outcome.manifests.reduce(Set(only)) { $0.intersection($1.goalIDs(selectedBy: only).unknown) }
        for id in only where unknown.contains(id) {
            Terminal.standardError.write("error: --only \(id): no goal or goal template has this id\n")
            throw ExitStatus.usage
        }
        return outcome.manifests
    }

    /// The goal ids `--only` selects: goal ids as given, template ids as all their goals.
    static func selectedGoals(_ only: [String], in manifests: [Manifest]) -> Set<String> {
        manifests.reduce(into: Set<String>()) { $0.formUnion($1.goalIDs(selectedBy: only).ids) }
    }
}

extension RunMode: ExpressibleByArgument {}

extension RemoteSettings {
    /// `ROMA_BASE_URL` (default the hosted API) and `ROMA_API_KEY`.
    static func fromEnvironment(_ environment: [String: String]) -> RemoteSettings {
        RemoteSettings(
            baseURL: environment["ROMA_BASE_URL"].flatMap { $0.isEmpty ? nil : $0 } ?? ROMAAPIClient.hostedBaseURL,
            apiKey: environment["ROMA_API_KEY"] ?? "")
    }
}
