import Foundation

/// A results folder as it was at a git revision, checked out into a temporary folder for
/// `roma diff DIR --since REV`. The repository, its index and work tree are not touched.
public struct GitRevision: Sendable {
    /// The folder holding the old version of the results folder.
    public let folder: URL
    /// The temporary folder to remove when done.
    let scratch: URL

    /// Extracts `folder` as it was at `revision` (`git archive` into a temporary folder).
    public init(folder: URL, revision: String) throws(DiffError) {
        let path = folder.path
        // A revision is handed to git as an argument: one that starts with '-' would be an option.
        guard !revision.hasPrefix("-"), !revision.isEmpty else { throw DiffError("--since \(revision): not a git revision") }
        guard FileManager.default.fileExists(atPath: path) else { throw DiffError("\(path): no such folder") }
        guard let prefix = try? Self.git(["-C", path, "rev-parse", "--show-prefix"]) else {
            throw DiffError("\(path): not inside a git repository, so --since has no history to compare with")
        }
        guard (try? Self.git(["-C", path, "rev-parse", "--verify", "--quiet", revision + "^{commit}"])) != nil else {
            throw DiffError("--since \(revision): git knows no such revision in the repository of \(path)")
        }
        let relative = prefix.trimmingCharacters(in: .whitespacesAndNewlines)
        let topLevel =
            (try? Self.git(["-C", path, "rev-parse", "--show-toplevel"]))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? path
        if !relative.isEmpty, (try? Self.git(["-C", topLevel, "cat-file", "-e", "\(revision):\(relative)"])) == nil {
            throw DiffError("\(path): did not exist at \(revision)")
        }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("roma-diff-\(UUID().uuidString)", isDirectory: true)
        do {
            try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
            let archive = scratch.appendingPathComponent("old.tar").path
            var arguments = ["-C", topLevel, "archive", "--format=tar", "-o", archive, revision]
            if !relative.isEmpty { arguments += ["--", relative] }
            _ = try Self.git(arguments)
            let tree = scratch.appendingPathComponent("tree", isDirectory: true)
            try FileManager.default.createDirectory(at: tree, withIntermediateDirectories: true)
            _ = try Self.run("/usr/bin/env", ["tar", "-xf", archive, "-C", tree.path])
            self.folder = relative.isEmpty ? tree : tree.appendingPathComponent(relative, isDirectory: true)
            self.scratch = scratch
        } catch {
            try? FileManager.default.removeItem(at: scratch)
            throw DiffError("cannot read \(path) at \(revision): \(error)")
        }
    }

    /// Removes the temporary copy.
    public func remove() {
        try? FileManager.default.removeItem(at: scratch)
    }

    /// Runs git; its output, or an error carrying its message.
    static func git(_ arguments: [String]) throws(DiffError) -> String {
        try run("/usr/bin/env", ["git"] + arguments)
    }

    static func run(_ executable: String, _ arguments: [String]) throws(DiffError) -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        do { try process.run() } catch { throw DiffError("cannot start \(arguments.first ?? executable): \(error.localizedDescription)") }
        let output = out.fileHandleForReading.readDataToEndOfFile()
        let message = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let text = String(decoding: message, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw DiffError(
                "\(arguments.first ?? executable) exited \(process.terminationStatus): \(text.split(separator: "\n").first ?? "")")
        }
        return String(decoding: output, as: UTF8.self)
    }
}
