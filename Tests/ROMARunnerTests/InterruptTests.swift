import Foundation
import ROMACore
import Testing

@testable import ROMARunner

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Ctrl-C and SIGTERM on a real `roma run`: the run stops with exit 130, says what it kept,
/// leaves only complete goal folders, and the same command completes the rest.
@Suite struct InterruptTests {
    /// Enough goals that the run goes on for seconds after its first goal finishes (a debug
    /// build writes about 30 goals a second), few enough that the re-run stays quick.
    static let goalCount = 120

    /// A batch that is still running when its first goal finishes.
    static func writeManifest(in folder: URL) throws -> String {
        var yaml = "name: interrupted\ndefaults: { max_depth: 2 }\ngoals:\n"
        for i in 1...goalCount {
            yaml += "  - { id: g\(i), goal: \"Investigate question number \(i) about the history of computing\" }\n"
        }
        let file = folder.appendingPathComponent("interrupted.yaml")
        try yaml.write(to: file, atomically: true, encoding: .utf8)
        return file.path
    }

    @Test("a signal stops the run cleanly; re-running completes every goal", arguments: [SIGINT, SIGTERM])
    func signalStopsTheRunCleanly(_ signal: Int32) throws {
        let tmp = try TemporaryFolder()
        let manifest = try Self.writeManifest(in: tmp.url)
        let out = tmp.url.appendingPathComponent("out")
        let arguments = ["run", manifest, "--provider", "offline", "--json", "--concurrency", "4", "--out", out.path]

        let process = Process()
        process.executableURL = Fixtures.romaBinary
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["NO_COLOR"] = "1"
        process.environment = environment
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()

        // Read the JSON Lines as they come; the first finished goal is the moment to interrupt.
        let events = EventReader(stdout.fileHandleForReading)
        let firstFinished = events.next { $0["event"]?.stringValue == "goal_finished" }
        #expect(firstFinished != nil, "the run ended before any goal finished")
        kill(process.processIdentifier, signal)
        let rest = events.remaining()
        let errors = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()

        #expect(process.terminationReason == .exit, "killed by the signal instead of stopping")
        #expect(process.terminationStatus == 130, "\(errors)")
        #expect(errors.contains("interrupted: stopping; finished goals are kept"), "\(errors)")
        let finished = try #require(rest.last, "no finished event")
        #expect(finished["event"]?.stringValue == "finished")
        #expect(finished["interrupted"] == .bool(true))

        // Every goal folder there is complete; nothing else but the summary, the index and hidden entries.
        let root = out.appendingPathComponent("interrupted")
        let folders = try Self.checkTree(root)
        let completed = folders.filter { $0.value == .completed }
        #expect(!completed.isEmpty, "the goal reported finished is not in the tree")
        #expect(completed.count < Self.goalCount, "every goal completed: the run was not interrupted")
        #expect(folders.values.allSatisfy { $0 == .completed || $0 == .cancelled }, "\(folders)")
        #expect(finished["completed"]?.intValue == completed.count)
        if let goal = firstFinished?["goal"]?.stringValue { #expect(folders[goal] == .completed) }

        // The same command again finishes the rest.
        let again = try runRoma(arguments)
        #expect(again.status == 0, "\(again.stderr)")
        let all = try Self.checkTree(root)
        #expect(all.count == Self.goalCount)
        #expect(all.values.allSatisfy { $0 == .completed })
        let summary = try JSONDecoder().decode(
            JSONValue.self, from: try #require(FileManager.default.contents(atPath: root.appendingPathComponent("summary.json").path)))
        #expect(summary["counts"]?["completed"]?.intValue == Self.goalCount)
    }

    /// Checks every non-hidden entry of a results folder and returns each goal folder's status.
    static func checkTree(_ root: URL) throws -> [String: ExecutionStatus] {
        let fm = FileManager.default
        var statuses: [String: ExecutionStatus] = [:]
        for name in try fm.contentsOfDirectory(atPath: root.path) where !name.hasPrefix(".") {
            let url = root.appendingPathComponent(name)
            var isFolder: ObjCBool = false
            _ = fm.fileExists(atPath: url.path, isDirectory: &isFolder)
            guard isFolder.boolValue else {
                #expect(["summary.json", "index.md"].contains(name), "unexpected file \(name)")
                if name == "summary.json" {
                    _ = try JSONDecoder().decode(JSONValue.self, from: try #require(fm.contents(atPath: url.path)))
                }
                continue
            }
            #expect(name.hasPrefix("g"), "unexpected folder \(name)")
            let files = try fm.contentsOfDirectory(atPath: url.path)
            #expect(Set(files) == Set(ResultsTree.File.all), "\(name) holds \(files.sorted())")
            for file in ResultsTree.File.all {
                let data = try #require(fm.contents(atPath: url.appendingPathComponent(file).path), "\(name)/\(file)")
                // A goal cancelled before its first call finished has an empty calls.jsonl.
                if data.isEmpty && file == ResultsTree.File.calls { continue }
                #expect(data.last == UInt8(ascii: "\n"), "\(name)/\(file) does not end with a newline")
            }
            for file in [ResultsTree.File.request, ResultsTree.File.dag] {
                #expect(throws: Never.self, "\(name)/\(file)") {
                    _ = try JSONDecoder().decode(JSONValue.self, from: fm.contents(atPath: url.appendingPathComponent(file).path) ?? Data())
                }
            }
            let calls = fm.contents(atPath: url.appendingPathComponent(ResultsTree.File.calls).path) ?? Data()
            for line in calls.split(separator: UInt8(ascii: "\n")) {
                #expect(throws: Never.self, "\(name)/calls.jsonl") { _ = try JSONDecoder().decode(JSONValue.self, from: Data(line)) }
            }
            let details = try CanonicalJSON.decode(
                ExecutionDetails.self, from: try #require(fm.contents(atPath: url.appendingPathComponent(ResultsTree.File.execution).path)))
            statuses[name] = details.status
        }
        return statuses
    }
}

/// Reads JSON Lines from a pipe as they arrive (each read blocks until the child writes or exits).
final class EventReader {
    private let handle: FileHandle
    private var buffer = Data()
    private var finished = false

    init(_ handle: FileHandle) {
        self.handle = handle
    }

    /// The next event, or `nil` at the end of the stream.
    func next() -> JSONValue? {
        while true {
            if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = buffer[buffer.startIndex..<newline]
                buffer = Data(buffer[(newline + 1)...])
                guard let event = try? JSONDecoder().decode(JSONValue.self, from: Data(line)) else {
                    Issue.record("not a JSON line: \(String(decoding: line, as: UTF8.self))")
                    continue
                }
                return event
            }
            guard !finished else { return nil }
            let chunk = handle.availableData
            if chunk.isEmpty { finished = true } else { buffer.append(chunk) }
        }
    }

    /// The first event that satisfies `predicate`, or `nil` if the stream ends first.
    func next(where predicate: (JSONValue) -> Bool) -> JSONValue? {
        while let event = next() {
            if predicate(event) { return event }
        }
        return nil
    }

    /// Every event up to the end of the stream.
    func remaining() -> [JSONValue] {
        var events: [JSONValue] = []
        while let event = next() { events.append(event) }
        return events
    }
}
