import ArgumentParser
import Foundation
import ROMACore
import ROMAEngine
import ROMARunner

extension Roma {
    /// `roma run`: run manifests and write results trees.
    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Run every goal of the manifests and write the results tree.")

        @OptionGroup var settings: RunSettings

        func run() async throws {
            let manifests = try settings.loadManifests()
            let environment = ProcessInfo.processInfo.environment
            var options = try settings.options(for: manifests, environment: environment)
            try await TraceExport.around(environment) { tracing in
                options.engine.tracing = tracing
                try await run(manifests, options: options)
            }
        }

        private func run(_ manifests: [Manifest], options: RunOptions) async throws {
            if options.provider.name == "openai", options.recording != .offline, options.mode == .local,
                (options.provider.apiKey ?? "").isEmpty, options.provider.baseURL.contains("api.openai.com")
            {
                Terminal.standardError.write(
                    "error: the openai provider needs a key: set OPENAI_API_KEY (or engine.api_key_env), point --base-url at a local server, or use --provider offline\n"
                )
                throw ExitStatus.usage
            }
            if options.mode == .remote, options.remote.apiKey.isEmpty {
                Terminal.standardError.write(
                    "error: remote mode needs a key: set ROMA_API_KEY (and ROMA_BASE_URL for a server other than the hosted API)\n")
                throw ExitStatus.usage
            }
            Terminal.redactor = options.redactor
            let reporter = ProgressReporter(style: settings.json ? .json : (Terminal.standardError.isInteractive ? .live : .plain))
            let runner = BatchRunner(options: options)
            let outcomes: [GoalOutcome]
            let interrupted = InterruptFlag()
            do {
                outcomes = try await SignalTrap.cancellingOnSignals(interrupted) {
                    try await runner.run(manifests, command: CommandLine.arguments.joined(separator: " ")) { reporter.handle($0) }
                }
            } catch let locked as TreeLock.Locked {
                Terminal.standardError.write("error: \(locked)\n")
                throw ExitStatus.locked
            } catch let stopped as RunStopped {
                reporter.finish(outcomes: stopped.outcomes, out: options.out, manifests: manifests, interrupted: interrupted.isSet)
                Terminal.standardError.write("error: \(stopped)\n")
                throw ExitStatus.of(stopped.cause)
            } catch let error as ResultsTreeError {
                Terminal.standardError.write("error: \(error)\n")
                throw ExitStatus.of(error)
            }
            reporter.finish(outcomes: outcomes, out: options.out, manifests: manifests, interrupted: interrupted.isSet)
            for manifest in manifests {
                let tree = ResultsTree(out: options.out, manifestName: manifest.name)
                for folder in tree.foldersNotIn(manifest) {
                    Terminal.standardError.write(
                        "note: \(tree.goalFolder(folder).path): no longer in the manifest; kept as it is (index.md lists it)\n")
                }
            }
            throw ExitCode(Self.exitCode(outcomes, interrupted: interrupted.isSet))
        }

        static func exitCode(_ outcomes: [GoalOutcome], interrupted: Bool) -> Int32 {
            if interrupted { return ExitStatus.interrupted.rawValue }
            let failed = outcomes.filter { $0.status == .failed || $0.status == .cancelled }
            if failed.contains(where: { !$0.temporary }) { return ExitStatus.someFailed.rawValue }
            if !failed.isEmpty || outcomes.contains(where: { $0.status == .deferred }) { return ExitStatus.temporary.rawValue }
            return 0
        }
    }
}
