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
        // `roma run`'s tasks run on the event loops that carry its model calls (see BatchExecutor);
        // installed before any task starts. The other commands keep Swift's own pool.
        if CommandLine.arguments.dropFirst().first == "run" {
            BatchExecutor.install(environment: ProcessInfo.processInfo.environment)
        }
        await main(nil)
    }
}
