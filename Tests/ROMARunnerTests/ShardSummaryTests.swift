import Foundation
import ROMACore
import ROMATestSupport
import Testing

@testable import ROMARunner

/// Shards of one batch writing into one tree leave a summary that lists every goal, however
/// their ends interleave (issue 15).
@Suite struct ShardSummaryTests {
    /// Lets shards into their summary phase one by one in a given order: a shard passes once
    /// every shard before it in the order has passed.
    actor Turnstile {
        private let order: [Int]
        private var passed = 0
        private var waiting: [Int: CheckedContinuation<Void, Never>] = [:]

        init(order: [Int]) { self.order = order }

        func pass(_ index: Int) async {
            if order[passed] != index {
                await withCheckedContinuation { waiting[index] = $0 }
            }
            passed += 1
            if passed < order.count, let next = waiting.removeValue(forKey: order[passed]) { next.resume() }
        }
    }

    @Test func eightShardsLeaveACompleteSummaryWhateverOrderTheyFinishIn() async throws {
        var yaml = "name: sharded\ndefaults: { max_depth: 1 }\ngoals:\n"
        for i in 0..<24 { yaml += "  - { id: g\(i), goal: \"Question number \(i) about rivers\" }\n" }
        let manifest = try Fixtures.manifest(yaml: yaml)
        var random = SplitMix64(seed: 15)
        for trial in 0..<20 {
            let tmp = try TemporaryFolder()
            var order = Array(0..<8)
            order.shuffle(using: &random)
            let turnstile = Turnstile(order: order)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<8 {
                    var options = Fixtures.options(tmp.url)
                    options.concurrency = 2
                    options.shard = Shard(index: index, count: 8)
                    options.beforeSummary = { shard in await turnstile.pass(shard?.index ?? -1) }
                    group.addTask { _ = try await BatchRunner(options: options).run([manifest]) }
                }
                try await group.waitForAll()
            }
            let data = try #require(FileManager.default.contents(atPath: tmp.url.appendingPathComponent("sharded/summary.json").path))
            let summary = try CanonicalJSON.decode(Summary.self, from: data)
            #expect(summary.counts == ["completed": 24], "trial \(trial), shards finished in order \(order)")
            #expect(summary.goals.map(\.id) == manifest.goals.map(\.id))
            let index = String(
                decoding: try #require(FileManager.default.contents(atPath: tmp.url.appendingPathComponent("sharded/index.md").path)),
                as: UTF8.self)
            #expect(!index.contains("| pending |"), "trial \(trial)")
        }
    }

    @Test func aWholeRunAfterShardsRemovesTheLedgerAndRereadsTheFolders() async throws {
        let tmp = try TemporaryFolder()
        let manifest = try Fixtures.manifest(yaml: "name: sharded\ngoals:\n  - { id: a, goal: one }\n  - { id: b, goal: two }\n")
        for index in 0..<2 {
            var options = Fixtures.options(tmp.url)
            options.shard = Shard(index: index, count: 2)
            _ = try await BatchRunner(options: options).run([manifest])
        }
        let ledger = tmp.url.appendingPathComponent("sharded/\(SummaryLedger.fileName)").path
        #expect(FileManager.default.fileExists(atPath: ledger))
        _ = try await BatchRunner(options: Fixtures.options(tmp.url)).run([manifest])
        #expect(!FileManager.default.fileExists(atPath: ledger))
    }

    @Test func aDamagedLedgerIsReadAsEmpty() async throws {
        let tmp = try TemporaryFolder()
        let manifest = try Fixtures.manifest(yaml: "name: sharded\ngoals:\n  - { id: a, goal: one }\n  - { id: b, goal: two }\n")
        _ = try await BatchRunner(options: Fixtures.options(tmp.url)).run([manifest])
        try Data(#"{"rows":{"a":{"#.utf8).write(to: tmp.url.appendingPathComponent("sharded/\(SummaryLedger.fileName)"))
        var options = Fixtures.options(tmp.url)
        options.shard = Shard(index: 0, count: 2)
        _ = try await BatchRunner(options: options).run([manifest])
        let summary = try CanonicalJSON.decode(
            Summary.self, from: try Data(contentsOf: tmp.url.appendingPathComponent("sharded/summary.json")))
        #expect(summary.counts == ["completed": 2])
    }
}
