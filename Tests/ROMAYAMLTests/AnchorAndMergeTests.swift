import ROMAYAML
import Testing

@Suite("Anchors, aliases and merge keys")
struct AnchorAndMergeTests {
    @Test("an alias repeats its anchor's scalar, at the alias's position")
    func scalarAlias() throws {
        let (node, errors) = try parse("x: &v 5\ny: *v\n")
        #expect(errors.isEmpty)
        #expect(node["y"]?.scalar?.value == .int(5))
        #expect(node["y"]?.mark == YAMLMark(line: 2, column: 4))
        #expect(node["x"]?.mark == YAMLMark(line: 1, column: 4))
    }

    @Test("an alias repeats a whole collection")
    func collectionAlias() throws {
        let text = """
            base: &list
              - one
              - two
            copy: *list
            nested: [*list, *list]

            """
        let (node, errors) = try parse(text)
        #expect(errors.isEmpty)
        #expect(
            node["copy"]
                == node["base"].map {
                    var n = $0
                    n.mark = YAMLMark(line: 4, column: 7)
                    return n
                })
        #expect(node["nested"]?.items?.count == 2)
        #expect(node.at(["nested", 1, 1])?.scalar?.text == "two")
        // The alias itself sits where it was written; its contents keep the anchor's marks.
        #expect(node.at(["nested", 1])?.mark == YAMLMark(line: 5, column: 17))
        #expect(node.at(["nested", 1, 0])?.mark == YAMLMark(line: 2, column: 5))
    }

    @Test("a redefined anchor applies from there on")
    func redefinedAnchor() throws {
        let (node, _) = try parse("a: &x 1\nb: *x\nc: &x 2\nd: *x\n")
        #expect(node["b"]?.scalar?.value == .int(1))
        #expect(node["d"]?.scalar?.value == .int(2))
    }

    @Test("merge key: merged keys never override explicit ones, wherever `<<` is written")
    func mergeKey() throws {
        let text = """
            base: &base
              temperature: 0.5
              max_tokens: 100
              model: m1
            before:
              <<: *base
              max_tokens: 200
            after:
              max_tokens: 300
              <<: *base

            """
        let (node, errors) = try parse(text)
        #expect(errors.isEmpty)
        for (key, tokens) in [("before", 200), ("after", 300)] {
            let merged = try #require(node[key])
            #expect(Set(merged.keys) == ["temperature", "max_tokens", "model"], "\(key)")
            #expect(merged.keys.count == 3, "\(key): no key twice, no '<<' left")
            #expect(merged["max_tokens"]?.scalar?.value == .int(tokens))
            #expect(merged["temperature"]?.scalar?.value == .float(0.5))
            #expect(merged["model"]?.scalar?.value == .string("m1"))
        }
    }

    @Test("merge key with a list: earlier sources win over later ones")
    func mergeList() throws {
        let text = """
            a: &a { x: 1, y: 1 }
            b: &b { y: 2, z: 2 }
            c:
              <<: [*a, *b]
              z: 3

            """
        let (node, errors) = try parse(text)
        #expect(errors.isEmpty)
        let c = try #require(node["c"])
        #expect(c["x"]?.scalar?.value == .int(1))
        #expect(c["y"]?.scalar?.value == .int(1))
        #expect(c["z"]?.scalar?.value == .int(3))
        #expect(c.keys.count == 3)
    }

    @Test("merge key with an inline mapping")
    func mergeInline() throws {
        let (node, errors) = try parse("c:\n  <<: { k: v }\n  j: w\n")
        #expect(errors.isEmpty)
        #expect(node["c"]?["k"]?.scalar?.text == "v")
        #expect(node["c"]?.keys.contains("<<") == false)
    }

    @Test("a quoted '<<' is an ordinary key, not a merge")
    func quotedMergeKey() throws {
        let (node, errors) = try parse("a: &a { x: 1 }\nb:\n  \"<<\": *a\n")
        #expect(errors.isEmpty)
        #expect(node["b"]?.keys == ["<<"])
        #expect(node["b"]?["x"] == nil)
    }

    @Test("two merge keys in one mapping are not duplicate keys")
    func twoMergeKeys() throws {
        let (node, errors) = try parse("a: &a { x: 1 }\nb: &b { y: 2 }\nc:\n  <<: *a\n  <<: *b\n")
        #expect(errors.isEmpty)
        #expect(Set(node["c"]?.keys ?? []) == ["x", "y"])
    }

    @Test("an alias to an anchor of an earlier document is undefined")
    func anchorsArePerDocument() throws {
        let parser = YAMLParser(allowsMultipleDocuments: true)
        let error = try #require(rejection("a: &x 1\n---\nb: *x\n", parser: parser))
        #expect(error.code == .undefinedAlias)
        #expect(error.mark == YAMLMark(line: 3, column: 4))
    }
}
