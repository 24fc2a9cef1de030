import ArgumentParser
import Foundation
import ROMAClient
import ROMACore
import ROMARunner

extension Roma {
    /// `roma status`: the remote executions a results tree has submitted and not yet written.
    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show the status of a results tree's remote executions (ROMA_BASE_URL, ROMA_API_KEY).")

        @Argument(help: "A manifest's results folder, e.g. results/nightly-research.")
        var path: String

        func run() async throws {
            let (tree, client) = try RemoteTree.open(path)
            let submissions = tree.submissions()
            if submissions.isEmpty { Terminal.standardOutput.line("\(path): no remote executions in flight") }
            for (goal, submission) in submissions.sorted(by: { $0.key < $1.key }) {
                do {
                    let status = try await client.status(submission.executionId).value
                    Terminal.standardOutput.line(
                        "\(goal): \(submission.executionId) \(status.status.rawValue) \(status.progress)%\(status.currentStep.map { " — \($0)" } ?? "")"
                    )
                } catch {
                    Terminal.standardOutput.line("\(goal): \(submission.executionId) unknown — \(error)")
                }
            }
        }
    }

    /// `roma cancel`: cancel a results tree's remote executions on the server.
    struct Cancel: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Cancel a results tree's in-flight remote executions (ROMA_BASE_URL, ROMA_API_KEY).")

        @Argument(help: "A manifest's results folder.")
        var path: String

        @Option(parsing: .upToNextOption, help: "Cancel only these goal ids.")
        var only: [String] = []

        func run() async throws {
            let (tree, client) = try RemoteTree.open(path)
            var failures = 0
            for (goal, submission) in tree.submissions().sorted(by: { $0.key < $1.key }) where only.isEmpty || only.contains(goal) {
                do {
                    _ = try await client.cancel(submission.executionId)
                    Terminal.standardOutput.line("\(goal): \(submission.executionId) cancelled")
                } catch {
                    failures += 1
                    Terminal.standardOutput.line("\(goal): \(submission.executionId) not cancelled — \(error)")
                }
            }
            if failures > 0 { throw ExitStatus.someFailed }
        }
    }
}

enum RemoteTree {
    static func open(_ path: String) throws -> (ResultsTree, ROMAAPIClient) {
        let environment = ProcessInfo.processInfo.environment
        let settings = RemoteSettings.fromEnvironment(environment)
        guard !settings.apiKey.isEmpty else {
            Terminal.standardError.write("error: set ROMA_API_KEY (and ROMA_BASE_URL) to reach the ROMA API\n")
            throw ExitStatus.usage
        }
        return (ResultsTree(root: URL(fileURLWithPath: path)), ROMAAPIClient(baseURL: settings.baseURL, apiKey: settings.apiKey))
    }
}
