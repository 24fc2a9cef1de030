import ROMAYAML
import Testing

@Suite("Duplicate keys are recoverable errors")
struct DuplicateKeyTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var label: String
        var text: String
        var key: String
        /// Where the second key is.
        var at: YAMLMark
        /// Where the first one is.
        var first: YAMLMark
        var testDescription: String { label }
    }

    static let cases: [Case] = [
        Case(
            label: "top level", text: "goal: a\nmax_depth: 1\ngoal: b\n", key: "goal",
            at: YAMLMark(line: 3, column: 1), first: YAMLMark(line: 1, column: 1)),
        Case(
            label: "inside a goal", text: "goals:\n  - id: a\n    goal: x\n    id: b\n", key: "id",
            at: YAMLMark(line: 4, column: 5), first: YAMLMark(line: 2, column: 5)),
        Case(
            label: "flow mapping", text: "m: {a: 1, b: 2, a: 3}\n", key: "a",
            at: YAMLMark(line: 1, column: 17), first: YAMLMark(line: 1, column: 5)),
        Case(
            label: "quoted and plain spelling of one string", text: "goal: a\n\"goal\": b\n", key: "goal",
            at: YAMLMark(line: 2, column: 1), first: YAMLMark(line: 1, column: 1)),
        Case(
            label: "same value, different spelling (core schema)", text: "1: a\n0x1: b\n", key: "0x1",
            at: YAMLMark(line: 2, column: 1), first: YAMLMark(line: 1, column: 1)),
        Case(
            label: "explicit key", text: "a: 1\n? a\n: 2\n", key: "a",
            at: YAMLMark(line: 2, column: 3), first: YAMLMark(line: 1, column: 1)),
    ]

    @Test(arguments: cases)
    func duplicate(_ c: Case) throws {
        let (_, errors) = try parse(c.text)
        #expect(errors.count == 1)
        let error = try #require(errors.first)
        #expect(error.code == .duplicateKey)
        #expect(error.mark == c.at)
        #expect(error.relatedMark == c.first)
        #expect(
            error.message
                == "duplicate key '\(c.key)' (first defined at line \(c.first.line), column \(c.first.column))")
    }

    @Test("parsing goes on after a duplicate, and every duplicate is reported in source order")
    func several() throws {
        let (node, errors) = try parse("a: 1\nb: 2\na: 3\nc: 4\nb: 5\na: 6\n")
        #expect(errors.map(\.mark.line) == [3, 5, 6])
        #expect(errors.map(\.relatedMark?.line) == [1, 2, 1])
        #expect(node["c"]?.scalar?.value == .int(4))
    }

    @Test(
        "keys that differ by type are not duplicates",
        arguments: [
            "1: a\n\"1\": b\n", "true: a\n\"true\": b\n", "a: 1\nA: 2\n", "null: a\n\"null\": b\n",
        ])
    func distinct(_ text: String) throws {
        #expect(try parse(text).errors.isEmpty)
    }

    @Test("the same key in sibling mappings is fine")
    func siblings() throws {
        #expect(try parse("- id: a\n- id: b\n").errors.isEmpty)
        #expect(try parse("a: {id: 1}\nb: {id: 1}\n").errors.isEmpty)
    }
}

@Suite("Multi-document streams")
struct DocumentTests {
    @Test(
        "a second document is rejected where it starts",
        arguments: [
            ("a: 1\n---\nb: 2\n", YAMLMark(line: 2, column: 1)),
            ("---\na: 1\n...\n---\nb: 2\n", YAMLMark(line: 4, column: 1)),
            ("a: 1\n---\n", YAMLMark(line: 2, column: 1)),
            ("# one\na: 1\n\n\n--- b\n", YAMLMark(line: 5, column: 1)),
        ])
    func rejected(_ text: String, _ at: YAMLMark) throws {
        let error = try #require(rejection(text))
        #expect(error.code == .multipleDocuments)
        #expect(error.mark == at)
    }

    @Test("several documents are accepted when allowed")
    func accepted() throws {
        let result = try YAMLParser(allowsMultipleDocuments: true).parse(Array("a: 1\n---\nb: 2\n---\n- c\n".utf8))
        #expect(result.documents.count == 3)
        #expect(result.documents[0]["a"]?.scalar?.value == .int(1))
        #expect(result.documents[1]["b"]?.scalar?.value == .int(2))
        #expect(result.documents[1].mark == YAMLMark(line: 3, column: 1))
        #expect(result.documents[2].items?.first?.scalar?.text == "c")
        #expect(result.errors.isEmpty)
    }

    @Test(
        "one explicit document is not several",
        arguments: ["---\na: 1\n", "---\na: 1\n...\n", "%YAML 1.1\n---\na: 1\n"])
    func single(_ text: String) throws {
        let result = try YAMLParser().parse(Array(text.utf8))
        #expect(result.documents.count == 1)
        #expect(result.documents[0]["a"]?.scalar?.value == .int(1))
    }

    @Test("an empty stream is one null document", arguments: ["", "# only a comment\n", "\n\n"])
    func empty(_ text: String) throws {
        #expect(try YAMLParser().parse(Array(text.utf8)).documents.isEmpty)
        #expect(try parse(text).node.scalar?.value == .null)
    }

    @Test("an explicit empty document is a null scalar")
    func explicitEmpty() throws {
        let result = try YAMLParser().parse(Array("---\n...\n".utf8))
        #expect(result.documents.count == 1)
        #expect(result.documents[0].scalar?.value == .null)
    }
}
