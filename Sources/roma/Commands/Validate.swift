import ArgumentParser
import Foundation
import ROMACore

extension Roma {
    /// `roma validate`: check manifests and report every problem, compiler style.
    struct Validate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check manifests and report every error (exit 65 if any).")

        @Argument(help: "Manifest files or folders of manifests.")
        var manifests: [String]

        @Flag(help: "Print diagnostics as JSON (for editors and CI).")
        var json = false

        func run() throws {
            let outcome = ManifestLoader().load(paths: manifests)
            if json {
                let report = ValidationReport(outcome: outcome)
                FileHandle.standardOutput.write(try CanonicalJSON.encode(report))
            } else {
                for diagnostic in outcome.diagnostics {
                    Terminal.standardError.write(diagnostic.rendered() + "\n")
                }
                if !outcome.hasErrors {
                    for manifest in outcome.manifests {
                        print(ManifestSummary(manifest).line)
                    }
                } else {
                    let count = outcome.diagnostics.filter { $0.severity == .error }.count
                    Terminal.standardError.write(
                        "\(count) error\(count == 1 ? "" : "s") in \(outcome.files.count) manifest\(outcome.files.count == 1 ? "" : "s")\n")
                }
            }
            if outcome.hasErrors { throw ExitStatus.invalidManifest }
        }
    }
}

/// The JSON form of `roma validate --json`.
struct ValidationReport: Encodable {
    var ok: Bool
    var files: [String]
    var diagnostics: [Diagnostic]
    var manifests: [ManifestSummary]

    init(outcome: ManifestLoader.Outcome) {
        ok = !outcome.hasErrors
        files = outcome.files
        diagnostics = outcome.diagnostics
        manifests = outcome.hasErrors ? [] : outcome.manifests.map(ManifestSummary.init)
    }
}

/// One line about a valid manifest.
struct ManifestSummary: Encodable {
    var file: String
    var name: String
    var goals: Int
    var profiles: [String: Int]

    init(_ manifest: Manifest) {
        file = manifest.path
        name = manifest.name
        goals = manifest.goals.count
        var profiles: [String: Int] = [:]
        for goal in manifest.goals { profiles[goal.request.profile.rawValue, default: 0] += 1 }
        self.profiles = profiles
    }

    var line: String {
        let byProfile = profiles.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
        return "\(file): ok: \(name): \(goals) goal\(goals == 1 ? "" : "s") (\(byProfile))"
    }
}
