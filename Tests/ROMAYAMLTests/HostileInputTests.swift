import ROMATestSupport
import ROMAYAML
import Testing

/// Untrusted input must end in an error, never a crash, a hang or unbounded memory.
/// (How long each takes is measured by `roma-bench manifest`, not asserted here.)
@Suite("Hostile input")
struct HostileInputTests {
    // MARK: Binary garbage

    /// Random bytes with at least one NUL and one invalid UTF-8 byte, never starting with a BOM.
    static func garbage(seed: UInt64) -> [UInt8] {
        var rng = SplitMix64(seed: seed)
        let count = Int.random(in: 2...8192, using: &rng)
        var bytes = (0..<count).map { _ in UInt8.random(in: 0...255, using: &rng) }
        bytes[Int.random(in: 0..<count, using: &rng)] = 0x00
        bytes[Int.random(in: 0..<count, using: &rng)] = 0xFF
        if bytes[0] == 0xFE || bytes[0] == 0xFF || bytes[0] == 0xEF { bytes[0] = UInt8(ascii: "x") }
        return bytes
    }

    @Test("random bytes with NUL and invalid UTF-8 are rejected", arguments: 0..<64)
    func binaryGarbage(seed: UInt64) throws {
        let bytes = Self.garbage(seed: seed)
        let error = try #require(rejection(bytes))
        #expect(
            [YAMLError.Code.invalidEncoding, .syntax, .undefinedAlias, .multipleDocuments, .tooDeep].contains(
                error.code))
        #expect(error.mark.line >= 1 && error.mark.column >= 1)
    }

    struct EncodingCase: Sendable, CustomTestStringConvertible {
        var label: String
        var bytes: [UInt8]
        var at: YAMLMark
        var says: String
        var testDescription: String { label }
    }

    static let encodingCases: [EncodingCase] = [
        EncodingCase(
            label: "a lone NUL", bytes: [0x00], at: YAMLMark(line: 1, column: 1),
            says: "control characters are not allowed"),
        EncodingCase(
            label: "NUL inside a value", bytes: Array("a: b".utf8) + [0x00] + Array("c\n".utf8),
            at: YAMLMark(line: 1, column: 5), says: "control characters are not allowed"),
        EncodingCase(
            label: "BEL after a multi-byte character", bytes: Array("é: ".utf8) + [0x07, 0x0A],
            at: YAMLMark(line: 1, column: 4), says: "control characters are not allowed"),
        EncodingCase(
            label: "0xFF on line 2", bytes: Array("a: b\n".utf8) + [0xFF], at: YAMLMark(line: 2, column: 1),
            says: "invalid leading UTF-8 octet"),
        EncodingCase(
            label: "truncated sequence at the end", bytes: Array("goal: caf".utf8) + [0xC3],
            at: YAMLMark(line: 1, column: 10), says: "incomplete UTF-8 octet sequence"),
        EncodingCase(
            label: "overlong encoding", bytes: [0xC0, 0x80], at: YAMLMark(line: 1, column: 1),
            says: "invalid length of a UTF-8 sequence"),
        EncodingCase(
            label: "UTF-16 surrogate in UTF-8", bytes: Array("a: ".utf8) + [0xED, 0xA0, 0x80],
            at: YAMLMark(line: 1, column: 4), says: "invalid Unicode character"),
    ]

    @Test("invalid encodings are located", arguments: encodingCases)
    func encoding(_ c: EncodingCase) throws {
        let error = try #require(rejection(c.bytes))
        #expect(error.code == .invalidEncoding)
        #expect(error.mark == c.at)
        #expect(error.message.contains(c.says), "\(error.message)")
    }

    /// Text made of YAML's own punctuation: may parse or not, but any error is located in the input.
    @Test("structured garbage parses or fails with a mark inside the input", arguments: 0..<200)
    func structuredGarbage(seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        let alphabet = Array("[]{}:-,&*!|>'\"#%@?\\ \n\t\u{0}ab1é.~<=".unicodeScalars)
        var text = ""
        for _ in 0..<Int.random(in: 1...400, using: &rng) {
            text.unicodeScalars.append(alphabet[Int.random(in: 0..<alphabet.count, using: &rng)])
        }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).count
        do {
            _ = try YAMLParser().parse(Array(text.utf8))
        } catch {
            #expect(error.mark.line >= 1 && error.mark.line <= lines + 1, "\(error)")
            #expect(error.mark.column >= 1, "\(error)")
        }
    }

    // MARK: Size

    @Test("a 50 MB input is rejected by its size before it is parsed")
    func fiftyMegabytes() throws {
        let bytes = [UInt8](repeating: UInt8(ascii: "["), count: 50 << 20)
        let error = try #require(rejection(bytes))
        #expect(error.code == .tooLarge)
        #expect(error.mark == YAMLMark(line: 1, column: 1))
        #expect(error.message == "file is 52428800 bytes, larger than the limit of 16777216 bytes")
    }

    @Test("the size limit is inclusive")
    func sizeBoundary() throws {
        let parser = YAMLParser(limits: .init(maxBytes: 10))
        #expect(throws: Never.self) { try parser.parse(Array("a: 1234567".utf8)) }
        #expect(rejection(Array("a: 12345678".utf8), parser: parser)?.code == .tooLarge)
    }

    // MARK: Depth

    @Test("100,000 nested flow sequences are too deep")
    func deepFlowSequences() throws {
        let text = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        let error = try #require(rejection(text))
        #expect(error.code == .tooDeep)
        #expect(error.mark == YAMLMark(line: 1, column: 65))
        #expect(error.message == "collections are nested more than 64 levels deep")
    }

    @Test("100,000 unclosed flow sequences are too deep")
    func unclosedFlowSequences() throws {
        let error = try #require(rejection(String(repeating: "[", count: 100_000)))
        #expect(error.code == .tooDeep)
        #expect(error.mark == YAMLMark(line: 1, column: 65))
    }

    @Test("100,000 nested flow mappings are too deep")
    func deepFlowMappings() throws {
        let error = try #require(rejection(String(repeating: "{a: ", count: 100_000)))
        #expect(error.code == .tooDeep)
        #expect(error.mark == YAMLMark(line: 1, column: 1 + 64 * 4))
    }

    @Test("deeply indented block mappings are too deep")
    func deepBlockMappings() throws {
        var text = ""
        for level in 0..<200 { text += String(repeating: "  ", count: level) + "k:\n" }
        let error = try #require(rejection(text))
        #expect(error.code == .tooDeep)
        #expect(error.mark == YAMLMark(line: 65, column: 129))
    }

    @Test("the depth limit is inclusive")
    func depthBoundary() throws {
        let parser = YAMLParser(limits: .init(maxDepth: 3))
        #expect(throws: Never.self) { try parser.parse(Array("[[[]]]".utf8)) }
        let error = try #require(rejection("[[[[]]]]", parser: parser))
        #expect(error.code == .tooDeep)
        #expect(error.mark == YAMLMark(line: 1, column: 4))
    }

    // MARK: Alias expansion

    /// The classic "billion laughs": nine levels of nine aliases, 9^9 scalars once expanded.
    static var billionLaughs: String {
        let names = Array("abcdefghi")
        var lines = ["a: &a [" + Array(repeating: "\"lol\"", count: 9).joined(separator: ", ") + "]"]
        for i in 1..<names.count {
            let items = Array(repeating: "*\(names[i - 1])", count: 9).joined(separator: ", ")
            lines.append("\(names[i]): &\(names[i]) [\(items)]")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    @Test("a billion-laughs alias bomb is stopped at the alias that crosses the limit")
    func billionLaughs() throws {
        let error = try #require(rejection(Self.billionLaughs))
        #expect(error.code == .aliasExpansion)
        // Line 7 is `g: &g [*f, ...]`; its eighth `*f` takes the count past 5,000,000.
        #expect(error.mark == YAMLMark(line: 7, column: 36))
        #expect(error.message == "aliases expand to more than 5000000 nodes (an alias bomb?)")
    }

    @Test("a mapping alias bomb is stopped too")
    func mappingBomb() throws {
        var text = "l0: &l0 {a: 1, b: 2, c: 3, d: 4, e: 5, f: 6, g: 7, h: 8}\n"
        for i in 1...12 {
            let fields = (0..<8).map { "k\($0): *l\(i - 1)" }.joined(separator: ", ")
            text += "l\(i): &l\(i) {\(fields)}\n"
        }
        #expect(rejection(text)?.code == .aliasExpansion)
    }

    @Test("many aliases of one big anchor are counted, not just nested ones")
    func wideBomb() throws {
        let big = "big: &big [" + Array(repeating: "x", count: 10_000).joined(separator: ", ") + "]\n"
        let uses = "uses: [" + Array(repeating: "*big", count: 1_000).joined(separator: ", ") + "]\n"
        #expect(rejection(big + uses)?.code == .aliasExpansion)
    }

    @Test("the expansion limit is inclusive")
    func expansionBoundary() throws {
        let parser = YAMLParser(limits: .init(maxExpandedNodes: 3))
        #expect(throws: Never.self) { try parser.parse(Array("[a, b, c]".utf8)) }
        let error = try #require(rejection("[a, b, c, d]", parser: parser))
        #expect(error.code == .aliasExpansion)
        #expect(error.mark == YAMLMark(line: 1, column: 11))
    }

    @Test("a small alias fan-out is fine")
    func harmlessAliases() throws {
        let (node, errors) = try parse("a: &a [1, 2, 3]\nb: [*a, *a, *a]\n")
        #expect(errors.isEmpty)
        #expect(node["b"]?.items?.count == 3)
    }
}
