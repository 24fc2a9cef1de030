import ROMAYAML
import Testing

@Suite("Node marks are 1-based line and column")
struct MarkTests {
    static let document = """
        name: demo
        goals:
          - id: a
            goal: "x y"
          - [1, 2, {k: v}]
        multi: |
          line
        unicode: {a: "éé", b: 1}

        """

    struct Case: Sendable, CustomTestStringConvertible {
        var path: [any PathComponent]
        var line: Int
        var column: Int
        var testDescription: String { "\(path.map { "\($0)" }.joined(separator: ".")) @ \(line):\(column)" }
    }

    static let cases: [Case] = [
        Case(path: [], line: 1, column: 1),
        Case(path: ["name"], line: 1, column: 7),
        Case(path: ["goals"], line: 3, column: 3),
        Case(path: ["goals", 0], line: 3, column: 5),
        Case(path: ["goals", 0, "id"], line: 3, column: 9),
        Case(path: ["goals", 0, "goal"], line: 4, column: 11),
        Case(path: ["goals", 1], line: 5, column: 5),
        Case(path: ["goals", 1, 0], line: 5, column: 6),
        Case(path: ["goals", 1, 1], line: 5, column: 9),
        Case(path: ["goals", 1, 2], line: 5, column: 12),
        Case(path: ["goals", 1, 2, "k"], line: 5, column: 16),
        Case(path: ["multi"], line: 6, column: 8),
        // Columns count Unicode scalars, not bytes: "é" is one column.
        Case(path: ["unicode", "b"], line: 8, column: 23),
    ]

    @Test("value marks", arguments: cases)
    func valueMark(_ c: Case) throws {
        let node = try #require(try parse(Self.document).node.at(c.path))
        #expect(node.mark == YAMLMark(line: c.line, column: c.column))
    }

    @Test("key marks")
    func keyMarks() throws {
        let root = try parse(Self.document).node
        let keys = try #require(root.pairs).map { ($0.key.scalar?.text ?? "", $0.key.mark) }
        #expect(keys.map(\.0) == ["name", "goals", "multi", "unicode"])
        #expect(
            keys.map(\.1) == [
                YAMLMark(line: 1, column: 1), YAMLMark(line: 2, column: 1), YAMLMark(line: 6, column: 1),
                YAMLMark(line: 8, column: 1),
            ])
        let unicodeKeys = try #require(root["unicode"]?.pairs).map(\.key.mark)
        #expect(unicodeKeys == [YAMLMark(line: 8, column: 11), YAMLMark(line: 8, column: 20)])
    }

    @Test("a CRLF file counts lines the same way")
    func crlf() throws {
        let node = try parse("a: 1\r\nb:\r\n  c: 2\r\n").node
        #expect(node["b"]?["c"]?.mark == YAMLMark(line: 3, column: 6))
    }

    @Test("marks order by line, then column")
    func ordering() {
        #expect(YAMLMark(line: 1, column: 9) < YAMLMark(line: 2, column: 1))
        #expect(YAMLMark(line: 2, column: 1) < YAMLMark(line: 2, column: 2))
        #expect(YAMLMark.none < YAMLMark(line: 1, column: 1))
        #expect(YAMLMark(line: 3, column: 7).description == "3:7")
    }
}
