import ROMAYAML
import Testing

@Suite("YAML errors point at the exact line and column")
struct SyntaxErrorTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var label: String
        var text: String
        var code: YAMLError.Code
        var at: YAMLMark
        var related: YAMLMark?
        /// A part of the message that must be there.
        var says: String
        var testDescription: String { label }
    }

    static let cases: [Case] = [
        Case(
            label: "bad indentation: a key less indented than its siblings",
            text: "goals:\n  - id: a\n   goal: x\n", code: .syntax,
            at: YAMLMark(line: 3, column: 4), related: YAMLMark(line: 2, column: 3),
            says: "did not find expected '-' indicator while parsing a block collection (started at line 2, column 3)"),
        Case(
            label: "bad indentation: a key between two levels",
            text: "a:\n  b: 1\n c: 2\n", code: .syntax,
            at: YAMLMark(line: 3, column: 2), related: YAMLMark(line: 1, column: 1),
            says: "did not find expected key while parsing a block mapping"),
        Case(
            label: "bad indentation: a mapping under a scalar",
            text: "a: 1\n  b: 2\n", code: .syntax, at: YAMLMark(line: 2, column: 4), related: nil,
            says: "mapping values are not allowed in this context"),
        Case(
            label: "bad indentation: a key after a list at the list's indentation",
            text: "a:\n  - b\n  c: 1\n", code: .syntax,
            at: YAMLMark(line: 3, column: 3), related: YAMLMark(line: 2, column: 3),
            says: "did not find expected '-' indicator"),
        Case(
            label: "unclosed double quote points at the opening quote",
            text: "goal: \"abc\nnext: 1\n", code: .syntax,
            at: YAMLMark(line: 1, column: 7), related: YAMLMark(line: 3, column: 1),
            says: "found unexpected end of stream while scanning a quoted scalar that starts here and is never closed"),
        Case(
            label: "unclosed single quote points at the opening quote",
            text: "a: 1\ngoal: 'it is\n  long\n", code: .syntax,
            at: YAMLMark(line: 2, column: 7), related: YAMLMark(line: 4, column: 1),
            says: "that starts here and is never closed"),
        Case(
            label: "tab indentation",
            text: "a:\n\tb: 1\n", code: .syntax, at: YAMLMark(line: 2, column: 1),
            related: YAMLMark(line: 2, column: 1),
            says: "tab character used for indentation (YAML allows only spaces)"),
        Case(
            label: "tab indentation deeper in the file",
            text: "version: 1\ngoals:\n\t- goal: x\n", code: .syntax, at: YAMLMark(line: 3, column: 1),
            related: YAMLMark(line: 3, column: 1), says: "tab character used for indentation"),
        Case(
            label: "tab after spaces",
            text: "a:\n  b: 1\n\tc: 2\n", code: .syntax, at: YAMLMark(line: 3, column: 1),
            related: YAMLMark(line: 2, column: 6), says: "found a tab character that violates indentation"),
        Case(
            label: "alias to nothing", text: "a: 1\nb: *nope\n", code: .undefinedAlias,
            at: YAMLMark(line: 2, column: 4), related: nil,
            says: "alias '*nope' refers to an anchor that is not defined"),
        Case(
            label: "alias used before its anchor", text: "a: *x\nb: &x 1\n", code: .undefinedAlias,
            at: YAMLMark(line: 1, column: 4), related: nil, says: "alias '*x'"),
        Case(
            label: "unclosed flow sequence", text: "a: [1, 2\nb: 3\n", code: .syntax,
            at: YAMLMark(line: 2, column: 2), related: YAMLMark(line: 1, column: 4),
            says: "did not find expected ',' or ']' while parsing a flow sequence"),
        Case(
            label: "unclosed flow mapping", text: "a: {b: 1\n", code: .syntax,
            at: YAMLMark(line: 2, column: 1), related: YAMLMark(line: 1, column: 4),
            says: "did not find expected ',' or '}' while parsing a flow mapping"),
        Case(
            label: "two values on one line", text: "key: value: other\n", code: .syntax,
            at: YAMLMark(line: 1, column: 11), related: nil, says: "mapping values are not allowed in this context"),
        Case(
            label: "list item after a mapping", text: "a: b\n- c\n", code: .syntax,
            at: YAMLMark(line: 2, column: 1), related: YAMLMark(line: 1, column: 1),
            says: "did not find expected key while parsing a block mapping"),
        Case(
            label: "unknown escape", text: "a: \"\\q\"\n", code: .syntax,
            at: YAMLMark(line: 1, column: 5), related: YAMLMark(line: 1, column: 4),
            says: "found unknown escape character"),
        Case(
            label: "undefined tag handle", text: "a: !foo!bar x\n", code: .syntax,
            at: YAMLMark(line: 1, column: 4), related: YAMLMark(line: 1, column: 4), says: "found undefined tag handle"),
        Case(
            label: "reserved indicator", text: "a: 1\n@x\n", code: .syntax,
            at: YAMLMark(line: 2, column: 1), related: YAMLMark(line: 2, column: 1),
            says: "found character that cannot start any token"),
    ]

    @Test(arguments: cases)
    func error(_ c: Case) throws {
        let error = try #require(rejection(c.text))
        #expect(error.code == c.code)
        #expect(error.mark == c.at)
        #expect(error.relatedMark == c.related)
        #expect(error.message.contains(c.says), "\(error.message)")
        #expect(error.description.hasPrefix("\(c.at.line):\(c.at.column): "))
    }

    @Test("a non-scalar mapping key is a recoverable error at the key")
    func complexKey() throws {
        let (_, errors) = try parse("? [a]\n: b\n")
        #expect(errors.map(\.code) == [.unsupported])
        #expect(errors.first?.mark == YAMLMark(line: 1, column: 3))
    }

    /// `parserError` checks the byte at `problem_mark.index` for a tab, but libyaml counts that
    /// index in characters; any multi-byte character earlier in the file shifts it, and the
    /// tab-specific message is lost.
    @Test("tab indentation after a non-ASCII character")
    func tabAfterNonASCII() throws {
        let error = try #require(rejection("# café\na:\n\tb: 1\n"))
        #expect(error.code == .syntax)
        #expect(error.mark == YAMLMark(line: 3, column: 1))
        #expect(error.message.contains("tab character used for indentation"), "\(error.message)")
    }
}
