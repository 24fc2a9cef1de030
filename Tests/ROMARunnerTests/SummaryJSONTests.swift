import Foundation
import ROMACore
import Testing

@testable import ROMARunner

/// `summary.json` and the shards' ledger come from the hand-written writer; trees already
/// committed were written by `JSONEncoder`, so the bytes must not drift.
@Suite("summary.json written by hand, byte for byte as JSONEncoder")
struct SummaryJSONTests {
    /// A seeded generator (SplitMix64), so a failure names a seed that reproduces it.
    struct Random {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
        mutating func maybe<T>(_ make: (inout Random) -> T) -> T? { below(3) == 0 ? nil : make(&self) }
        mutating func text() -> String {
            let pieces = ["a", "Zürich", "\"", "\\", "\n", "\t", "\u{1}", "/", "é", "日本", "🙂", " ", "{", "]", "0.5", "<b>"]
            return (0..<below(8)).map { _ in pieces[below(pieces.count)] }.joined()
        }
        mutating func double() -> Double {
            [0, 0.1, 1.0 / 3, 12.5, 1e-7, 123_456.789, Double(below(1_000_000)) / 1000][below(7)]
        }
        mutating func cost() -> CostUSD? {
            switch below(3) {
            case 0: nil
            case 1: .unknown
            default: .usd(double())
            }
        }
        mutating func row() -> Summary.Row {
            Summary.Row(
                id: text(), status: ["completed", "failed", "pending", "deferred"][below(4)], executionId: maybe { $0.text() },
                contentHash: maybe { $0.text() }, tokens: below(100_000), llmCalls: below(99), nodes: below(40),
                executionTime: maybe { $0.double() }, configProfile: text(), model: maybe { $0.text() }, goal: text(),
                error: maybe { $0.text() }, costUSD: cost(), unpricedModels: maybe { r in (0..<r.below(3)).map { _ in r.text() } })
        }
        /// A summary, made through its decoder (it has no memberwise initialiser).
        mutating func summary() throws -> Summary {
            let rows = (0..<below(6)).map { _ in row() }
            let encodedRows = try CanonicalJSON.decode(JSONValue.self, from: CanonicalJSON.encode(rows))
            var object: [String: JSONValue] = [
                "manifest": .string(text()), "goals": encodedRows,
                "counts": .object(
                    Dictionary((0..<below(4)).map { _ in (text(), JSONValue.int(below(50))) }, uniquingKeysWith: { a, _ in a })),
            ]
            switch cost() {
            case nil: break
            case .unknown: object["total_cost_usd"] = .null
            case .usd(let value): object["total_cost_usd"] = .double(value)
            }
            if below(2) == 0 { object["unpriced_models"] = .array((0..<below(3)).map { _ in .string(text()) }) }
            return try CanonicalJSON.decode(Summary.self, from: CanonicalJSON.encode(JSONValue.object(object)))
        }
    }

    @Test("summaries: the same pretty bytes as JSONEncoder", arguments: 0..<20)
    func summariesMatchEncoder(seed: Int) throws {
        var random = Random(state: UInt64(seed))
        for _ in 0..<30 {
            let summary = try random.summary()
            #expect(try CanonicalJSON.pretty(summary) == CanonicalJSON.encode(summary), "seed \(seed)")
        }
    }

    @Test("the shards' ledger: the same pretty bytes as JSONEncoder", arguments: 0..<10)
    func ledgerMatchesEncoder(seed: Int) throws {
        var random = Random(state: UInt64(100 + seed))
        for _ in 0..<30 {
            let rows = Dictionary((0..<random.below(6)).map { _ in (random.text(), random.row()) }, uniquingKeysWith: { a, _ in a })
            let contents = SummaryLedger.Contents(rows: rows)
            #expect(try CanonicalJSON.pretty(contents) == CanonicalJSON.encode(contents), "seed \(seed)")
        }
    }

    @Test("the committed example trees' summary.json files come out byte for byte")
    func committedSummaries() throws {
        let examples = Fixtures.packageRoot.appendingPathComponent("examples/results")
        let names = try FileManager.default.contentsOfDirectory(atPath: examples.path)
        var checked = 0
        for name in names {
            let file = examples.appendingPathComponent(name).appendingPathComponent("summary.json")
            guard let data = FileManager.default.contents(atPath: file.path) else { continue }
            let summary = try CanonicalJSON.decode(Summary.self, from: data)
            #expect(try CanonicalJSON.pretty(summary) == data, "\(file.path)")
            checked += 1
        }
        #expect(checked >= 3)
    }
}
