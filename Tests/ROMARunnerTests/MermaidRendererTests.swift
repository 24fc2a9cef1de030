import ROMACore
import ROMATestSupport
import Testing

@testable import ROMARunner

@Suite("Mermaid rendering")
struct MermaidRendererTests {
    @Test(
        "labels escape quotes and angle brackets by character, as committed dag.mmd files were written",
        arguments: [
            ("plain", "plain"), (#"say "hi" <now>"#, "say #quot;hi#quot; #lt;now#gt;"),
            // A mark combined with the quote makes another character: it stays, as it always did.
            ("a\"\u{301}b", "a\"\u{301}b"), ("<\u{338} >", "<\u{338} #gt;"), ("日本 \"é\"", "日本 #quot;é#quot;"),
        ])
    func escaping(text: String, expected: String) {
        #expect(MermaidRenderer.escape(text) == expected)
    }

    @Test("a node's line: icon, task type and the shortened input, coloured by status")
    func nodeLine() {
        let node = DAGNode(
            id: "node_0", type: "execute", taskType: "THINK", status: .completed, input: "Why is the \"sky\"\nblue?", output: "x",
            depth: 0, parent: nil, dependencies: [], startedAt: nil, completedAt: nil, error: nil, llmCalls: 1, tokensUsed: 3)
        let text = MermaidRenderer.render(DAG(nodes: [node], edges: []))
        #expect(text.hasPrefix("flowchart TD\n  node_0[\"✓ THINK · Why is the #quot;sky#quot; blue?\"]:::completed\n"))
    }

    @Test("shortening looks at the first characters only and gives what splitting the whole text gave")
    func shortenAgreesWithSplittingTheWholeText() {
        // The way committed dag.mmd files were written: every line break run is one space.
        func splitting(_ text: String, _ limit: Int) -> String {
            let single = text.split(whereSeparator: \.isNewline).joined(separator: " ")
            return single.count > limit ? String(single.prefix(limit - 1)) + "…" : single
        }
        // ASCII texts take a path of their own.
        let ascii = ["a", " ", "\n", "\r\n", "\r", "\u{0B}", "\u{0C}", "\n\n", "\"", "word ", "\t"]
        let unicode = ascii + ["é", "e\u{301}", "日本", "\u{2028}", "\u{85}", "😀", "\r\u{301}"]
        var random = SplitMix64(seed: 7)
        for round in 0..<4000 {
            let pieces = round.isMultiple(of: 2) ? ascii : unicode
            let text = (0..<Int.random(in: 0...30, using: &random)).map { _ in pieces.randomElement(using: &random)! }.joined()
            for limit in [1, 2, 5, 12, 48] {
                #expect(MermaidRenderer.shorten(text, limit) == splitting(text, limit), "\(text.debugDescription), \(limit)")
            }
        }
    }
}
