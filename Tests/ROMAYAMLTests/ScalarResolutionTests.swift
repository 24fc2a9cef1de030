import ROMAYAML
import Testing

/// The YAML 1.2 core schema: https://yaml.org/spec/1.2.2/#1023-core-schema
@Suite("Core-schema scalar resolution")
struct ScalarResolutionTests {
    struct Case: Sendable, CustomTestStringConvertible {
        /// The value as written after `v: `.
        var source: String
        var expected: YAMLValue
        var testDescription: String { "v: \(source) → \(expected)" }

        init(_ source: String, _ expected: YAMLValue) {
            self.source = source
            self.expected = expected
        }
    }

    static let nulls: [Case] = [
        Case("", .null), Case("~", .null), Case("null", .null), Case("Null", .null), Case("NULL", .null),
        Case("nULL", .string("nULL")),
    ]

    static let bools: [Case] = [
        Case("true", .bool(true)), Case("True", .bool(true)), Case("TRUE", .bool(true)),
        Case("false", .bool(false)), Case("False", .bool(false)), Case("FALSE", .bool(false)),
        // YAML 1.1 booleans are plain strings under the 1.2 core schema (the "Norway problem").
        Case("yes", .string("yes")), Case("no", .string("no")), Case("on", .string("on")),
        Case("off", .string("off")), Case("y", .string("y")), Case("NO", .string("NO")),
        Case("tRUE", .string("tRUE")),
    ]

    static let integers: [Case] = [
        Case("0", .int(0)), Case("-0", .int(0)), Case("42", .int(42)), Case("+42", .int(42)),
        Case("-17", .int(-17)), Case("012", .int(12)),
        Case("9223372036854775807", .int(Int.max)), Case("-9223372036854775808", .int(Int.min)),
        // Octal and hexadecimal, lowercase prefixes only.
        Case("0o17", .int(15)), Case("0o0", .int(0)), Case("0x1F", .int(31)), Case("0xff", .int(255)),
        Case("0x0", .int(0)),
        Case("0o8", .string("0o8")), Case("0xG", .string("0xG")), Case("0X1F", .string("0X1F")),
        Case("0O17", .string("0O17")), Case("-0x1F", .string("-0x1F")), Case("0x", .string("0x")),
        Case("0o", .string("0o")),
        // Not integers in the core schema.
        Case("0b101", .string("0b101")), Case("1_000", .string("1_000")), Case("1,000", .string("1,000")),
        Case("12abc", .string("12abc")), Case("+", .string("+")), Case("--1", .string("--1")),
    ]

    static let floats: [Case] = [
        Case("1.5", .float(1.5)), Case("-0.5", .float(-0.5)), Case("+0.25", .float(0.25)),
        Case(".5", .float(0.5)), Case("1.", .float(1.0)), Case("1e3", .float(1000)),
        Case("6.02e+23", .float(6.02e23)), Case("1.5E-3", .float(0.0015)), Case("-.5e1", .float(-5)),
        Case(".inf", .float(.infinity)), Case(".Inf", .float(.infinity)), Case(".INF", .float(.infinity)),
        Case("+.inf", .float(.infinity)), Case("-.inf", .float(-.infinity)), Case("-.INF", .float(-.infinity)),
        Case(".", .string(".")), Case("1e", .string("1e")), Case("e3", .string("e3")), Case("1.2.3", .string("1.2.3")),
        Case("inf", .string("inf")), Case("infinity", .string("infinity")), Case("nan", .string("nan")),
        Case("NaN", .string("NaN")), Case(".iNf", .string(".iNf")), Case("1e3.5", .string("1e3.5")),
    ]

    static let strings: [Case] = [
        Case("hello world", .string("hello world")), Case("\"true\"", .string("true")),
        Case("'false'", .string("false")), Case("\"null\"", .string("null")), Case("''", .string("")),
        Case("\"\"", .string("")), Case("'~'", .string("~")), Case("\"123\"", .string("123")),
        Case("'0x1F'", .string("0x1F")), Case("\".inf\"", .string(".inf")), Case("'1.5'", .string("1.5")),
        Case("\"a\\tb\"", .string("a\tb")), Case("'it''s'", .string("it's")),
        Case("|\n  123\n", .string("123\n")), Case(">-\n  true\n", .string("true")),
    ]

    static let tagged: [Case] = [
        Case("!!str 123", .string("123")), Case("!!str true", .string("true")), Case("!!str null", .string("null")),
        Case("!!str", .string("")), Case("!!str .inf", .string(".inf")), Case("! 12", .string("12")),
        Case("!<tag:yaml.org,2002:str> 7", .string("7")),
        Case("!!int \"42\"", .int(42)), Case("!!int 0x10", .int(16)), Case("!!float 1", .float(1)),
        Case("!!float '2.5'", .float(2.5)), Case("!!bool \"true\"", .bool(true)), Case("!!null ''", .null),
        Case("!!int abc", .string("abc")),
    ]

    @Test("null", arguments: nulls) func null(_ c: Case) throws { try check(c) }
    @Test("bool", arguments: bools) func bool(_ c: Case) throws { try check(c) }
    @Test("int, octal, hex", arguments: integers) func integer(_ c: Case) throws { try check(c) }
    @Test("float and .inf", arguments: floats) func float(_ c: Case) throws { try check(c) }
    @Test("quoted and block scalars stay strings", arguments: strings) func string(_ c: Case) throws { try check(c) }
    @Test("explicit tags", arguments: tagged) func tags(_ c: Case) throws { try check(c) }

    @Test("NaN", arguments: [".nan", ".NaN", ".NAN", "!!float .nan"])
    func nan(_ source: String) throws {
        let value = try #require(try parse("v: \(source)\n").node["v"]?.scalar?.value)
        guard case .float(let d) = value else {
            Issue.record("expected a float, got \(value)")
            return
        }
        #expect(d.isNaN)
    }

    @Test("a number too large for Int is not an integer")
    func overflow() throws {
        let value = try #require(try parse("v: 9223372036854775808\n").node["v"]?.scalar?.value)
        #expect(value != .int(Int.max))
        if case .int = value { Issue.record("an overflowing integer resolved to \(value)") }
    }

    @Test("the scalar keeps its source text and style")
    func sourceTextAndStyle() throws {
        let node = try parse("a: 0x1F\nb: 'x'\nc: \"y\"\nd: |\n  z\ne: >\n  w\n").node
        #expect(node["a"]?.scalar?.text == "0x1F")
        #expect(node["a"]?.scalar?.style == .plain)
        #expect(node["b"]?.scalar?.style == .singleQuoted)
        #expect(node["c"]?.scalar?.style == .doubleQuoted)
        #expect(node["d"]?.scalar?.style == .literal)
        #expect(node["e"]?.scalar?.style == .folded)
    }

    @Test("values built from JSON keep their type and text")
    func jsonScalars() {
        #expect(YAMLScalar(value: .string("true")).value == .string("true"))
        #expect(YAMLScalar(value: .int(7)).text == "7")
        #expect(YAMLScalar(value: .bool(false)).text == "false")
        #expect(YAMLScalar(value: .null).value == .null)
    }

    private func check(_ c: Case) throws {
        let (node, errors) = try parse("v: \(c.source)\n")
        #expect(errors.isEmpty)
        let scalar = try #require(node["v"]?.scalar)
        #expect(scalar.value == c.expected)
    }
}

@Suite("Core-schema resolution: known deviations")
struct ScalarResolutionKnownIssueTests {
    /// The core schema's hex and octal forms are `0x[0-9a-fA-F]+` and `0o[0-7]+`: no sign after
    /// the prefix. `Int(_:radix:)` accepts one, so `0x-1` resolves to -1 instead of a string.
    @Test("a sign after 0x / 0o is not a number", arguments: ["0x-1", "0x+1F", "0o-7", "0o+7"])
    func signAfterRadixPrefix(_ source: String) throws {
        let value = try #require(try parse("v: \(source)\n").node["v"]?.scalar?.value)
        #expect(value == .string(source))
    }
}
