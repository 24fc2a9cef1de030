import Foundation
import ROMACore
import Testing

@testable import ROMARunner

@Suite struct ResultsDiffTests {
    func diff(_ old: [CraftedGoal], _ new: [CraftedGoal]) throws -> ResultsDiff {
        let tmp = try TemporaryFolder()
        try CraftedTree.write(tmp.url.appendingPathComponent("old"), goals: old)
        try CraftedTree.write(tmp.url.appendingPathComponent("new"), goals: new)
        return ResultsDiff(
            old: try ResultsSnapshot.read(tmp.url.appendingPathComponent("old"), label: "old"),
            new: try ResultsSnapshot.read(tmp.url.appendingPathComponent("new"), label: "new"), oldLabel: "old", newLabel: "new")
    }

    @Test func treesDifferingOnlyInTimestampsExecutionIDsAndRunTimesAreNoChange() throws {
        let old = [CraftedGoal(id: "a"), CraftedGoal(id: "b", status: "failed", answer: nil, error: "budget exceeded")]
        var new = old
        for i in new.indices {
            new[i].time = "2026-12-01T02:00:07Z"
            new[i].executionID = "exec_00000000000000\(i)9"
            new[i].seconds = 9.25
        }
        let result = try diff(old, new)
        #expect(!result.hasChanges)
        #expect(result.unchanged == 2)
        #expect(result.markdown.contains("No change: 2 goals"))
        let json = try JSONDecoder().decode(JSONValue.self, from: result.json())
        #expect(json["changed"] == .bool(false))
    }

    @Test func everyKindOfChangeIsReportedWithDeltasAndAWordDiff() throws {
        let old = [
            CraftedGoal(id: "price", tokens: 100, answer: "Bitcoin rose sharply on Monday after the report.", costUSD: 0.01),
            CraftedGoal(id: "same", goal: "Same goal"),
            CraftedGoal(id: "gone", goal: "Dropped goal"),
            CraftedGoal(id: "old-name", goal: "Renamed goal"),
            CraftedGoal(id: "flaky", goal: "Flaky goal"),
        ]
        let new = [
            CraftedGoal(id: "price", tokens: 300, answer: "Bitcoin fell sharply on Monday after the report.", costUSD: 0.03),
            CraftedGoal(id: "same", goal: "Same goal"),
            CraftedGoal(id: "new-name", goal: "Renamed goal"),
            CraftedGoal(id: "flaky", status: "failed", answer: nil, goal: "Flaky goal", error: "budget exceeded: 500 LLM calls"),
            CraftedGoal(id: "fresh", goal: "Brand new goal"),
        ]
        let result = try diff(old, new)
        #expect(result.hasChanges)
        #expect(result.unchanged == 1)
        let byGoal = Dictionary(uniqueKeysWithValues: result.changes.map { ($0.goal, $0) })
        #expect(byGoal["price"]?.kind == .changed)
        #expect(byGoal["price"]?.fields == ["answer", "tokens", "cost"])
        #expect(byGoal["price"]?.answer?.markdown == "Bitcoin ~~rose~~ **fell** sharply on Monday after …")
        #expect(byGoal["price"]?.answer?.plain == "Bitcoin [-rose-] {+fell+} sharply on Monday after …")
        #expect(byGoal["fresh"]?.kind == .added)
        #expect(byGoal["gone"]?.kind == .removed)
        #expect(byGoal["new-name"]?.kind == .renamed)
        #expect(byGoal["new-name"]?.renamedFrom == "old-name")
        #expect(byGoal["new-name"]?.fields == [])
        #expect(byGoal["flaky"]?.fields == ["status", "answer", "error"])
        #expect(result.changes.map(\.goal) == ["price", "new-name", "flaky", "fresh", "gone"])

        let markdown = result.markdown
        #expect(markdown.contains("**2 changed, 1 added, 1 removed, 1 renamed**, 1 unchanged · tokens 500 → 700 (+200)\n"))
        #expect(markdown.contains("| `price` | answer, tokens, cost | completed | 100 → 300 (+200) | $0.0100 → $0.0300 (+$0.0200) |"))
        #expect(markdown.contains("| `new-name` | renamed from `old-name` | completed | 100 |  |"))
        #expect(markdown.contains("| `flaky` | status, answer, error | completed → **failed** | 100 |  |"))
        #expect(markdown.contains("| `fresh` | added | completed | 100 |  |"))
        #expect(markdown.contains("| `gone` | removed | completed | 100 |  |"))
        #expect(markdown.contains("Answer (1 word out, 1 in): Bitcoin ~~rose~~ **fell** sharply on Monday after …"))
        #expect(markdown.contains("Error: none → `budget exceeded: 500 LLM calls`"))

        let json = try JSONDecoder().decode(JSONValue.self, from: result.json())
        #expect(json["changed"] == .bool(true))
        #expect(json["counts"]?["changed"]?.intValue == 2)
        #expect(json["counts"]?["renamed"]?.intValue == 1)
        let price = try #require(json["goals"]?.arrayValue?.first { $0["goal"]?.stringValue == "price" })
        #expect(price["tokens"]?["delta"]?.intValue == 200)
        #expect(price["answer_diff"]?.stringValue == "Bitcoin [-rose-] {+fell+} sharply on Monday after …")
        #expect(price["cost_usd"]?["delta"] != nil)
    }

    @Test func costIsLeftOutWhenNeitherTreeRecordsIt() throws {
        let result = try diff([CraftedGoal(id: "a", tokens: 10)], [CraftedGoal(id: "a", tokens: 12)])
        #expect(result.changes.first?.fields == ["tokens"])
        #expect(!result.markdown.contains("$"))
        #expect(!result.markdown.contains("cost "))
        let json = try JSONDecoder().decode(JSONValue.self, from: result.json())
        #expect(json["cost_usd"] == .object(["old": .null, "new": .null]))
    }

    @Test func aChangedRequestNamesItsKeys() throws {
        let result = try diff([CraftedGoal(id: "a")], [CraftedGoal(id: "a", model: "llama-3.1-8b")])
        #expect(result.changes.first?.requestKeys == ["model"])
        #expect(result.markdown.contains("| `a` | request (model) |"))
    }

    @Test func longAnswersAreCutToAFewHunks() throws {
        let words = (1...200).map { "w\($0)" }
        var changed = words
        for i in stride(from: 10, to: 200, by: 30) { changed[i] = "X\(i)" }
        let wordDiff = try #require(
            WordDiff(old: words.joined(separator: " "), new: changed.joined(separator: " "), context: 2, maxHunks: 3))
        #expect(wordDiff.hunks.count == 3)
        #expect(wordDiff.moreHunks == 4)
        #expect(wordDiff.plain.hasPrefix("… w9 w10 [-w11-] {+X10+} w12 w13 … "))
        #expect(wordDiff.plain.hasSuffix("(4 more changes)"))
        // Nothing left out at either end: no "…" there.
        #expect(WordDiff(old: "a b c", new: "a x c")?.plain == "a [-b-] {+x+} c")
        #expect(WordDiff(old: "*bold* claim", new: "_plain_ claim")?.markdown == "~~\\*bold\\*~~ **\\_plain\\_** claim")
        #expect(WordDiff(old: String(repeating: "w ", count: WordDiff.maxWords + 1), new: "w") == nil)
    }

    @Test func aMissingFileOrFolderIsTroubleWithAClearMessage() throws {
        let tmp = try TemporaryFolder()
        let folder = tmp.url.appendingPathComponent("new")
        try CraftedTree.write(folder, goals: [CraftedGoal(id: "a"), CraftedGoal(id: "b")])
        try FileManager.default.removeItem(at: folder.appendingPathComponent("b/execution.json"))
        #expect(throws: DiffError("new/b/execution.json: missing (summary.json lists 'b' as completed)")) {
            try ResultsSnapshot.read(folder, label: "new")
        }
        #expect(throws: DiffError("nowhere: no such folder")) {
            try ResultsSnapshot.read(tmp.url.appendingPathComponent("nowhere"), label: "nowhere")
        }
        try FileManager.default.createDirectory(at: tmp.url.appendingPathComponent("empty"), withIntermediateDirectories: true)
        #expect(throws: DiffError("empty: no summary.json here or in its subfolders; expected a results folder written by roma run")) {
            try ResultsSnapshot.read(tmp.url.appendingPathComponent("empty"), label: "empty")
        }
    }

    @Test func aResultsRootComparesEveryManifestAndNamesGoalsWithTheirManifest() throws {
        let tmp = try TemporaryFolder()
        try CraftedTree.write(tmp.url.appendingPathComponent("old/one"), manifest: "one", goals: [CraftedGoal(id: "a")])
        try CraftedTree.write(tmp.url.appendingPathComponent("old/two"), manifest: "two", goals: [CraftedGoal(id: "a")])
        try CraftedTree.write(tmp.url.appendingPathComponent("new/one"), manifest: "one", goals: [CraftedGoal(id: "a", tokens: 7)])
        let result = ResultsDiff(
            old: try ResultsSnapshot.read(tmp.url.appendingPathComponent("old"), label: "old"),
            new: try ResultsSnapshot.read(tmp.url.appendingPathComponent("new"), label: "new"), oldLabel: "old", newLabel: "new")
        #expect(result.changes.map { "\($0.manifest)/\($0.goal) \($0.kind)" } == ["one/a changed", "two/a removed"])
        #expect(result.markdown.contains("| `two/a` | removed |"))
    }
}
