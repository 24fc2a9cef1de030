import ArgumentParser
import Foundation
import ROMARunner

/// The `roma` command: batch runner for ROMA goals.
@main
struct Roma: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "roma",
        abstract: "Run YAML manifests of goals through the ROMA recursive decomposition engine.",
        discussion: """
            Exit codes: 0 all goals completed, 1 some goals failed, 64 bad usage, 65 invalid manifest,
            73 output tree locked by another run, 74 I/O error (writing the tree; roma serve: opening its database),
            75 temporary failure (re-run later), 130 interrupted.
            `roma diff` exits like diff: 0 no change, 1 changes, 2 trouble.
            """,
        subcommands: [Run.self, Validate.self, PlanCommand.self, Show.self, Diff.self, Status.self, Cancel.self, Serve.self]
    )

    static func main() async {
        do {
            var command = try parseAsRoot()
            // A `roma run` that waits on a provider or a ROMA API runs its tasks on the event loops
            // that carry its calls (see BatchExecutor), installed before any task starts; a
            // CPU-bound one (replayed, offline model) and the other commands keep Swift's pool.
            let environment = ProcessInfo.processInfo.environment
            if let run = command as? Run, run.settings.waitsOnTheNetwork(environment) {
                BatchExecutor.install(environment: environment)
            }
            if var command = command as? AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}
