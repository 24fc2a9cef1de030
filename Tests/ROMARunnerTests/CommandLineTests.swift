import Foundation
import ROMACore
import Testing

@testable import ROMARunner

/// Runs the built `roma` executable, as cron would.
struct CLIResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

func runRoma(_ arguments: [String], environment: [String: String] = [:], unsetting: [String] = []) throws -> CLIResult {
    let process = Process()
    process.executableURL = Fixtures.romaBinary
    process.arguments = arguments
    var env = ProcessInfo.processInfo.environment
    env["NO_COLOR"] = "1"
    for (k, v) in environment { env[k] = v }
    for k in unsetting { env[k] = nil }
    process.environment = env
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    let errData = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return CLIResult(
        status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
        stderr: String(decoding: errData, as: UTF8.self))
}

/// `runRoma` off the cooperative thread pool: for tests whose `roma` talks to a server running
/// in this test process, which needs the pool's threads while the child runs.
func runRomaDetached(_ arguments: [String], environment: [String: String] = [:]) async throws -> CLIResult {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async {
            continuation.resume(with: Result { try runRoma(arguments, environment: environment) })
        }
    }
}

@Suite struct CommandLineTests {
    let examples = Fixtures.packageRoot.appendingPathComponent("examples").path

    @Test func validateExamplesSucceeds() throws {
        let result = try runRoma(["validate", examples])
        #expect(result.status == 0)
        #expect(result.stdout.contains("quickstart.yaml: ok: quickstart: 2 goals"))
    }

    @Test func validateReportsEveryErrorAndExits65() throws {
        let tmp = try TemporaryFolder()
        let file = tmp.url.appendingPathComponent("bad.yaml")
        try "goals:\n  - goal: ok\n    max_depth: 0\n  - goal: \"\"\n    config_profile: fsat\n".write(
            to: file, atomically: true, encoding: .utf8)
        let result = try runRoma(["validate", file.path])
        #expect(result.status == 65)
        #expect(result.stderr.contains("bad.yaml:3:16: error: goals[0].max_depth: 0 is out of range (expected an integer from 1 to 10)"))
        #expect(result.stderr.contains("bad.yaml:4:11: error: goals[1].goal: is empty"))
        #expect(result.stderr.contains("did you mean 'fast'?"))
        let json = try runRoma(["validate", "--json", file.path])
        #expect(json.status == 65)
        let report = try JSONDecoder().decode(JSONValue.self, from: Data(json.stdout.utf8))
        #expect(report["diagnostics"]?.arrayValue?.count == 3)
    }

    @Test func runWritesTheTreeAndExitsZeroThenLockedTreeExits73() throws {
        let tmp = try TemporaryFolder()
        let manifest = Fixtures.packageRoot.appendingPathComponent("examples/quickstart.yaml").path
        let first = try runRoma(["run", manifest, "--provider", "offline", "--out", tmp.url.path])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stderr.contains("done in"))
        #expect(first.stderr.contains("quickstart/sky-is-blue: completed in "))
        #expect(FileManager.default.fileExists(atPath: tmp.url.appendingPathComponent("quickstart/summary.json").path))

        let root = tmp.url.appendingPathComponent("quickstart")
        let lock = try TreeLock.acquire(root: root, shard: nil, command: "roma run nightly (test holder)")
        defer { lock.release() }
        let second = try runRoma(["run", manifest, "--provider", "offline", "--out", tmp.url.path])
        #expect(second.status == 73)
        #expect(second.stderr.contains("is in use by another run: pid \(getpid())"))
        #expect(second.stderr.contains("roma run nightly (test holder)"))
    }

    @Test func jsonProgressIsJSONLines() throws {
        let tmp = try TemporaryFolder()
        let manifest = Fixtures.packageRoot.appendingPathComponent("examples/quickstart.yaml").path
        let result = try runRoma(["run", manifest, "--provider", "offline", "--out", tmp.url.path, "--json"])
        #expect(result.status == 0)
        let events = try result.stdout.split(separator: "\n").map { try JSONDecoder().decode(JSONValue.self, from: Data($0.utf8)) }
        #expect(events.first?["event"]?.stringValue == "started")
        #expect(events.last?["event"]?.stringValue == "finished")
        let finished = events.filter { $0["event"]?.stringValue == "goal_finished" }
        #expect(finished.count == 2)
        #expect(finished.allSatisfy { ($0["llm_calls"]?.intValue ?? 0) > 0 && $0["output_retries"]?.intValue == 0 })
    }

    @Test func offlineMissExitsOneAndBadUsageExits64() throws {
        let tmp = try TemporaryFolder()
        let manifest = Fixtures.packageRoot.appendingPathComponent("examples/quickstart.yaml").path
        let miss = try runRoma(["run", manifest, "--provider", "offline", "--offline", "--out", tmp.url.path])
        #expect(miss.status == 1)
        #expect(miss.stderr.contains("no recorded answer"))
        #expect(!FileManager.default.fileExists(atPath: tmp.url.appendingPathComponent("quickstart/capital-of-france").path))
        let usage = try runRoma(["run", manifest, "--record", "--offline"])
        #expect(usage.status == 64)
    }

    @Test(
        "the committed tools example replays offline with no tool server in reach; --json, progress lines and roma show name its tool calls"
    )
    func theToolsExampleReplaysAndShowsItsToolCalls() throws {
        let tmp = try TemporaryFolder()
        let committed = Fixtures.packageRoot.appendingPathComponent("examples/results")
        let copy = tmp.url.appendingPathComponent("results")
        try FileManager.default.copyItem(at: committed, to: copy)
        let manifest = Fixtures.packageRoot.appendingPathComponent("examples/tools.yaml").path
        // PATH without .venv-tools: a replay that tried to start mcp-server-fetch would fail.
        let arguments = ["run", manifest, "--provider", "openai", "--offline", "--force", "--out", copy.path]
        let unset = ["OPENAI_API_KEY", "OPENAI_BASE_URL", "ROMA_PROVIDER", "ROMA_MODEL"]
        let json = try runRoma(arguments + ["--json"], environment: ["PATH": "/usr/bin:/bin"], unsetting: unset)
        #expect(json.status == 0, "\(json.stderr)")
        let events = json.stdout.split(separator: "\n").compactMap { try? JSONParser.parse(Array($0.utf8)) }
        let toolEvents = events.filter { $0["event"]?.stringValue == "tool_call" && $0["goal"]?.stringValue == "harbor-weather" }
        #expect(!toolEvents.isEmpty)
        #expect(
            toolEvents.allSatisfy {
                $0["server"]?.stringValue == "fetch" && $0["tool"]?.stringValue == "fetch" && $0["replayed"] == .bool(true)
            })
        let finished = events.first { $0["event"]?.stringValue == "goal_finished" && $0["goal"]?.stringValue == "harbor-weather" }
        #expect(finished?["tool_calls"]?.intValue == toolEvents.count)
        let plain = try runRoma(arguments, environment: ["PATH": "/usr/bin:/bin"], unsetting: unset)
        #expect(plain.status == 0, "\(plain.stderr)")
        #expect(plain.stderr.contains("tools/harbor-weather: completed from its recordings"), "\(plain.stderr)")
        #expect(plain.stderr.contains(", \(toolEvents.count) tool call"), "\(plain.stderr)")
        let plan = try runRoma(["plan", manifest, "--provider", "openai", "--offline", "--force", "--out", copy.path], unsetting: unset)
        #expect(
            plan.stdout.contains("tools/harbor-weather: run (--force) — replays all 3 calls and 1 tool call from recordings"),
            "\(plan.stdout)")
        let show = try runRoma(["show", copy.appendingPathComponent("tools/harbor-weather").path])
        #expect(show.stdout.contains("⚒ fetch.fetch"), "\(show.stdout)")
        let before = Fixtures.snapshot(committed.appendingPathComponent("tools"))
        let after = Fixtures.snapshot(copy.appendingPathComponent("tools"))
        #expect(Set(after.keys) == Set(before.keys))
        for (path, (data, _)) in before { #expect(after[path]?.0 == data, "\(path) differs") }
    }

    @Test func theReadmeMainCommandReproducesTheCommittedExampleTree() throws {
        let tmp = try TemporaryFolder()
        let committed = Fixtures.packageRoot.appendingPathComponent("examples/results")
        let copy = tmp.url.appendingPathComponent("results")
        try FileManager.default.copyItem(at: committed, to: copy)
        let manifest = Fixtures.packageRoot.appendingPathComponent("examples/quickstart.yaml").path
        // Recorded from a real model through the openai provider; the replay needs no key and no server.
        let result = try runRoma(
            ["run", manifest, "--provider", "openai", "--offline", "--force", "--out", copy.path],
            unsetting: ["OPENAI_API_KEY", "OPENAI_BASE_URL", "ROMA_PROVIDER", "ROMA_MODEL"])
        let summary = try JSONDecoder().decode(
            JSONValue.self, from: Data(contentsOf: committed.appendingPathComponent("quickstart/summary.json")))
        let failed = summary["counts"]?["failed"]?.intValue ?? 0
        // The documented exit code: 1 when a recorded goal failed, and the replay reproduces the failure.
        #expect(result.status == (failed > 0 ? 1 : 0), "\(result.stderr)")
        #expect(!result.stderr.contains("needs a key"))
        #expect(!result.stderr.contains("no recorded answer"))
        // The times shown are the recording's, and the lines say so; the last names where to look.
        #expect(result.stderr.contains("quickstart/sky-is-blue: completed from its recordings (recorded run: "))
        #expect(result.stderr.contains("index.md lists its goals"))
        // A one-node goal reads "1 node", not "1 nodes".
        #expect(result.stderr.contains("), 1 node, 2 calls, "), "\(result.stderr)")
        let before = Fixtures.snapshot(committed)
        let after = Fixtures.snapshot(copy)
        #expect(!before.isEmpty)
        #expect(Set(after.keys) == Set(before.keys))
        for (path, (data, _)) in before { #expect(after[path]?.0 == data, "\(path) differs") }
    }
}
