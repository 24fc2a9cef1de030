import ArgumentParser
import Foundation
import ROMACore
import ROMARunner

extension Roma {
    /// `roma diff`: what changed between two results trees, like `diff` (exit 0 same, 1 changed, 2 trouble).
    struct Diff: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show what changed between two results folders, or a folder and a git revision of it.",
            discussion: """
                Per goal: added, removed, renamed, status changed, answer changed (a short word diff), tokens and
                cost deltas. Timestamps, run times and execution ids are not compared. Markdown by default.
                Exit codes: 0 no change, 1 changes, 2 trouble (a missing folder or file, an unknown revision).
                """)

        @Argument(help: "OLD NEW (two results folders), or one folder with --since.")
        var folders: [String]

        @Option(help: "Compare the folder with itself at this git revision (e.g. HEAD, HEAD~1, a tag or a date: main@{yesterday}).")
        var since: String?

        @Flag(help: "Print the diff as one JSON document.")
        var json = false

        func validate() throws {
            if since != nil, folders.count != 1 { throw ValidationError("--since takes exactly one folder: roma diff DIR --since REV") }
            if since == nil, folders.count != 2 { throw ValidationError("give two folders (roma diff OLD NEW) or one with --since REV") }
        }

        func run() throws {
            do {
                let diff: ResultsDiff
                if let since {
                    let folder = URL(fileURLWithPath: folders[0])
                    let revision = try GitRevision(folder: folder, revision: since)
                    defer { revision.remove() }
                    let old = try ResultsSnapshot.read(revision.folder, label: "\(folders[0])@\(since)")
                    let new = try ResultsSnapshot.read(folder, label: folders[0])
                    diff = ResultsDiff(old: old, new: new, oldLabel: "\(folders[0])@\(since)", newLabel: folders[0])
                } else {
                    let old = try ResultsSnapshot.read(URL(fileURLWithPath: folders[0]), label: folders[0])
                    let new = try ResultsSnapshot.read(URL(fileURLWithPath: folders[1]), label: folders[1])
                    diff = ResultsDiff(old: old, new: new, oldLabel: folders[0], newLabel: folders[1])
                }
                if json {
                    Terminal.standardOutput.write(try diff.json())
                } else {
                    Terminal.standardOutput.write(diff.markdown)
                }
                throw ExitCode(diff.hasChanges ? 1 : 0)
            } catch let exit as ExitCode {
                throw exit
            } catch let error as DiffError {
                Terminal.standardError.write("error: \(error.message)\n")
                throw ExitCode(2)
            } catch {
                Terminal.standardError.write("error: cannot write the diff: \(error)\n")
                throw ExitCode(2)
            }
        }
    }
}
