import Foundation
import ROMACore
import ROMAEngine
import ROMATestSupport
import Testing

@testable import ROMARunner

/// Shards of one batch writing into one tree leave a summary that lists every goal, however
/// their ends interleave (issue 15).
@Suite struct ShardSummaryTests {
    /// Holds the shards of one trial so that their ends interleave in the worst way for a summary
    /// gathered from the goal folders: the first shard of `order` gathers its summary's rows
    /// before any other shard has run a goal, and writes its summary only once every other shard
    /// has finished, or is waiting for it (for the ledger's lock). The other shards go into their
    /// summary phase one by one in `order`.
    actor Race {
        let order: [Int]
        private var passed = 0
        private var waiting: [Int: CheckedContinuation<Void, Never>] = [:]
        private var gateOpen = false
        private var gateWaiters: [CheckedContinuation<Void, Never>] = []
        private var settled: Set<Int> = []
        private var othersSettled: CheckedContinuation<Void, Never>?

        init(order: [Int]) { self.order = order }

        var first: Int { order[0] }

        /// A turnstile: a shard passes once every shard before it in the order has passed.
        func pass(_ index: Int) async {
            if order[passed] != index {
                await withCheckedContinuation { waiting[index] = $0 }
            }
            passed += 1
            if passed < order.count, let next = waiting.removeValue(forKey: order[passed]) { next.resume() }
        }

        /// The other shards' model calls wait here until the first shard has gathered its rows.
        func untilGateOpens() async {
            guard !gateOpen else { return }
            await withCheckedContinuation { gateWaiters.append($0) }
        }

        /// The first shard, its rows gathered: lets the others run, and returns once each of
        /// them has finished or waits for the ledger.
        func openGateAndWaitForTheOthers() async {
            gateOpen = true
            for waiter in gateWaiters { waiter.resume() }
            gateWaiters = []
            guard settled.count < order.count - 1 else { return }
            await withCheckedContinuation { othersSettled = $0 }
        }

        /// A shard other than the first has finished, or is about to wait for the ledger.
        func settle(_ index: Int) {
            guard index != first, settled.insert(index).inserted, settled.count == order.count - 1 else { return }
            othersSettled?.resume()
            othersSettled = nil
        }
    }

    /// The offline model, answering only once the race lets the shard's goals run.
    struct GatedModel: LanguageModel {
        let race: Race
        let base = OfflineModel()
        var providerName: String { base.providerName }

        func complete(_ request: ChatRequest, context: CallContext) async throws -> ChatResponse {
            await race.untilGateOpens()
            return try await base.complete(request, context: context)
        }
    }

    /// The race above fails every trial when shards gather their rows from the goal folders:
    /// the first shard's summary, written last, lists the others' goals as pending.
    @Test(.timeLimit(.minutes(2)))
    func eightShardsLeaveACompleteSummaryWhateverOrderTheyFinishIn() async throws {
        var yaml = "name: sharded\ndefaults: { max_depth: 1 }\ngoals:\n"
        for i in 0..<24 { yaml += "  - { id: g\(i), goal: \"Question number \(i) about rivers\" }\n" }
        let manifest = try Fixtures.manifest(yaml: yaml)
        var random = SplitMix64(seed: 15)
        for trial in 0..<20 {
            let tmp = try TemporaryFolder()
            var order = Array(0..<8)
            order.shuffle(using: &random)
            let race = Race(order: order)
            let first = order[0]
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<8 {
                    var options = Fixtures.options(tmp.url)
                    options.concurrency = 2
                    options.shard = Shard(index: index, count: 8)
                    options.beforeSummary = { _ in await race.pass(index) }
                    options.beforeLedgerLock = { _ in await race.settle(index) }
                    options.summaryWindow = { _ in if index == first { await race.openGateAndWaitForTheOthers() } }
                    let model: (any LanguageModel)? = index == first ? nil : GatedModel(race: race)
                    group.addTask {
                        _ = try await BatchRunner(options: options, providerModel: model).run([manifest])
                        await race.settle(index)
                    }
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
