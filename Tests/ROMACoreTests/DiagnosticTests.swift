import Foundation
import ROMACore
import Testing

@Suite("Compiler-style diagnostics")
struct DiagnosticTests {
    @Test("headline, source line, caret under the column")
    func rendered() {
        let diagnostic = Diagnostic(
            file: "examples/m.yaml", line: 3, column: 16, keyPath: "goals[0].max_depth", message: "11 is out of range",
            expected: "an integer from 1 to 10", sourceLine: "    max_depth: 11")
        #expect(
            diagnostic.rendered() == """
                examples/m.yaml:3:16: error: goals[0].max_depth: 11 is out of range (expected an integer from 1 to 10)
                3 |     max_depth: 11
                  |                ^
                """)
    }

    @Test("a hint follows the headline after a semicolon")
    func hint() {
        let diagnostic = Diagnostic(
            file: "m.yaml", line: 1, column: 1, keyPath: "gaols", message: "unknown key", expected: "one of goals",
            hint: "did you mean 'goals'?", sourceLine: "gaols:")
        #expect(
            diagnostic.headline
                == "m.yaml:1:1: error: gaols: unknown key (expected one of goals); did you mean 'goals'?")
        #expect(diagnostic.rendered().split(separator: "\n").last == "  | ^")
    }

    @Test("no key path, no expectation: just the message")
    func minimal() {
        let diagnostic = Diagnostic(
            file: "m.yaml", line: 2, column: 4, keyPath: "", message: "mapping values are not allowed in this context")
        #expect(diagnostic.headline == "m.yaml:2:4: error: mapping values are not allowed in this context")
        #expect(diagnostic.rendered() == diagnostic.headline)
    }

    @Test("a whole-file problem (line 0) renders as its headline")
    func wholeFile() {
        let diagnostic = Diagnostic(
            file: "m.yaml", line: 0, column: 0, keyPath: "", message: "cannot read the file", sourceLine: "x")
        #expect(diagnostic.rendered() == "m.yaml:0:0: error: cannot read the file")
    }

    @Test("warnings say so")
    func warning() {
        let diagnostic = Diagnostic(file: "m.yaml", line: 1, column: 1, severity: .warning, keyPath: "k", message: "m")
        #expect(diagnostic.headline == "m.yaml:1:1: warning: k: m")
    }

    @Test("the gutter widens with the line number")
    func wideGutter() {
        let diagnostic = Diagnostic(
            file: "m.yaml", line: 120, column: 3, keyPath: "", message: "m", sourceLine: "abcdef")
        let lines = diagnostic.rendered().split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines[1] == "120 | abcdef")
        #expect(lines[2] == "    |   ^")
    }

    @Test("tabs are shown as four spaces and the caret follows them")
    func tabs() {
        let diagnostic = Diagnostic(
            file: "m.yaml", line: 2, column: 3, keyPath: "", message: "m", sourceLine: "\t\tb: 1")
        let lines = diagnostic.rendered().split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines[1] == "2 |         b: 1")
        #expect(lines[2] == "  |         ^")
    }

    @Test("columns count characters, so the caret sits under non-ASCII text correctly")
    func unicode() {
        let diagnostic = Diagnostic(
            file: "m.yaml", line: 1, column: 10, keyPath: "", message: "m", sourceLine: "é日本: ééé x")
        let lines = diagnostic.rendered().split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines[2] == "  | " + String(repeating: " ", count: 9) + "^")
        #expect(Array(lines[1].dropFirst(4).unicodeScalars)[9] == "x")
    }

    @Test("every diagnostic of a real manifest puts its caret under the offending text")
    func caretsOnRealManifest() throws {
        let (_, diagnostics) = ManifestLoader(environment: [:]).load(file: try fixture("several-errors.yaml"))
        #expect(diagnostics.count == 12)
        for diagnostic in diagnostics {
            let lines = diagnostic.rendered().split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            #expect(lines.count == 3)
            #expect(lines[0] == diagnostic.headline)
            #expect(
                lines[0].hasPrefix(
                    "\(diagnostic.file):\(diagnostic.line):\(diagnostic.column): error: \(diagnostic.keyPath): "))
            let gutter = "\(diagnostic.line) | "
            #expect(lines[1] == gutter + (diagnostic.sourceLine ?? ""))
            let caret = try #require(lines[2].firstIndex(of: "^"))
            let offset = lines[2].distance(from: lines[2].startIndex, to: caret) - gutter.count
            #expect(offset == diagnostic.column - 1)
            let underCaret = Array(diagnostic.sourceLine ?? "")[offset]
            #expect(!underCaret.isWhitespace, "\(diagnostic.headline)")
        }
    }

    /// `ManifestLoader.load(bytes:file:)` splits the decoded `String` on the Character "\n", but
    /// "\r\n" is a single Character (one grapheme cluster), so a CRLF file is one "line" and
    /// every diagnostic in it loses its source line and caret.
    @Test("a CRLF manifest shows its source lines without the carriage return")
    func crlfSourceLine() throws {
        let (_, diagnostics) = loadManifest("version: 1\r\ngoals:\r\n  - goal: x\r\n    max_depth: 0\r\n")
        let diagnostic = try #require(diagnostics.first)
        #expect(diagnostic.position == "4:16")
        #expect(diagnostic.keyPath == "goals[0].max_depth")
        #expect(diagnostic.sourceLine == "    max_depth: 0")
        #expect(diagnostic.rendered().split(separator: "\n").count == 3)
    }

    @Test("diagnostics encode with snake_case keys for `roma validate --json`")
    func json() throws {
        let diagnostic = Diagnostic(
            file: "m.yaml", line: 1, column: 2, keyPath: "a.b", message: "m", expected: "e", hint: "h", sourceLine: "s")
        let object = try JSONDecoder().decode(JSONValue.self, from: try CanonicalJSON.encode(diagnostic))
        #expect(
            object
                == .object([
                    "file": .string("m.yaml"), "line": .int(1), "column": .int(2), "severity": .string("error"),
                    "key_path": .string("a.b"), "message": .string("m"), "expected": .string("e"), "hint": .string("h"),
                    "source_line": .string("s"),
                ]))
        #expect(try CanonicalJSON.decode(Diagnostic.self, from: try CanonicalJSON.encode(diagnostic)) == diagnostic)
    }

    // MARK: Clipped source lines

    /// A line of `count` distinct-looking scalars: position `i` (0-based) holds a letter derived from `i`.
    private static func line(_ count: Int) -> String {
        String((0..<count).map { Character(Unicode.Scalar(UInt8(ascii: "a") + UInt8($0 % 26))) })
    }

    @Test("a line of up to 240 scalars is shown whole, with no caret column of its own")
    func shortLineWhole() {
        let line = Self.line(240)
        #expect(SourceExcerpt(line: line, column: 200) == SourceExcerpt(line: line, column: 1))
        #expect(SourceExcerpt(line: line, column: 200).text == line)
        #expect(SourceExcerpt(line: line, column: 200).caretColumn == nil)
    }

    @Test(
        "a long line is clipped to 240 scalars around the column, with … where text was cut",
        arguments: [
            (1, false, true), (100, false, true), (120, false, true), (121, true, true), (5_000, true, true), (9_880, true, true),
            (9_882, true, false),
            (10_000, true, false), (10_001, true, false),
        ])
    func longLineClipped(column: Int, cutBefore: Bool, cutAfter: Bool) throws {
        let line = Self.line(10_000)
        let excerpt = SourceExcerpt(line: line, column: column)
        let shown = Array(excerpt.text.unicodeScalars)
        let all = Array(line.unicodeScalars)
        #expect(shown.count == SourceExcerpt.maxWidth)
        #expect((shown.first == "…") == cutBefore)
        #expect((shown.last == "…") == cutAfter)
        let caret = try #require(excerpt.caretColumn)
        if column <= all.count {
            #expect(shown[caret - 1] == all[column - 1])
            #expect(shown[caret - 1] != "…")
        } else {
            #expect(caret == shown.count + 1)  // just past the end, like the column
        }
        // Between the markers is one run of the line, aligned so the caret maps back to the column.
        let inner = Array(shown.dropFirst(cutBefore ? 1 : 0).dropLast(cutAfter ? 1 : 0))
        let start = (column - 1) - (caret - 1 - (cutBefore ? 1 : 0))
        #expect(Array(all[start..<(start + inner.count)]) == inner)
        #expect((start == 0) == !cutBefore)
        #expect((start + inner.count == all.count) == !cutAfter)
    }

    @Test("the caret of a clipped line sits under the located character; the column stays the true one")
    func clippedRendering() throws {
        let prefix = String(repeating: "x", count: 5_000)
        let line = prefix + "max_depth: 11 " + String(repeating: "y", count: 5_000)
        let column = prefix.count + 12
        let excerpt = SourceExcerpt(line: line, column: column)
        let diagnostic = Diagnostic(
            file: "m.yaml", line: 7, column: column, keyPath: "goals[0].max_depth", message: "11 is out of range",
            sourceLine: excerpt.text, caretColumn: excerpt.caretColumn)
        #expect(diagnostic.headline.hasPrefix("m.yaml:7:5012: error: "))
        let lines = diagnostic.rendered().split(separator: "\n").map(String.init)
        #expect(lines[1] == "7 | " + excerpt.text)
        let caret = try #require(lines[2].firstIndex(of: "^"))
        let offset = lines[2].distance(from: lines[2].startIndex, to: caret) - 4
        #expect(String(Array(excerpt.text)[offset...].prefix(2)) == "11")
    }

    @Test("a clipped line's caret column is encoded for `roma validate --json`")
    func caretColumnJSON() throws {
        let diagnostic = Diagnostic(
            file: "m.yaml", line: 1, column: 5_000, keyPath: "k", message: "m", sourceLine: "…abc…", caretColumn: 3)
        let object = try JSONDecoder().decode(JSONValue.self, from: try CanonicalJSON.encode(diagnostic))
        #expect(object["caret_column"] == .int(3))
        #expect(object["column"] == .int(5_000))
        #expect(try CanonicalJSON.decode(Diagnostic.self, from: try CanonicalJSON.encode(diagnostic)) == diagnostic)
    }

    @Test("the API message of an issue")
    func apiMessage() {
        #expect(
            ValidationIssue(mark: .none, path: "goal", message: "is required", kind: .missingRequiredField).apiMessage
                == "The 'goal' field is required")
        #expect(
            ValidationIssue(
                mark: .none, path: "max_depth", message: "11 is out of range", expected: "an integer from 1 to 10",
                kind: .outOfRange
            )
            .apiMessage == "Invalid 'max_depth': 11 is out of range (expected an integer from 1 to 10)")
        #expect(ValidationIssue.Kind.missingRequiredField.rawValue == "missing_required_field")
    }
}
