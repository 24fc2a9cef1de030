import Foundation
import ROMACore
import Testing

@Suite("Derived goal ids")
struct GoalIDTests {
    /// Expected hashes are the first 8 hex digits of the goal's SHA-256 (computed with hashlib).
    @Test(
        "slug of the first words plus the first 8 hex digits of the goal's SHA-256",
        arguments: [
            ("Research AI trends in 2025", "research-ai-trends-in-2025-b29fe9b0"),
            ("Analyze Bitcoin price", "analyze-bitcoin-price-f00601a1"),
            ("one two three four five six seven", "one-two-three-four-five-10c02045"),
            (
                "Survey recent progress in sodium-ion battery chemistry and explain",
                "survey-recent-progress-in-sodium-45b0296a"
            ),
            ("  Hello, WORLD!!  ", "hello-world-b850308c"),
            ("日本語のゴール", "goal-3457a608"),
            ("Supercalifragilisticexpialidociousnessity is long", "goal-84707f1d"),
            ("café au lait", "caf-au-lait-7c413039"),
        ])
    func derived(_ goal: String, _ id: String) {
        #expect(GoalSpec.derivedID(for: goal) == id)
    }

    static let samples = [
        "Research AI trends in 2025", "research ai trends in 2025!", "x",
        "A goal with punctuation: yes, and more — dashes",
        String(repeating: "word ", count: 2_000), "12345 67890", "🚀 launch plan",
    ]

    @Test("looks like slug-hash8, fits in a folder name, and is the same on every call", arguments: samples)
    func shape(_ goal: String) throws {
        let id = GoalSpec.derivedID(for: goal)
        let pattern = try NSRegularExpression(pattern: "^[a-z0-9]+(-[a-z0-9]+)*-[0-9a-f]{8}$")
        #expect(pattern.firstMatch(in: id, range: NSRange(id.startIndex..., in: id)) != nil, "\(id)")
        #expect(id.count <= 32 + 9)
        #expect(GoalSpec.derivedID(for: goal) == id)
        #expect(id.hasSuffix("-" + SHA256.hex(goal).prefix(8)))
    }

    @Test("goals with the same slug still get different ids")
    func sameSlug() {
        let a = GoalSpec.derivedID(for: "Research AI trends in 2025")
        let b = GoalSpec.derivedID(for: "research ai trends in 2025!")
        #expect(a.dropLast(9) == b.dropLast(9))
        #expect(a != b)
    }

    @Test("a manifest goal without an id gets the derived id of its (interpolated) text")
    func manifestDerivedID() throws {
        let (manifest, diagnostics) = loadManifest(
            "version: 1\ngoals:\n  - goal: Research ${T}\n", environment: ["T": "AI trends in 2025"])
        #expect(diagnostics.isEmpty)
        #expect(manifest?.goals.first?.id == "research-ai-trends-in-2025-b29fe9b0")
    }
}
