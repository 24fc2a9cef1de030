import Foundation
import ROMACore
import ROMATestSupport
import Testing

@testable import ROMAEngine

/// The hand-written canonical lines must stay byte-identical to `JSONEncoder`'s: replay keys hash
/// them, and recordings committed to git were keyed with `JSONEncoder`.
@Suite("Canonical JSON lines")
struct CanonicalLineTests {
    /// Random values from a seeded generator, so a failure names a seed that reproduces it.
    struct Random {
        var generator: SplitMix64
        init(state: UInt64) { generator = SplitMix64(seed: state) }
        mutating func next() -> UInt64 { generator.next() }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }

        /// Text mixing the characters JSON escapes, slashes, DEL, line separators and non-ASCII.
        mutating func text() -> String {
            let pieces = [
                "a", "Z", "_", "/", "\\", "\"", "\n", "\t", "\r", "\u{8}", "\u{c}", "\u{0}", "\u{1}", "\u{1f}", "\u{7f}", "\u{2028}",
                "é", "日本", "😀", " ", "{", "}", "[", ":", ",", "0", "9", "Plan the work",
            ]
            return (0..<below(12)).map { _ in pieces[below(pieces.count)] }.joined()
        }

        mutating func double() -> Double {
            let samples: [Double] = [0, 1, 0.7, 0.5, 0.1, 1e-7, 2.5e-5, 123_456_789, 1e16, 1e15, 1e20, -0.0, -3.25, 0.30000000000000004]
            return below(3) == 0 ? Double(next() % 1_000_000) / 1000 : samples[below(samples.count)]
        }

        mutating func json(depth: Int) -> JSONValue {
            switch below(depth > 2 ? 6 : 8) {
            case 0: return .null
            case 1: return .bool(below(2) == 0)
            case 2: return .int(Int(truncatingIfNeeded: next()) >> below(64))
            case 3: return .double(double())
            case 4, 5: return .string(text())
            case 6: return .array((0..<below(4)).map { _ in json(depth: depth + 1) })
            default:
                var object: [String: JSONValue] = [:]
                for _ in 0..<below(6) { object[text()] = json(depth: depth + 1) }
                return .object(object)
            }
        }

        mutating func request() -> ChatRequest {
            let messages = (0..<(1 + below(4))).map { _ in ChatMessage(role: ["system", "user", "assistant"][below(3)], content: text()) }
            let schema = below(2) == 0 ? nil : ResponseSchema(name: text(), schema: json(depth: 0))
            return ChatRequest(model: text(), messages: messages, temperature: double(), maxTokens: below(20_000), responseSchema: schema)
        }

        mutating func record() -> CallRecord {
            CallRecord(
                key: text(), nodeID: text(), sequence: below(9), purpose: text(), provider: text(), sample: below(3), request: request(),
                response: text(), finishReason: below(3) == 0 ? nil : text(),
                usage: TokenUsage(promptTokens: below(9999), completionTokens: below(999)), latencyMs: below(99999),
                startedAt: text(), finishedAt: text())
        }
    }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    @Test("call records and requests: the same bytes as JSONEncoder", arguments: 0..<20)
    func recordsMatchEncoder(seed: Int) throws {
        var random = Random(state: UInt64(seed))
        for _ in 0..<50 {
            let record = random.record()
            #expect(record.canonicalLine == Array(try Self.encoder.encode(record)), "seed \(seed)")
            #expect(record.request.canonicalLine == Array(try Self.encoder.encode(record.request)), "seed \(seed)")
        }
    }

    @Test("a record carrying its request's line (as the engine makes them) writes the same bytes; a changed request drops the line")
    func splicedRequestLine() throws {
        var random = Random(state: 7)
        for _ in 0..<100 {
            let plain = random.record()
            var spliced = plain
            spliced.requestLine = DerivedBytes(bytes: plain.request.canonicalLine)
            #expect(spliced.canonicalLine == Array(try Self.encoder.encode(plain)))
            #expect(spliced == plain && spliced.hashValue == plain.hashValue, "the line is not part of the record's value")
            spliced.request = random.request()
            #expect(spliced.requestLine.bytes == nil)
            #expect(spliced.canonicalLine == Array(try Self.encoder.encode(spliced)))
        }
    }

    @Test("a response schema keeps its line: the same bytes spliced in or written; a changed or decoded schema writes without it")
    func splicedSchemaLine() throws {
        var random = Random(state: 11)
        for _ in 0..<100 {
            var schema = ResponseSchema(name: "plan", schema: .object(["v": random.json(depth: 0)]))
            #expect(schema.line.bytes == schema.schema.canonicalLine)
            var request = ChatRequest(model: "m", messages: [.user("hi")], temperature: 0.5, maxTokens: 10, responseSchema: schema)
            #expect(request.canonicalLine == Array(try Self.encoder.encode(request)))
            // Pretty writers never splice a one-line value in.
            var pretty = JSONLineWriter(pretty: true)
            schema.write(to: &pretty)
            #expect(pretty.bytes + [UInt8(ascii: "\n")] == Array(try CanonicalJSON.encode(schema)))
            let decoded = try JSONDecoder().decode(ResponseSchema.self, from: try Self.encoder.encode(schema))
            #expect(decoded.line.bytes == nil)
            let encoded = Array(try Self.encoder.encode(decoded))
            #expect(decoded.canonicalLine == encoded)
            schema.schema = .object(["w": random.json(depth: 0)])
            #expect(schema.line.bytes == nil)
            request.responseSchema = schema
            #expect(request.canonicalLine == Array(try Self.encoder.encode(request)))
        }
    }

    @Test("JSON values: the same bytes as JSONEncoder, keys in its sorted order", arguments: 0..<20)
    func valuesMatchEncoder(seed: Int) throws {
        var random = Random(state: UInt64(1000 + seed))
        for _ in 0..<50 {
            let value = JSONValue.object(["v": random.json(depth: 0)])
            var writer = JSONLineWriter()
            writer.value(value)
            #expect(writer.bytes == Array(try Self.encoder.encode(value)), "seed \(seed)")
        }
    }

    @Test("the replay key hashes what JSONEncoder wrote for the key's fields")
    func keyMatchesEncoderKey() throws {
        struct Keyed: Encodable {
            var provider: String
            var request: ChatRequest
            var sample: Int
        }
        var random = Random(state: 42)
        for _ in 0..<100 {
            let request = random.request()
            let sample = random.below(4)
            let expected = SHA256.hex(bytes: Array(try Self.encoder.encode(Keyed(provider: "openai", request: request, sample: sample))))
            #expect(CallRecord.key(provider: "openai", request: request, sample: sample) == expected)
        }
    }

    @Test("timestamps: millisecond ISO 8601 in UTC, round-tripping")
    func timestamps() {
        #expect(Timestamp.string(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00.000Z")
        #expect(Timestamp.string(Date(timeIntervalSince1970: 1_762_857_000.1234)) == "2025-11-11T10:30:00.123Z")
        #expect(Timestamp.string(Date(timeIntervalSince1970: 951_782_399.9996)) == "2000-02-29T00:00:00.000Z")
        #expect(Timestamp.string(Date(timeIntervalSince1970: -0.5)) == "1969-12-31T23:59:59.500Z")
        #expect(Timestamp.string(Date(timeIntervalSince1970: 253_402_300_800)) == "10000-01-01T00:00:00.000Z")
        var random = Random(state: 7)
        for _ in 0..<200 {
            let millis = Double(random.below(4_000_000_000_000))
            let date = Date(timeIntervalSince1970: millis / 1000)
            #expect(Timestamp.date(Timestamp.string(date)).map { ($0.timeIntervalSince1970 * 1000).rounded() } == millis)
        }
    }
}
