import Foundation
import ROMACore
import Testing

@testable import ROMARunner

/// `index.md` says which models had no price when a run's cost is unknown, from the goal
/// folders' own data, so a summary rebuilt later (a re-run, the last shard) is byte-identical.
@Suite struct UnpricedModelTests {
    /// A manifest whose `fast` profile plans on `planner` and does everything else on
    /// `cheap-model`; `min_depth: 1` makes every goal call both. `pricing` is the `pricing:` body;
    /// a goal in `ownModel` runs every agent on the model given there.
    static func manifest(pricing: String, goals: [String] = ["a"], ownModel: [String: String] = [:]) throws -> Manifest {
        var yaml = """
            name: mixed
            defaults: { config_profile: fast, max_depth: 2, min_depth: 1 }
            pricing:
            \(pricing)
            profiles:
              fast: { model: cheap-model, planner: local-llama }
            goals:

            """
        for id in goals {
            let overrides = ownModel[id].map { ", config_overrides: { model: \($0) }" } ?? ""
            yaml += "  - { id: \(id), goal: \"Compare rivers, question \(id)\"\(overrides) }\n"
        }
        return try Fixtures.manifest(yaml: yaml)
    }

    static let cheapPrice = "  cheap-model: { input: 0.15, output: 0.60 }"

    static func read(_ url: URL, _ path: String) throws -> String {
        String(decoding: try Data(contentsOf: url.appendingPathComponent(path)), as: UTF8.self)
    }

    /// The line of `index.md` that starts with `Cost:`.
    static func costLine(_ index: String) -> String? {
        index.split(separator: "\n").first { $0.hasPrefix("Cost:") }.map(String.init)
    }

    @Test func aRunWithOnePricedAndOneUnpricedModelNamesTheUnpricedOne() async throws {
        let tmp = try TemporaryFolder()
        let manifest = try Self.manifest(pricing: Self.cheapPrice)
        _ = try await BatchRunner(options: Fixtures.options(tmp.url)).run([manifest])
        let tree = tmp.url.appendingPathComponent("mixed")
        let details = try CanonicalJSON.decode(
            ExecutionDetails.self, from: try Data(contentsOf: tree.appendingPathComponent("a/execution.json")))
        #expect(details.metadata.costUSD == .unknown)
        #expect(details.metadata.unpricedModels == ["local-llama"])
        let summary = try CanonicalJSON.decode(Summary.self, from: try Data(contentsOf: tree.appendingPathComponent("summary.json")))
        #expect(summary.totalCostUSD == .unknown)
        #expect(summary.unpricedModels == ["local-llama"])
        #expect(summary.goals.first?.unpricedModels == ["local-llama"])
        let index = try Self.read(tree, "index.md")
        #expect(Self.costLine(index) == "Cost: unknown (no price for: local-llama)")
        #expect(index.contains("| unknown |"))
    }

    @Test func theNamesAreSortedAndListedOnceAcrossGoals() async throws {
        let tmp = try TemporaryFolder()
        // `b` runs every agent on its own model (an override), so the run uses two unpriced
        // models; `a` and `c` share one.
        let manifest = try Self.manifest(pricing: Self.cheapPrice, goals: ["a", "b", "c"], ownModel: ["b": "gpt-x"])
        _ = try await BatchRunner(options: Fixtures.options(tmp.url)).run([manifest])
        let index = try Self.read(tmp.url, "mixed/index.md")
        #expect(Self.costLine(index) == "Cost: unknown (no price for: gpt-x, local-llama)")
    }

    @Test func aFullyPricedRunNamesNothing() async throws {
        let tmp = try TemporaryFolder()
        let manifest = try Self.manifest(pricing: Self.cheapPrice + "\n  local-llama: { input: 0, output: 0 }")
        _ = try await BatchRunner(options: Fixtures.options(tmp.url)).run([manifest])
        let tree = tmp.url.appendingPathComponent("mixed")
        for file in ["summary.json", "a/execution.json", "index.md"] {
            #expect(!(try Self.read(tree, file)).contains("unpriced"), "\(file)")
            #expect(!(try Self.read(tree, file)).contains("no price"), "\(file)")
        }
        #expect(Self.costLine(try Self.read(tree, "index.md"))?.hasPrefix("Cost: $") == true)
    }

    @Test func aSecondRunRebuildsTheSameSummaryFromTheFolders() async throws {
        let tmp = try TemporaryFolder()
        let manifest = try Self.manifest(pricing: Self.cheapPrice, goals: ["a", "b"])
        _ = try await BatchRunner(options: Fixtures.options(tmp.url)).run([manifest])
        let tree = tmp.url.appendingPathComponent("mixed")
        let first = try ["summary.json", "index.md"].map { try Self.read(tree, $0) }
        // Every goal is current, so this run reads every row back from its folder.
        _ = try await BatchRunner(options: Fixtures.options(tmp.url)).run([manifest])
        #expect(try ["summary.json", "index.md"].map { try Self.read(tree, $0) } == first)
        #expect(Self.costLine(first[1]) == "Cost: unknown (no price for: local-llama)")
    }

    /// The last shard builds the summary from the rows the other shards left in the ledger; a
    /// whole run after it reads every folder. Both must write the same bytes.
    @Test func theLastShardWritesTheSummaryAWholeRunWould() async throws {
        let tmp = try TemporaryFolder()
        let ids = ["a", "b", "c", "d", "e", "f"]
        let manifest = try Self.manifest(pricing: Self.cheapPrice, goals: ids)
        let shards = try [0, 1].map { try #require(Shard(index: $0, count: 2)) }
        for shard in shards {
            try #require(ids.contains { shard.contains(manifest: "mixed", goalID: $0) }, "every shard runs a goal")
        }
        for shard in shards {
            var options = Fixtures.options(tmp.url)
            options.shard = shard
            _ = try await BatchRunner(options: options).run([manifest])
        }
        let tree = tmp.url.appendingPathComponent("mixed")
        let sharded = try ["summary.json", "index.md"].map { try Self.read(tree, $0) }
        #expect(Self.costLine(sharded[1]) == "Cost: unknown (no price for: local-llama)")
        #expect(!sharded[1].contains("| – |"), "every goal's cost is unknown, none missing")
        _ = try await BatchRunner(options: Fixtures.options(tmp.url)).run([manifest])
        #expect(try ["summary.json", "index.md"].map { try Self.read(tree, $0) } == sharded)
    }

    /// A summary row read back from the ledger keeps `cost_usd: null` (unknown), not nil (never ran).
    @Test func aRowKeepsAnUnknownCostThroughJSON() throws {
        let row = Summary.Row(
            id: "a", status: "completed", tokens: 1, llmCalls: 1, nodes: 1, configProfile: "fast", goal: "g", costUSD: .unknown,
            unpricedModels: ["local-llama"])
        let decoded = try CanonicalJSON.decode(Summary.Row.self, from: try CanonicalJSON.encode(row))
        #expect(decoded == row)
    }
}
