import Foundation
import ROMACore
import Testing

/// Cost from the committed quickstart recordings (SmolLM2 on the CPU), replayed offline under a
/// price list, against figures computed by hand from the usage in its `calls.jsonl`.
@Suite("Cost and per-agent models, replayed from the committed example")
struct CostTests {
    /// The quickstart manifest with `extra` spliced in after its `engine:` section.
    static func manifest(_ extra: String, profiles: String? = nil) throws -> String {
        var text = try String(contentsOf: Fixtures.packageRoot.appendingPathComponent("examples/quickstart.yaml"), encoding: .utf8)
        text = text.replacingOccurrences(of: "\nprofiles:", with: "\n" + extra + "\nprofiles:")
        if let profiles { text = text.replacingOccurrences(of: "  fast: smollm2-135m-instruct", with: "  fast: " + profiles) }
        return text
    }

    /// A copy of the committed quickstart tree and a manifest beside it.
    static func setUp(_ yaml: String) throws -> (folder: TemporaryFolder, manifest: String) {
        let folder = try TemporaryFolder()
        try FileManager.default.copyItem(
            at: Fixtures.packageRoot.appendingPathComponent("examples/results/quickstart"),
            to: folder.url.appendingPathComponent("results/quickstart"))
        let path = folder.url.appendingPathComponent("quickstart.yaml").path
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        return (folder, path)
    }

    static func replay(_ manifest: String, out: URL) throws -> CLIResult {
        try runRoma(
            ["run", manifest, "--provider", "openai", "--offline", "--force", "--out", out.path, "--json"],
            unsetting: ["OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"])
    }

    static func json(_ url: URL) throws -> JSONValue {
        try JSONParser.parse(try Data(contentsOf: url))
    }

    static let prices = "pricing:\n  smollm2-135m-instruct: { input: 0.15, output: 0.60 }\n"

    @Test("cost per call, node, goal and run matches the hand-computed figures")
    func handComputed() throws {
        let (folder, manifest) = try Self.setUp(try Self.manifest(Self.prices))
        let out = folder.url.appendingPathComponent("results")
        let result = try Self.replay(manifest, out: out)
        #expect(result.status == 0, "\(result.stderr)")
        // capital-of-france: atomize 219 in + 27 out, execute 171 in + 113 out (calls.jsonl):
        //   (219 × 0.15 + 27 × 0.60 + 171 × 0.15 + 113 × 0.60) / 1e6 = (32.85 + 16.20 + 25.65 + 67.80) / 1e6 = 0.0001425
        // sky-is-blue: 217 + 37, then 169 + 10:
        //   (32.55 + 22.20 + 25.35 + 6.00) / 1e6 = 0.0000861
        let expected = ["capital-of-france": 0.0001425, "sky-is-blue": 0.0000861]
        let tree = out.appendingPathComponent("quickstart")
        for (goal, cost) in expected {
            let details = try Self.json(tree.appendingPathComponent("\(goal)/execution.json"))
            #expect(details["metadata"]?["cost_usd"]?.number == cost, "\(goal)")
            let dag = try Self.json(tree.appendingPathComponent("\(goal)/dag.json"))
            // One node each: the root answered directly, so the node cost is the goal's.
            #expect((dag["dag"] ?? dag)["nodes"]?.arrayValue?.first?["cost_usd"]?.number == cost, "\(goal)")
        }
        let summary = try Self.json(tree.appendingPathComponent("summary.json"))
        #expect(summary["total_cost_usd"]?.number == 0.0002286)
        for row in summary["goals"]?.arrayValue ?? [] {
            #expect(row["cost_usd"]?.number == expected[row["id"]?.stringValue ?? ""])
        }
        let index = try String(contentsOf: tree.appendingPathComponent("index.md"), encoding: .utf8)
        #expect(index.contains("Cost: $0.000229"))
        #expect(index.contains("| $0.000086 |"))
        // The --json events: every call with its cost (the four calls sum to the total), each goal's cost.
        let events = result.stdout.split(separator: "\n").compactMap { try? JSONParser.parse(Data($0.utf8)) }
        let calls = events.filter { $0["event"]?.stringValue == "call" }
        #expect(calls.count == 4)
        let callSum = calls.compactMap { $0["cost_usd"]?.number }.reduce(0, +)
        #expect(abs(callSum - 0.0002286) < 1e-12)
        #expect(calls.first?["model"]?.stringValue == "smollm2-135m-instruct")
        let finished = events.filter { $0["event"]?.stringValue == "goal_finished" }
        #expect(Set(finished.compactMap { $0["cost_usd"]?.number }) == Set(expected.values))
        // Nothing is unpriced, so nothing is warned about or named.
        #expect(!result.stdout.contains("no price for"))
        #expect(!index.contains("no price for"))
        #expect(summary["unpriced_models"] == nil)
    }

    @Test("a model without a price is null everywhere, warned about once, never 0")
    func unknownIsNull() throws {
        let (folder, manifest) = try Self.setUp(try Self.manifest(""))
        let out = folder.url.appendingPathComponent("results")
        let result = try Self.replay(manifest, out: out)
        #expect(result.status == 0, "\(result.stderr)")
        let tree = out.appendingPathComponent("quickstart")
        let summary = try String(contentsOf: tree.appendingPathComponent("summary.json"), encoding: .utf8)
        #expect(summary.contains("\"total_cost_usd\" : null"))
        #expect(summary.components(separatedBy: "\"cost_usd\" : null").count == 3)
        let details = try String(contentsOf: tree.appendingPathComponent("capital-of-france/execution.json"), encoding: .utf8)
        #expect(details.contains("\"cost_usd\" : null"))
        #expect(!details.contains("\"cost_usd\" : 0"))
        #expect(details.contains("\"unpriced_models\" : [\n      \"smollm2-135m-instruct\"\n    ]"))
        let notes = result.stdout.split(separator: "\n").filter { $0.contains("no price for 'smollm2-135m-instruct'") }
        #expect(notes.count == 1)
        let index = try String(contentsOf: tree.appendingPathComponent("index.md"), encoding: .utf8)
        #expect(index.contains("\nCost: unknown (no price for: smollm2-135m-instruct)\n"))
    }

    @Test("engine.max_cost_usd ends a goal with budget exceeded")
    func costBudget() throws {
        // capital-of-france costs $0.0001425 and stops at its second call; sky-is-blue ($0.0000861) fits.
        let text = try Self.manifest(Self.prices).replacingOccurrences(
            of: "  llm_concurrency: 1", with: "  max_cost_usd: 0.0001\n  llm_concurrency: 1")
        let (folder, manifest) = try Self.setUp(text)
        let result = try Self.replay(manifest, out: folder.url.appendingPathComponent("results"))
        #expect(result.status == 1, "\(result.stderr)")
        let events = result.stdout.split(separator: "\n").compactMap { try? JSONParser.parse(Data($0.utf8)) }
        let finished = Dictionary(
            uniqueKeysWithValues: events.filter { $0["event"]?.stringValue == "goal_finished" }.map {
                ($0["goal"]?.stringValue ?? "", $0)
            })
        #expect(finished["capital-of-france"]?["status"]?.stringValue == "failed")
        #expect(finished["capital-of-france"]?["error"]?.stringValue?.contains("budget exceeded: the execution cost $0.0001") == true)
        #expect(finished["sky-is-blue"]?["status"]?.stringValue == "completed")
    }

    @Test("an agent's model is in the replay key: a changed one misses, an unchanged one replays")
    func agentModelInKey() throws {
        let same = try Self.setUp(
            try Self.manifest("", profiles: "{ model: smollm2-135m-instruct, atomizer: smollm2-135m-instruct }"))
        let replayed = try Self.replay(same.manifest, out: same.folder.url.appendingPathComponent("results"))
        #expect(replayed.status == 0, "\(replayed.stderr)")

        let changed = try Self.setUp(try Self.manifest("", profiles: "{ model: smollm2-135m-instruct, executor: a-stronger-model }"))
        let missed = try Self.replay(changed.manifest, out: changed.folder.url.appendingPathComponent("results"))
        #expect(missed.status != 0)
        let events = missed.stdout.split(separator: "\n").compactMap { try? JSONParser.parse(Data($0.utf8)) }
        let errors = events.filter { $0["event"]?.stringValue == "goal_finished" }.compactMap { $0["error"]?.stringValue }
        #expect(errors.count == 2)
        #expect(errors.allSatisfy { !$0.isEmpty }, "\(errors)")
        // The atomizer's calls still replay: only the executor's model changed.
        let calls = events.filter { $0["event"]?.stringValue == "call" }
        #expect(calls.count == 2)
        #expect(calls.allSatisfy { $0["purpose"]?.stringValue == "atomize" })
    }
}

extension JSONValue {
    /// The number, integer or not.
    fileprivate var number: Double? {
        switch self {
        case .int(let i): Double(i)
        case .double(let d): d
        default: nil
        }
    }
}
