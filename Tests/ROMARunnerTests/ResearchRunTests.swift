import Foundation
import ROMACore
import Testing

@testable import ROMARunner

/// Research runs end to end: a matrix and a goal template run with the offline model, the
/// comparison tables in `index.md`, values added and removed, and the `roma` commands around them.
@Suite struct ResearchRunTests {
    static let manifestText = """
        name: research
        defaults: { max_depth: 1 }
        matrix:
          config_profile: [fast, general]
        goals:
          - id: price
            goal: "Analyze {{coin}} price action this week"
            vars: { coin: [BTC, ETH] }
        """

    func run(_ yaml: String, out: URL) async throws -> Manifest {
        let manifest = try Fixtures.manifest(yaml: yaml, file: "research.yaml")
        _ = try await BatchRunner(options: Fixtures.options(out)).run([manifest])
        return manifest
    }

    func index(_ out: URL) throws -> String {
        String(
            decoding: try #require(FileManager.default.contents(atPath: out.appendingPathComponent("research/index.md").path)),
            as: UTF8.self)
    }

    @Test func indexHasAComparisonTablePerTemplate() async throws {
        let tmp = try TemporaryFolder()
        _ = try await run(Self.manifestText, out: tmp.url)
        let text = try index(tmp.url)
        let summary = try CanonicalJSON.decode(
            Summary.self,
            from: try #require(FileManager.default.contents(atPath: tmp.url.appendingPathComponent("research/summary.json").path)))
        let tokens = Dictionary(uniqueKeysWithValues: summary.goals.map { ($0.id, ComparisonTable.formatted($0.tokens)) })
        #expect(text.contains("## Comparisons\n"))
        #expect(text.contains("### price\n\n2 coin × 2 config_profile = 4 goals\n\n| coin | fast | general |\n|---|---|---|\n"))
        #expect(
            text.contains(
                "| BTC | ✓ [completed](price.coin-BTC.fast/result.md) · \(tokens["price.coin-BTC.fast"]!) tokens | ✓ [completed](price.coin-BTC.general/result.md) · \(tokens["price.coin-BTC.general"]!) tokens |\n"
            ))
        // The tables sit between the goal table and the task trees.
        let comparisons = try #require(text.range(of: "## Comparisons"))
        let firstTree = try #require(text.range(of: "```mermaid"))
        #expect(comparisons.lowerBound < firstTree.lowerBound)
    }

    @Test func tableCellsShowCostWhenTheSummaryHasItAndNoLinkBeforeAGoalRan() throws {
        let manifest = try Fixtures.manifest(yaml: Self.manifestText)
        let rows: [String: JSONValue] = [
            "price.coin-BTC.fast": .object(["status": .string("completed"), "tokens": .int(1234), "cost_usd": .double(0.0123)]),
            "price.coin-BTC.general": .object(["status": .string("failed"), "tokens": .int(99), "cost_usd": .null]),
            "price.coin-ETH.fast": .object(["status": .string("pending"), "tokens": .int(0)]),
        ]
        let text = ComparisonTable.markdown(manifest: manifest, rows: rows)
        #expect(
            text.contains(
                "| BTC | ✓ [completed](price.coin-BTC.fast/result.md) · $0.0123 · 1,234 tokens | ✗ [failed](price.coin-BTC.general/result.md) · 99 tokens |"
            ))
        #expect(text.contains("| ETH | ○ pending | ○ pending |"))
        // Cost totals only while every goal of the column has a known cost.
        #expect(text.contains("| **total** | **1/2 completed · 1,234 tokens** | **0/2 completed · 99 tokens** |"))
        let priced = rows.mapValues { row -> JSONValue in
            guard case .object(var object) = row else { return row }
            object["cost_usd"] = .double(0.5)
            return .object(object)
        }
        #expect(
            ComparisonTable.markdown(manifest: manifest, rows: priced).contains(
                "| **total** | **1/2 completed · $1.0000 · 1,234 tokens** |"))
        #expect(ComparisonTable.markdown(manifest: try Fixtures.manifest("quickstart.yaml"), rows: [:]).isEmpty)
    }

    @Test func addingAValueAddsFoldersAndRewritesNoneRemovingOneKeepsItsFoldersAndSaysSo() async throws {
        let tmp = try TemporaryFolder()
        let root = tmp.url.appendingPathComponent("research")
        _ = try await run(Self.manifestText, out: tmp.url)
        let first = Fixtures.snapshot(root)

        let grown = Self.manifestText.replacingOccurrences(of: "[BTC, ETH]", with: "[BTC, SOL, ETH]")
        _ = try await run(grown, out: tmp.url)
        let second = Fixtures.snapshot(root)
        for (path, (data, date)) in first where !path.hasSuffix("summary.json") && !path.hasSuffix("index.md") {
            #expect(second[path]?.0 == data, "\(path) was rewritten")
            #expect(second[path]?.1 == date, "\(path) was touched")
        }
        #expect(second.keys.filter { $0.hasPrefix("price.coin-SOL.") && $0.hasSuffix("/result.md") }.count == 2)

        let shrunk = Self.manifestText.replacingOccurrences(of: "[BTC, ETH]", with: "[BTC]")
        let manifest = try await run(shrunk, out: tmp.url)
        let third = Fixtures.snapshot(root)
        for (path, (data, date)) in second where !path.hasSuffix("summary.json") && !path.hasSuffix("index.md") {
            #expect(third[path]?.0 == data, "\(path) was rewritten or removed")
            #expect(third[path]?.1 == date, "\(path) was touched")
        }
        let gone = ResultsTree(root: root).foldersNotIn(manifest)
        #expect(
            gone == ["price.coin-ETH.fast", "price.coin-ETH.general", "price.coin-SOL.fast", "price.coin-SOL.general"])
        let text = try index(tmp.url)
        #expect(text.contains("## No longer in the manifest\n"))
        #expect(text.contains("- [price.coin-ETH.fast](price.coin-ETH.fast/result.md)\n"))
        #expect(!text.contains("| ETH |"))
    }

    @Test func planShowsTheExpansionOnlyTakesATemplateAndRunNotesRemovedFolders() throws {
        let tmp = try TemporaryFolder()
        let file = tmp.url.appendingPathComponent("research.yaml")
        try Self.manifestText.write(to: file, atomically: true, encoding: .utf8)
        let out = tmp.url.appendingPathComponent("results").path
        let plan = try runRoma(["plan", file.path, "--provider", "offline", "--out", out])
        #expect(plan.status == 0, "\(plan.stderr)")
        #expect(plan.stdout.contains("research/price: template, 2 coin × 2 config_profile = 4 goals\n"))
        #expect(plan.stdout.contains("research/price.coin-ETH.general: run (new)\n"))

        let only = try runRoma(["run", file.path, "--provider", "offline", "--out", out, "--only", "price"])
        #expect(only.status == 0, "\(only.stderr)")
        #expect(only.stderr.contains("research/price.coin-ETH.general: completed"))
        let unknown = try runRoma(["run", file.path, "--provider", "offline", "--out", out, "--only", "prize"])
        #expect(unknown.status == 64)
        #expect(unknown.stderr.contains("error: --only prize: no goal or goal template has this id"))

        try Self.manifestText.replacingOccurrences(of: "[BTC, ETH]", with: "[BTC]").write(to: file, atomically: true, encoding: .utf8)
        let after = try runRoma(["plan", file.path, "--provider", "offline", "--out", out])
        #expect(after.stdout.contains("research/price.coin-ETH.fast: no longer in the manifest — folder kept as it is\n"))
        let rerun = try runRoma(["run", file.path, "--provider", "offline", "--out", out])
        #expect(rerun.status == 0)
        #expect(rerun.stderr.contains("research/price.coin-ETH.general: no longer in the manifest; kept as it is (index.md lists it)"))
    }

    @Test func validateShowsAnExpansionErrorWithItsLineAndCaret() throws {
        let tmp = try TemporaryFolder()
        let file = tmp.url.appendingPathComponent("bad.yaml")
        try "goals:\n  - id: p\n    goal: Analyze {{coyn}}\n    vars: { coin: [BTC] }\n".write(to: file, atomically: true, encoding: .utf8)
        let result = try runRoma(["validate", file.path])
        #expect(result.status == 65)
        #expect(
            result.stderr.contains(
                "bad.yaml:3:11: error: goals[0].goal: unknown placeholder {{coyn}} (expected one of the vars: coin); did you mean '{{coin}}'?\n3 |     goal: Analyze {{coyn}}\n  |           ^"
            ))
        #expect(result.stderr.contains("bad.yaml:4:13: error: goals[0].vars.coin: is not used by the goal"))
    }
}

@Suite struct DiffCommandTests {
    @Test func exitCodesFollowDiffAndAReRunDiffersOnlyInTimestamps() throws {
        let tmp = try TemporaryFolder()
        let manifest = Fixtures.packageRoot.appendingPathComponent("examples/quickstart.yaml").path
        let one = tmp.url.appendingPathComponent("one").path
        let two = tmp.url.appendingPathComponent("two").path
        #expect(try runRoma(["run", manifest, "--provider", "offline", "--out", one]).status == 0)
        #expect(try runRoma(["run", manifest, "--provider", "offline", "--out", two]).status == 0)
        let same = try runRoma(["diff", one + "/quickstart", two + "/quickstart"])
        #expect(same.status == 0, "\(same.stdout)\(same.stderr)")
        #expect(same.stdout.contains("No change: 2 goals"))
        let roots = try runRoma(["diff", one, two, "--json"])
        #expect(roots.status == 0)

        let answer = tmp.url.appendingPathComponent("two/quickstart/sky-is-blue/execution.json")
        var details = try JSONDecoder().decode(JSONValue.self, from: Data(contentsOf: answer)).objectValue ?? [:]
        details["result"] = .string("Because of Rayleigh scattering.")
        try CanonicalJSON.encode(JSONValue.object(details)).write(to: answer)
        let changed = try runRoma(["diff", one + "/quickstart", two + "/quickstart"])
        #expect(changed.status == 1)
        #expect(changed.stdout.contains("| `sky-is-blue` | answer | completed |"))

        try FileManager.default.removeItem(at: answer)
        let trouble = try runRoma(["diff", one + "/quickstart", two + "/quickstart"])
        #expect(trouble.status == 2)
        #expect(
            trouble.stderr
                == "error: \(two)/quickstart/sky-is-blue/execution.json: missing (summary.json lists 'sky-is-blue' as completed)\n")
        let missing = try runRoma(["diff", one + "/nothing", two])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("nothing: no such folder"))
    }

    @Test func sinceComparesAFolderWithAGitRevisionOfItself() throws {
        let tmp = try TemporaryFolder()
        func git(_ arguments: String...) throws {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["git", "-C", tmp.url.path, "-c", "user.name=t", "-c", "user.email=t@example.invalid"] + arguments
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            #expect(process.terminationStatus == 0, "git \(arguments)")
        }
        let folder = tmp.url.appendingPathComponent("results/research")
        try CraftedTree.write(folder, goals: [CraftedGoal(id: "a"), CraftedGoal(id: "b")])
        try git("init", "-q")
        try git("add", ".")
        try git("commit", "-q", "-m", "night 1")
        let unchanged = try runRoma(["diff", folder.path, "--since", "HEAD"])
        #expect(unchanged.status == 0, "\(unchanged.stderr)")

        try CraftedTree.write(
            folder, goals: [CraftedGoal(id: "a", tokens: 150, time: "2026-12-01T02:00:00Z"), CraftedGoal(id: "c", goal: "Explain wind")])
        let changed = try runRoma(["diff", folder.path, "--since", "HEAD", "--json"])
        #expect(changed.status == 1, "\(changed.stderr)")
        let json = try JSONDecoder().decode(JSONValue.self, from: Data(changed.stdout.utf8))
        #expect(json["old"]?.stringValue == "\(folder.path)@HEAD")
        #expect(
            json["counts"] == .object(["added": .int(1), "removed": .int(1), "renamed": .int(0), "changed": .int(1), "unchanged": .int(0)]))

        let badRevision = try runRoma(["diff", folder.path, "--since", "no-such-rev"])
        #expect(badRevision.status == 2)
        #expect(badRevision.stderr.contains("--since no-such-rev: git knows no such revision"))
        let option = try runRoma(["diff", folder.path, "--since=--output=\(tmp.url.path)/x"])
        #expect(option.status == 2)
        #expect(option.stderr.contains("not a git revision"))
        let outside = try runRoma(["diff", FileManager.default.temporaryDirectory.path, "--since", "HEAD"])
        #expect(outside.status == 2)
    }
}

@Suite struct ResearchReadmeTests {
    /// The commands of the README's research block, as written.
    static func readmeCommands() throws -> [String] {
        let readme = try String(contentsOf: Fixtures.packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let section = try #require(readme.range(of: "## Research runs"))
        let block = try #require(readme[section.upperBound...].range(of: "```sh\n"))
        let end = try #require(readme[block.upperBound...].range(of: "```"))
        return readme[block.upperBound..<end.lowerBound].split(separator: "\n").map(String.init)
    }

    @Test func theReadmeResearchExamplesRunAsWritten() throws {
        let tmp = try TemporaryFolder()
        try FileManager.default.copyItem(
            at: Fixtures.packageRoot.appendingPathComponent("examples/research.yaml"),
            to: tmp.url.appendingPathComponent("examples/research.yaml", isDirectory: false).creatingParent())
        let commands = try Self.readmeCommands()
        #expect(commands.count == 6)
        var outputs: [String] = []
        for command in commands {
            #expect(command.hasPrefix("swift run roma "))
            let arguments = command.dropFirst("swift run roma ".count).split(separator: " ").map(String.init)
            let process = Process()
            process.executableURL = Fixtures.romaBinary
            process.arguments = arguments
            process.currentDirectoryURL = tmp.url
            let out = Pipe()
            process.standardOutput = out
            process.standardError = FileHandle.nullDevice
            try process.run()
            let data = out.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            #expect(process.terminationStatus == 0, "\(command)")
            outputs.append(String(decoding: data, as: UTF8.self))
        }
        #expect(outputs[1].contains("research/price: template, 2 coin × 2 config_profile × 2 model = 8 goals\n"))
        #expect(outputs[1].contains("research/outlook: template, 2 config_profile × 2 model = 4 goals\n"))
        #expect(outputs[5].contains("No change: 12 goals"))
        let folders = try FileManager.default.contentsOfDirectory(atPath: tmp.url.appendingPathComponent("results/research").path)
        #expect(folders.filter { !$0.hasPrefix(".") && !$0.contains(".md") && !$0.contains(".json") }.count == 12)
    }
}

extension URL {
    /// The URL, after creating its parent folder.
    fileprivate func creatingParent() throws -> URL {
        try FileManager.default.createDirectory(at: deletingLastPathComponent(), withIntermediateDirectories: true)
        return self
    }
}
