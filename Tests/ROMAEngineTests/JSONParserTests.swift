import Foundation
import ROMATestSupport
import Testing

@testable import ROMACore
@testable import ROMAEngine

/// The hand-written parser gives what `JSONDecoder` gives for `JSONValue`, and refuses what it refuses.
@Suite("JSON parser")
struct JSONParserTests {
    static func decoded(_ text: String) -> JSONValue? { try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)) }
    static func parsed(_ text: String) -> JSONValue? { try? JSONParser.parse(Array(text.utf8)) }

    /// Equal, allowing the documented corner: at or above 2^53 a number `JSONDecoder` made an
    /// `Int` may be a `Double` of (nearly) the same value here.
    static func agree(_ a: JSONValue?, _ b: JSONValue?) -> Bool {
        guard let a, let b else { return a == nil && b == nil }
        switch (a, b) {
        case (.double(let d), .int(let i)), (.int(let i), .double(let d)):
            // There JSONDecoder may also cut the written fraction off: the same number to a unit in the last place.
            return d.magnitude >= 9_007_199_254_740_992 && (Double(i) - d).magnitude <= d.ulp
        case (.array(let x), .array(let y)): return x.count == y.count && zip(x, y).allSatisfy { agree($0, $1) }
        case (.object(let x), .object(let y)): return Set(x.keys) == Set(y.keys) && x.allSatisfy { agree($0.value, y[$0.key]) }
        default: return a == b
        }
    }

    @Test("random documents: the same values as JSONDecoder", arguments: 0..<20)
    func randomDocuments(seed: Int) throws {
        var random = CanonicalLineTests.Random(state: UInt64(5000 + seed))
        let encoder = JSONEncoder()
        for _ in 0..<50 {
            let value = JSONValue.array([random.json(depth: 0), random.json(depth: 0)])
            let text = String(decoding: try encoder.encode(value), as: UTF8.self)
            let parsed = Self.parsed(text)
            #expect(parsed != nil, "seed \(seed): \(text)")
            #expect(Self.agree(parsed, Self.decoded(text)), "seed \(seed): \(text)")
            // Skipped members are checked as strictly as kept ones.
            let skipping = try? JSONParser.parseObject(Array(#"{"skip": \#(text), "keep": 1}"#.utf8), keeping: ["keep"])
            #expect(skipping == ["keep": .int(1)], "seed \(seed): \(text)")
        }
    }

    @Test(
        "edge cases agree with JSONDecoder",
        arguments: [
            "[5]", "[5.0]", "[1e2]", "[1E+2]", "[-0]", "[-0.0]", "[1.5]", "[12345678901234567890]", "[9223372036854775807]",
            "[9223372036854775808]", "[-9223372036854775808]", "[1.0e0]", "[2.5e-1]", "[100e-2]", "[0.1]", "[-12.75e3]",
            #"["a\u0000b"]"#, #"["\ud83d\ude00"]"#, #"["\/\b\f\n\r\t\"\\"]"#, #"["\u00e9\u2028"]"#, "[\"\u{7f}é😀\"]",
            #"{"a":1,"a":2}"#, "[1,]", #"{"a":1,}"#, "[1 ]", " [1] ", "[true, false, null]", "{}", "[]", " { \"k\" : [ ] } ",
            "\"top\"", "7", "null",
        ])
    func edgeCases(text: String) throws {
        #expect(Self.decoded(text) != nil)
        #expect(Self.parsed(text) == Self.decoded(text))
        #expect(try JSONParser.parseObject(Array(#"{"skip": \#(text), "keep": 1}"#.utf8), keeping: ["keep"]) == ["keep": .int(1)])
    }

    @Test(
        "numbers near the edges of Int and of exact doubles decode as JSONDecoder decodes them",
        arguments: [
            "[-9223372036854775809]", "[9223372036854775808]", "[-9223372036854775808]", "[9223372036854775807]",
            "[4503599627370496.5]", "[4503599627370497.5]", "[8437956934540095.757]", "[9007199254740993]", "[1e15]", "[-1e15]",
            "[123.000]", "[-0.000]", "[2.5e0]", "[25e-1]", "[1E-2]", "[0.5e1]", "[123.757]", "[1.00000000000000000000000001]",
        ])
    func numberEdges(text: String) {
        #expect(Self.decoded(text) != nil)
        #expect(Self.parsed(text) == Self.decoded(text))
    }

    @Test(
        "above 2^53 a fraction or exponent stays a double (the documented corner where JSONDecoder may make an Int)",
        arguments: [
            ("[1e16]", 1e16), ("[12345678901234567.0]", 12_345_678_901_234_567.0),
            ("[-9223372036854775808.0]", -9_223_372_036_854_775_808.0),
        ])
    func numbersAbove2to53(text: String, value: Double) {
        #expect(Self.parsed(text) == .array([.double(value)]))
        #expect(Self.agree(Self.parsed(text), Self.decoded(text)))
    }

    @Test("random numbers in every written form: the same values as JSONDecoder (but for the corner above 2^53)")
    func randomNumbers() {
        var random = SplitMix64(seed: 77)
        var differences: [String] = []
        for _ in 0..<20_000 {
            let digits = String(random.next() >> (random.next() % 64))
            var text = random.next() % 2 == 0 ? "-" + digits : digits
            switch random.next() % 4 {
            case 0: text += "." + String(random.next() % 1000)
            case 1: text += ".0"
            case 2: text += "e" + String(Int(random.next() % 40) - 20)
            default: break
            }
            let document = "[\(text)]"
            if !Self.agree(Self.parsed(document), Self.decoded(document)) { differences.append(text) }
        }
        #expect(differences.isEmpty, "\(differences.count) differ, e.g. \(differences.prefix(5))")
    }

    @Test("a UTF-8 byte order mark is skipped and invalid UTF-8 refused, as JSONDecoder does")
    func encodings() throws {
        let bom: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("[1]".utf8)
        #expect(try JSONParser.parse(bom) == .array([.int(1)]))
        #expect(try JSONDecoder().decode(JSONValue.self, from: Data(bom)) == .array([.int(1)]))
        let latin1: [UInt8] = Array(#"{"key":"k","request":"caf"#.utf8) + [0xE9] + Array(#"","response":"r"}"#.utf8)
        #expect(throws: JSONParser.Failure.self) { try JSONParser.parse(latin1) }
        #expect(throws: JSONParser.Failure.self) { try JSONParser.parseObject(latin1, keeping: ["key", "response"]) }
        #expect(throws: (any Error).self) { try JSONDecoder().decode(JSONValue.self, from: Data(latin1)) }
        let escaped: [UInt8] = Array(#"["caf\u00e9 "#.utf8) + [0xE9] + Array(#""]"#.utf8)
        #expect(throws: JSONParser.Failure.self) { try JSONParser.parse(escaped) }
    }

    @Test(
        "what JSONDecoder refuses is refused",
        arguments: [
            "[01]", "[1.]", "[.5]", "[+1]", "[1e400]", "[-]", "[1e]", #"["\ud83d"]"#, #"["\ude00"]"#, "[\"a\tb\"]", "[NaN]", "[Infinity]",
            "[1]x", "//c\n[1]", "[0x10]", "['a']", "{a:1}", "[", "{\"a\"", "{\"a\":}", "[1 2]", "[,]", "{,}", #"["\x"]"#, #"["\u12"]"#,
            "tru", "nul", "", "   ",
        ])
    func refusals(text: String) {
        #expect(Self.decoded(text) == nil)
        #expect(Self.parsed(text) == nil)
        #expect(throws: JSONParser.Failure.self) { try JSONParser.parseObject(Array(#"{"skip": \#(text)}"#.utf8), keeping: []) }
    }

    @Test("the eight-bytes-at-a-time scan finds exactly the bytes a JSON string must escape")
    func wordScan() {
        func special(_ byte: UInt8) -> Bool { byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") }
        for byte in UInt8.min...UInt8.max {
            for position in 0..<8 {
                for filler: UInt8 in [UInt8(ascii: "a"), 0xC3, 0x7F, 0xFF, 0x21, 0x5D] {
                    var bytes = [UInt8](repeating: filler, count: 8)
                    bytes[position] = byte
                    let word = bytes.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
                    #expect(JSONScan.hasSpecialByte(word) == special(byte), "byte \(byte) at \(position) among \(filler)")
                }
            }
        }
        var random = SplitMix64(seed: 9)
        for _ in 0..<2000 {
            let bytes = (0..<(random.next() % 40)).map { _ in UInt8(truncatingIfNeeded: random.next() >> 17) }
            let from = bytes.isEmpty ? 0 : Int(random.next() % UInt64(bytes.count))
            let expected = bytes[from...].firstIndex(where: special) ?? bytes.count
            #expect(bytes.withUnsafeBufferPointer { JSONScan.firstSpecial($0, from: from) } == expected)
        }
    }

    @Test("UTF-8 validation agrees with the standard library on random and boundary byte sequences")
    func utf8Validation() {
        let alphabet: [UInt8] = [
            0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xE1, 0xEC, 0xED, 0xEE, 0xEF, 0xF0,
            0xF1, 0xF3, 0xF4, 0xF5, 0xFF,
        ]
        var random = SplitMix64(seed: 11)
        var differences: [[UInt8]] = []
        for _ in 0..<100_000 {
            let bytes = (0..<(random.next() % 14)).map { _ in
                random.next() % 3 == 0 ? UInt8(ascii: "a") : alphabet[Int(random.next() % UInt64(alphabet.count))]
            }
            let expected = String(validating: bytes, as: UTF8.self) != nil
            if bytes.withUnsafeBufferPointer(JSONScan.isValidUTF8) != expected { differences.append(bytes) }
        }
        #expect(differences.isEmpty, "e.g. \(differences.prefix(3))")
        for text in ["", "plain ascii text, longer than eight bytes", "é日本😀 — ok", String(repeating: "ab€", count: 40)] {
            #expect(Array(text.utf8).withUnsafeBufferPointer(JSONScan.isValidUTF8))
        }
    }

    @Test("nesting is limited as JSONDecoder limits it, without exhausting the stack")
    func depthLimit() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(Self.parsed(deep) == nil)
        let fine = String(repeating: "[", count: 500) + String(repeating: "]", count: 500)
        #expect(Self.parsed(fine) != nil)
    }

    @Test("a prefix parse stops after the value; an object read keeps only the named members")
    func prefixAndPartialObject() throws {
        let text = Array(#"Here: {"a": [1, 2]} and more {"b": 2}"#.utf8)
        let (value, end) = try text.withUnsafeBufferPointer { buffer in try JSONParser.parsePrefix(buffer, from: 6) }
        #expect(value == .object(["a": .array([.int(1), .int(2)])]))
        #expect(end == 19)

        let line = Array(
            #"{"key":"k","request":{"messages":[{"content":"x\ny","role":"user"}]},"response":"r","usage":{"prompt_tokens":3}}"#.utf8)
        let fields = try JSONParser.parseObject(line, keeping: ["key", "response", "usage"])
        #expect(fields == ["key": .string("k"), "response": .string("r"), "usage": .object(["prompt_tokens": .int(3)])])
        #expect(throws: JSONParser.Failure.self) {
            try JSONParser.parseObject(Array(#"{"key":"k","request":{"m":[1,}"#.utf8), keeping: ["key"])
        }
    }

    @Test("model answers: JSON found inside fences and prose, first complete value wins")
    func extraction() throws {
        #expect(try StructuredOutput.extractJSON("Sure!\n```json\n{\"decision\": \"PLAN\"}\n```") == .object(["decision": .string("PLAN")]))
        #expect(try StructuredOutput.extractJSON("{broken {\"a\": 1} {\"b\": 2}") == .object(["a": .int(1)]))
        #expect(throws: StructuredOutput.Failure.self) { try StructuredOutput.extractJSON("no json {here") }
    }
}

@Suite("White space trimming")
struct TrimmingTests {
    @Test(
        "trims what Foundation's whitespacesAndNewlines trims, nothing else",
        arguments: [
            "", "  ", "\n\t x \r\n", "x", " é ", "\u{00A0}a b\u{2028}", "\u{3000}日本\u{2009}", "a\u{301} ", " \u{301}x",
            "\u{85}y\u{0B}\u{0C}", "\u{200B}zero width\u{200B}", "\u{200B}", "\u{FEFF}bom\u{FEFF}", "\u{180E}m\u{180E}",
        ])
    func trims(text: String) {
        #expect(text.trimmedWhitespace == text.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(Array(text.trimmedWhitespace.unicodeScalars) == Array(text.trimmingCharacters(in: .whitespacesAndNewlines).unicodeScalars))
    }

    @Test("every Unicode scalar: trimmed exactly when Foundation's whitespacesAndNewlines holds it")
    func everyScalar() {
        var differences: [UInt32] = []
        for value in UInt32(0)...0x10FFFF {
            guard let scalar = Unicode.Scalar(value) else { continue }
            let text = String(Character(scalar)) + "x"
            let trimmed = text.trimmedWhitespace == "x"
            if trimmed != CharacterSet.whitespacesAndNewlines.contains(scalar) { differences.append(value) }
        }
        #expect(differences.isEmpty, "differ at \(differences.prefix(10).map { String($0, radix: 16) })")
    }
}
