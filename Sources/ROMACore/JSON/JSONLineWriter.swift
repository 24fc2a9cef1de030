/// Writes one-line JSON byte for byte as `CanonicalJSON.encodeLine` does (Foundation's
/// `JSONEncoder` with sorted keys and unescaped slashes), without the cost of `Encodable`.
///
/// Replay keys are SHA-256 hashes of these bytes, and recordings committed to git were made with
/// `JSONEncoder`, so the output must never drift from it: `CanonicalLineTests` compares the two
/// on random values. Callers write an object's keys in ascending UTF-8 byte order (the order
/// `JSONEncoder` sorts them in); `object(_:)` sorts a dictionary's keys that way itself.
///
/// With `pretty`, the same calls write what `JSONEncoder` writes with `.prettyPrinted` added
/// (`CanonicalJSON.encode`'s layout): one member or element per line, two spaces of indentation
/// per level, `"key" : value`, and an empty container as its brackets around an empty line.
public struct JSONLineWriter {
    /// The bytes written so far.
    public private(set) var bytes: [UInt8] = []
    #if DEBUG
        /// The last key written in each open object, to check the order (debug builds only).
        private var previousKeys: [String?] = []
    #endif
    /// Whether each open container still has no member: the innermost 64 levels' flags in a
    /// word (no allocation for the writer's first container; a call's record opens several
    /// writers), deeper levels in an array.
    private var open = OpenContainers()
    /// Whether to write `JSONEncoder`'s pretty-printed layout instead of one line.
    private let pretty: Bool
    /// Whether this writer writes the pretty-printed layout (a one-line value cannot be spliced in).
    public var isPretty: Bool { pretty }
    /// Whether a NaN or infinite double was written (`JSONEncoder` refuses those).
    public private(set) var wroteNonFiniteNumber = false

    /// Creates an empty writer; `pretty` for `JSONEncoder`'s `.prettyPrinted` layout.
    public init(capacity: Int = 512, pretty: Bool = false) {
        self.pretty = pretty
        bytes.reserveCapacity(capacity)
    }

    // MARK: Containers

    /// Opens an object; write members with `key(_:)` followed by a value.
    public mutating func beginObject() {
        bytes.append(UInt8(ascii: "{"))
        open.push()
        #if DEBUG
            previousKeys.append(nil)
        #endif
    }

    /// Closes the innermost object.
    public mutating func endObject() {
        close(UInt8(ascii: "}"))
        #if DEBUG
            previousKeys.removeLast()
        #endif
    }

    /// Opens an array; write elements with `element()` followed by a value.
    public mutating func beginArray() {
        bytes.append(UInt8(ascii: "["))
        open.push()
    }

    /// Closes the innermost array.
    public mutating func endArray() {
        close(UInt8(ascii: "]"))
    }

    private mutating func close(_ bracket: UInt8) {
        let empty = open.pop()
        if pretty {
            // `JSONEncoder` prints an empty container as `[`, an empty line, then `]`.
            if empty { bytes.append(UInt8(ascii: "\n")) }
            newline()
        }
        bytes.append(bracket)
    }

    /// Starts the next member of the innermost object; `name` must sort after the previous one.
    public mutating func key(_ name: String) {
        #if DEBUG
            // A hand-written conformance with its keys out of order would write bytes JSONEncoder never does.
            if let previous = previousKeys[previousKeys.count - 1] {
                assert(previous.utf8.lexicographicallyPrecedes(name.utf8), "JSON key '\(name)' written after '\(previous)'")
            }
            previousKeys[previousKeys.count - 1] = name
        #endif
        separate()
        string(name)
        if pretty {
            bytes.append(contentsOf: [UInt8(ascii: " "), UInt8(ascii: ":"), UInt8(ascii: " ")])
        } else {
            bytes.append(UInt8(ascii: ":"))
        }
    }

    /// Starts the next element of the innermost array.
    public mutating func element() {
        separate()
    }

    private mutating func separate() {
        if !open.takeFirst() { bytes.append(UInt8(ascii: ",")) }
        if pretty { newline() }
    }

    /// A line break, then two spaces per nesting level.
    private mutating func newline() {
        bytes.append(UInt8(ascii: "\n"))
        bytes.append(contentsOf: repeatElement(UInt8(ascii: " "), count: 2 * open.depth))
    }

    // MARK: Scalars

    /// Writes `null`.
    public mutating func null() {
        bytes.append(contentsOf: [UInt8(ascii: "n"), UInt8(ascii: "u"), UInt8(ascii: "l"), UInt8(ascii: "l")])
    }

    /// Writes `true` or `false`.
    public mutating func bool(_ value: Bool) {
        bytes.append(contentsOf: (value ? "true" : "false").utf8)
    }

    /// Writes an integer in decimal.
    public mutating func int(_ value: Int) {
        if value == 0 {
            bytes.append(UInt8(ascii: "0"))
            return
        }
        var magnitude = value.magnitude
        var digits:
            (
                UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                UInt8, UInt8, UInt8
            ) =
                (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        withUnsafeMutableBytes(of: &digits) { buffer in
            while magnitude > 0 {
                buffer[count] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
                count += 1
            }
        }
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        withUnsafeBytes(of: &digits) { buffer in
            for index in stride(from: count - 1, through: 0, by: -1) { bytes.append(buffer[index]) }
        }
    }

    /// Writes a finite double as `JSONEncoder` does: the shortest round-tripping form, without
    /// a trailing `.0` (`1`, `0.7`, `1e-07`, `-0`). A NaN or infinity, which `JSONEncoder` refuses,
    /// is written as its description and noted in `wroteNonFiniteNumber`.
    public mutating func double(_ value: Double) {
        if !value.isFinite { wroteNonFiniteNumber = true }
        var text = value.description
        if text.hasSuffix(".0") { text.removeLast(2) }
        bytes.append(contentsOf: text.utf8)
    }

    /// Writes a string with `JSONEncoder`'s escapes: `\"`, `\\`, `\b \t \n \f \r`, other
    /// control characters as `\u00xx`; everything else (slashes, DEL, non-ASCII) as is.
    public mutating func string(_ value: String) {
        bytes.append(UInt8(ascii: "\""))
        var value = value
        value.withUTF8 { utf8 in
            var start = 0
            while true {
                let index = JSONScan.firstSpecial(utf8, from: start)
                if start < index { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start..<index])) }
                guard index < utf8.count else { break }
                let byte = utf8[index]
                start = index + 1
                bytes.append(UInt8(ascii: "\\"))
                switch byte {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"): bytes.append(byte)
                case 0x08: bytes.append(UInt8(ascii: "b"))
                case 0x09: bytes.append(UInt8(ascii: "t"))
                case 0x0A: bytes.append(UInt8(ascii: "n"))
                case 0x0C: bytes.append(UInt8(ascii: "f"))
                case 0x0D: bytes.append(UInt8(ascii: "r"))
                default:
                    bytes.append(contentsOf: [
                        UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), Hex.digit(byte >> 4), Hex.digit(byte & 0xF),
                    ])
                }
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    // MARK: Members
    // `key` followed by the value, in one call; optional values left out when nil, as
    // synthesized `Codable` leaves them out.

    public mutating func member(_ name: String, _ value: String) {
        key(name)
        string(value)
    }

    public mutating func member(_ name: String, _ value: String?) {
        if let value { member(name, value) }
    }

    public mutating func member(_ name: String, _ value: Int) {
        key(name)
        int(value)
    }

    public mutating func member(_ name: String, _ value: Int?) {
        if let value { member(name, value) }
    }

    public mutating func member(_ name: String, _ value: Bool) {
        key(name)
        bool(value)
    }

    public mutating func member(_ name: String, _ value: Double) {
        key(name)
        double(value)
    }

    public mutating func member(_ name: String, _ value: Double?) {
        if let value { member(name, value) }
    }

    public mutating func member(_ name: String, _ value: some JSONLineWritable) {
        key(name)
        value.write(to: &self)
    }

    public mutating func member(_ name: String, _ value: (some JSONLineWritable)?) {
        if let value { member(name, value) }
    }

    /// A member whose value is already written: `json` must be one value's canonical one-line
    /// JSON (`canonicalLine`), spliced in as is (one-line writers only).
    public mutating func member(_ name: String, json: [UInt8]) {
        assert(!pretty, "a one-line value spliced into pretty JSON")
        key(name)
        bytes.append(contentsOf: json)
    }

    public mutating func member(_ name: String, _ elements: [some JSONLineWritable]) {
        key(name)
        beginArray()
        for value in elements {
            element()
            value.write(to: &self)
        }
        endArray()
    }

    public mutating func member(_ name: String, _ elements: [String]) {
        key(name)
        beginArray()
        for value in elements {
            element()
            string(value)
        }
        endArray()
    }

    /// A string-to-string dictionary as an object, keys sorted.
    public mutating func member(_ name: String, _ members: [String: String]?) {
        guard let members else { return }
        key(name)
        object(members) { writer, value in writer.string(value) }
    }

    // MARK: Values

    /// Writes any JSON value; object keys in `JSONEncoder`'s sorted order.
    public mutating func value(_ value: JSONValue) {
        switch value {
        case .null: null()
        case .bool(let b): bool(b)
        case .int(let i): int(i)
        case .double(let d): double(d)
        case .string(let s): string(s)
        case .array(let elements):
            beginArray()
            for element in elements {
                self.element()
                self.value(element)
            }
            endArray()
        case .object(let members): object(members) { writer, member in writer.value(member) }
        }
    }

    /// Writes a dictionary as an object, its keys sorted by UTF-8 bytes as `JSONEncoder` sorts them.
    public mutating func object<Value>(_ members: [String: Value], _ write: (inout JSONLineWriter, Value) -> Void) {
        beginObject()
        for (name, member) in members.sorted(by: { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }) {
            key(name)
            write(&self, member)
        }
        endObject()
    }
}

/// A value that writes its own canonical one-line JSON (the same bytes as its `Encodable` form).
public protocol JSONLineWritable {
    /// Writes the value.
    func write(to writer: inout JSONLineWriter)
}

extension JSONLineWritable {
    /// The value's canonical one-line JSON.
    public var canonicalLine: [UInt8] {
        var writer = JSONLineWriter()
        write(to: &writer)
        return writer.bytes
    }
}

extension JSONValue: JSONLineWritable {
    public func write(to writer: inout JSONLineWriter) { writer.value(self) }
}

/// The open containers of a `JSONLineWriter`: for each, whether it still has no member.
private struct OpenContainers {
    /// How many containers are open.
    private(set) var depth = 0
    /// Bit `level` for the first 64 levels.
    private var bits: UInt64 = 0
    /// Levels from 64 on.
    private var deeper: [Bool] = []

    /// Opens a container, with no member yet.
    mutating func push() {
        if depth < 64 { bits |= 1 << UInt64(depth) } else { deeper.append(true) }
        depth += 1
    }

    /// Closes the innermost container; whether it had no member.
    mutating func pop() -> Bool {
        depth -= 1
        if depth < 64 { return bits & (1 << UInt64(depth)) != 0 }
        return deeper.removeLast()
    }

    /// Whether the innermost container had no member yet; from now on it has one.
    mutating func takeFirst() -> Bool {
        let level = depth - 1
        if level < 64 {
            let mask: UInt64 = 1 << UInt64(level)
            defer { bits &= ~mask }
            return bits & mask != 0
        }
        defer { deeper[level - 64] = false }
        return deeper[level - 64]
    }
}
