/// A JSON parser into `JSONValue`, several times faster than `JSONDecoder`, with the same results
/// on what `JSONDecoder` accepts (`JSONParserTests` compares the two) but for one corner:
/// - numbers without a fraction or exponent that fit an `Int` are `.int`; numbers written with
///   a fraction or exponent whose value is a whole number below 2^53 (`5.0`, `1e2`) are `.int`;
///   other finite numbers `.double`, overflow an error. (Above 2^53 `JSONDecoder` turns some
///   fractions and exponents into `Int`s by rules that depend on the digits; this parser keeps
///   them doubles. No answer roma reads carries such numbers.)
/// - a leading UTF-8 byte order mark is skipped; invalid UTF-8 in a string is an error;
/// - a repeated object key keeps its first value; a trailing comma before `]` or `}` is accepted;
/// - strings must be valid: no raw control characters, no lone surrogate escapes.
///
/// Model answers are parsed with it (`StructuredOutput`), and so are recorded calls on replay.
public struct JSONParser {
    /// Why a text is not JSON, and the byte offset where that was found.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var message: String
        public var offset: Int
        /// The repeated key, when that is the failure (strict parsing only).
        public var duplicateKey: String? = nil
        public var description: String { "\(message) at byte \(offset)" }
    }

    /// The deepest nesting accepted (as `JSONDecoder`).
    public static let maxDepth = 512

    private let bytes: UnsafeBufferPointer<UInt8>
    private var index: Int
    private var depth = 0
    /// RFC 8259 read strictly: a repeated object key and a trailing comma are errors.
    private var strict = false

    private init(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int) {
        self.bytes = bytes
        self.index = index
    }

    /// Parses a whole document: one value, with only whitespace around it.
    public static func parse(_ bytes: some Collection<UInt8>) throws(Failure) -> JSONValue {
        try withContiguous(bytes) { (buffer) throws(Failure) -> JSONValue in
            var parser = JSONParser(buffer, at: Self.byteOrderMarkLength(buffer))
            let value = try parser.document()
            return value
        }
    }

    /// Parses a whole document as `parse` does, but strictly: a key repeated in one object and a
    /// trailing comma are errors (API request bodies are read so, where "first wins" would hide a
    /// client's mistake).
    public static func parseStrict(_ bytes: some Collection<UInt8>) throws(Failure) -> JSONValue {
        try withContiguous(bytes) { (buffer) throws(Failure) -> JSONValue in
            var parser = JSONParser(buffer, at: Self.byteOrderMarkLength(buffer))
            parser.strict = true
            return try parser.document()
        }
    }

    /// Parses the value starting at `offset` and returns it with the offset just past it; what
    /// follows is not looked at (for JSON embedded in prose).
    public static func parsePrefix(_ bytes: UnsafeBufferPointer<UInt8>, from offset: Int) throws(Failure) -> (value: JSONValue, end: Int) {
        guard offset >= 0 && offset <= bytes.count else { throw Failure(message: "an offset outside the text", offset: offset) }
        var parser = JSONParser(bytes, at: offset)
        let value = try parser.value()
        return (value, parser.index)
    }

    /// 3 when the text begins with a UTF-8 byte order mark (skipped, as `JSONDecoder` skips it), else 0.
    private static func byteOrderMarkLength(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF ? 3 : 0
    }

    /// Parses an object, materialising only the members named in `keep`; the other members are
    /// checked and skipped. For reading a few fields out of large records.
    public static func parseObject(_ bytes: some Collection<UInt8>, keeping keep: Set<String>) throws(Failure) -> [String: JSONValue] {
        try withContiguous(bytes) { (buffer) throws(Failure) -> [String: JSONValue] in
            var parser = JSONParser(buffer, at: Self.byteOrderMarkLength(buffer))
            parser.skipWhitespace()
            var members: [String: JSONValue] = [:]
            try parser.members { (parser, key) throws(Failure) in
                if keep.contains(key), members[key] == nil {
                    members[key] = try parser.value()
                } else {
                    try parser.skipValue()
                }
            }
            try parser.end()
            return members
        }
    }

    /// Reads a document that must be one object, handing each of its keys (a repeated one each
    /// time) to `member`, which must read or skip exactly that key's value with `readMembers`,
    /// `readElements`, `readValue` or `skip`. Only what `member` reads is built: no dictionary
    /// or array for the containers it walks through. The text is checked as `parse` checks it,
    /// skipped values included. For the answers read on every model call.
    ///
    /// The parser handed to `member` reads the caller's bytes in place: it is valid only during
    /// the call, and a `Failure` it throws must be rethrown, not caught and read past.
    public static func readObject(
        _ bytes: some Collection<UInt8>, _ member: (inout JSONParser, String) throws(Failure) -> Void
    ) throws(Failure) {
        try withContiguous(bytes) { (buffer) throws(Failure) in
            var parser = JSONParser(buffer, at: Self.byteOrderMarkLength(buffer))
            try parser.readMembers(member)
            try parser.end()
        }
    }

    /// Whether the next value is an object.
    public mutating func atObject() -> Bool {
        skipWhitespace()
        return index < bytes.count && bytes[index] == UInt8(ascii: "{")
    }

    /// Whether the next value is an array.
    public mutating func atArray() -> Bool {
        skipWhitespace()
        return index < bytes.count && bytes[index] == UInt8(ascii: "[")
    }

    /// Reads an object, handing every key (a repeated one each time) to `member`, which must
    /// read or skip exactly that key's value. An error when the next value is not an object.
    public mutating func readMembers(_ member: (inout JSONParser, String) throws(Failure) -> Void) throws(Failure) {
        skipWhitespace()
        try members(member)
    }

    /// Reads an array, calling `element` for each value, which must read or skip exactly that
    /// value. An error when the next value is not an array.
    public mutating func readElements(_ element: (inout JSONParser) throws(Failure) -> Void) throws(Failure) {
        guard atArray() else { throw fail("expected an array") }
        try elements(element)
    }

    /// Reads the next value whole.
    public mutating func readValue() throws(Failure) -> JSONValue { try value() }

    /// Checks and steps over the next value without building it.
    public mutating func skip() throws(Failure) { try skipValue() }

    private static func withContiguous<T>(
        _ bytes: some Collection<UInt8>, _ body: (UnsafeBufferPointer<UInt8>) throws(Failure) -> T
    ) throws(Failure) -> T {
        let result: Result<T, Failure>? = bytes.withContiguousStorageIfAvailable { buffer in
            do throws(Failure) { return .success(try body(buffer)) } catch { return .failure(error) }
        }
        if let result { return try result.get() }
        let copy = Array(bytes)
        let copied: Result<T, Failure> = copy.withUnsafeBufferPointer { buffer in
            do throws(Failure) { return .success(try body(buffer)) } catch { return .failure(error) }
        }
        return try copied.get()
    }

    // MARK: Grammar

    private mutating func document() throws(Failure) -> JSONValue {
        let value = try value()
        try end()
        return value
    }

    private mutating func end() throws(Failure) {
        skipWhitespace()
        guard index == bytes.count else { throw fail("unexpected text after the JSON value") }
    }

    private mutating func value() throws(Failure) -> JSONValue {
        skipWhitespace()
        guard index < bytes.count else { throw fail("the text ends where a value should be") }
        switch bytes[index] {
        case UInt8(ascii: "{"):
            var object: [String: JSONValue] = [:]
            try members { (parser, key) throws(Failure) in
                let member = try parser.value()
                if object[key] == nil {
                    object[key] = member
                } else if parser.strict {
                    throw Failure(message: "the key \"\(key)\" appears twice in one object", offset: parser.index, duplicateKey: key)
                }
            }
            return .object(object)
        case UInt8(ascii: "["):
            var array: [JSONValue] = []
            try elements { (parser) throws(Failure) in array.append(try parser.value()) }
            return .array(array)
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"):
            try literal("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try literal("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try literal("null")
            return .null
        default: return try number()
        }
    }

    /// Checks and steps over a value without building it.
    private mutating func skipValue() throws(Failure) {
        skipWhitespace()
        guard index < bytes.count else { throw fail("the text ends where a value should be") }
        switch bytes[index] {
        case UInt8(ascii: "{"): try members { (parser, _) throws(Failure) in try parser.skipValue() }
        case UInt8(ascii: "["): try elements { (parser) throws(Failure) in try parser.skipValue() }
        case UInt8(ascii: "\""): try skipString()
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        default: _ = try number()
        }
    }

    /// Reads `{ "key": value, … }`, handing each key to `member`, which must consume the value.
    private mutating func members(_ member: (inout JSONParser, String) throws(Failure) -> Void) throws(Failure) {
        guard index < bytes.count, bytes[index] == UInt8(ascii: "{") else { throw fail("expected an object") }
        try enter()
        index += 1
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            depth -= 1
            return
        }
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw fail("expected a quoted key") }
            let key = try string()
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw fail("expected ':' after a key") }
            index += 1
            try member(&self, key)
            skipWhitespace()
            guard index < bytes.count else { throw fail("the text ends inside an object") }
            if bytes[index] == UInt8(ascii: "}") { break }
            guard bytes[index] == UInt8(ascii: ",") else { throw fail("expected ',' or '}' in an object") }
            index += 1
            skipWhitespace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "}") {  // a trailing comma
                if strict { throw fail("a trailing comma before '}'") }
                break
            }
        }
        index += 1
        depth -= 1
    }

    /// Reads `[ value, … ]`, calling `element` for each value.
    private mutating func elements(_ element: (inout JSONParser) throws(Failure) -> Void) throws(Failure) {
        try enter()
        index += 1
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            depth -= 1
            return
        }
        while true {
            try element(&self)
            skipWhitespace()
            guard index < bytes.count else { throw fail("the text ends inside an array") }
            if bytes[index] == UInt8(ascii: "]") { break }
            guard bytes[index] == UInt8(ascii: ",") else { throw fail("expected ',' or ']' in an array") }
            index += 1
            skipWhitespace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "]") {  // a trailing comma
                if strict { throw fail("a trailing comma before ']'") }
                break
            }
        }
        index += 1
        depth -= 1
    }

    private mutating func enter() throws(Failure) {
        depth += 1
        guard depth <= Self.maxDepth else { throw fail("nested deeper than \(Self.maxDepth) levels") }
    }

    private mutating func literal(_ word: StaticString) throws(Failure) {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count else { throw fail("invalid literal") }
        for offset in 0..<count where bytes[index + offset] != word.utf8Start[offset] { throw fail("invalid literal") }
        index += count
    }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"): index += 1
            default: return
            }
        }
    }

    // MARK: Strings

    private mutating func string() throws(Failure) -> String {
        index += 1  // the opening quote
        let start = index
        // The common case: no escapes, one copy.
        index = JSONScan.firstSpecial(bytes, from: index)
        if index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                guard let text = String(validating: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self) else {
                    throw fail("invalid UTF-8 inside a string")
                }
                index += 1
                return text
            }
            guard byte == UInt8(ascii: "\\") else { throw fail("a control character inside a string") }
        }
        var text = Array(UnsafeBufferPointer(rebasing: bytes[start..<index]))
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                guard let string = String(validating: text, as: UTF8.self) else { throw fail("invalid UTF-8 inside a string") }
                return string
            case UInt8(ascii: "\\"):
                index += 1
                guard index < bytes.count else { throw fail("the text ends inside a string") }
                let escape = bytes[index]
                index += 1
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): text.append(escape)
                case UInt8(ascii: "b"): text.append(0x08)
                case UInt8(ascii: "f"): text.append(0x0C)
                case UInt8(ascii: "n"): text.append(0x0A)
                case UInt8(ascii: "r"): text.append(0x0D)
                case UInt8(ascii: "t"): text.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = UInt32(try hex4())
                    if (0xD800...0xDBFF).contains(scalar) {
                        guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                            throw fail("a lone surrogate escape")
                        }
                        index += 2
                        let low = UInt32(try hex4())
                        guard (0xDC00...0xDFFF).contains(low) else { throw fail("a lone surrogate escape") }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else if (0xDC00...0xDFFF).contains(scalar) {
                        throw fail("a lone surrogate escape")
                    }
                    guard let unicode = Unicode.Scalar(scalar) else { throw fail("an invalid \\u escape") }
                    text.append(contentsOf: String(Character(unicode)).utf8)
                default: throw fail("an invalid escape")
                }
            default:
                guard byte >= 0x20 else { throw fail("a control character inside a string") }
                let end = JSONScan.firstSpecial(bytes, from: index)
                text.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[index..<end]))
                index = end
            }
        }
        throw fail("the text ends inside a string")
    }

    /// Steps over a string, checking it as strictly as `string()` does, without building it.
    private mutating func skipString() throws(Failure) {
        let open = index
        index += 1  // the opening quote
        while true {
            index = JSONScan.firstSpecial(bytes, from: index)
            guard index < bytes.count else { break }
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                // Checked as `string()` checks it: escapes are ASCII, so the raw bytes decide.
                let content = UnsafeBufferPointer(rebasing: bytes[(open + 1)..<index])
                guard JSONScan.isValidUTF8(content) else {
                    throw fail("invalid UTF-8 inside a string")
                }
                index += 1
                return
            }
            if byte == UInt8(ascii: "\\") {
                guard index + 1 < bytes.count else { break }
                switch bytes[index + 1] {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"), UInt8(ascii: "n"),
                    UInt8(ascii: "r"), UInt8(ascii: "t"):
                    index += 2
                case UInt8(ascii: "u"):
                    index += 2
                    let unit = try hex4()
                    if unit >= 0xD800 && unit <= 0xDFFF {
                        // Surrogates need the pair check: read the string the slow way.
                        index = open
                        _ = try string()
                        return
                    }
                default:
                    index += 1
                    throw fail("an invalid escape")
                }
                continue
            }
            guard byte >= 0x20 else { throw fail("a control character inside a string") }
            index += 1
        }
        throw fail("the text ends inside a string")
    }

    private mutating func hex4() throws(Failure) -> UInt16 {
        guard index + 4 <= bytes.count else { throw fail("an invalid \\u escape") }
        var value: UInt16 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw fail("an invalid \\u escape")
            }
            value = value << 4 | UInt16(digit)
            index += 1
        }
        return value
    }

    // MARK: Numbers

    private mutating func number() throws(Failure) -> JSONValue {
        let start = index
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < bytes.count, isDigit(bytes[index]) else { throw fail("an invalid value") }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
            if index < bytes.count, isDigit(bytes[index]) { throw fail("a number with a leading zero") }
        } else {
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        var integral = true
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            integral = false
            index += 1
            guard index < bytes.count, isDigit(bytes[index]) else { throw fail("a number without digits after '.'") }
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            integral = false
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard index < bytes.count, isDigit(bytes[index]) else { throw fail("a number without exponent digits") }
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        // Exact digits; past Int's range a double, as JSONDecoder decodes it.
        if integral, let int = Int(text) { return .int(int) }
        guard let double = Double(text), double.isFinite else { throw fail("a number out of range") }
        // Written with a fraction or an exponent (`1e2`, `5.0`), a whole number is an Int below
        // 2^53, where a double holds every integer exactly; that is what JSONDecoder gives there.
        // (Above it, JSONDecoder's answer depends on how the digits were written.)
        if !integral, double.magnitude < 9_007_199_254_740_992, let int = Int(exactly: double) { return .int(int) }
        return .double(double)
    }

    private func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    private func fail(_ message: String) -> Failure { Failure(message: message, offset: index) }
}
