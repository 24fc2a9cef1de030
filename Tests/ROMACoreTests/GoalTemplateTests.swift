import Foundation
import ROMACore
import Testing

/// `line:column` of the `occurrence`-th appearance of `needle` in `text` (1-based, as libyaml counts).
private func position(of needle: String, in text: String, occurrence: Int = 1) -> String {
    var count = 0
    for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
        var rest = line[...]
        while let range = rest.range(of: needle) {
            count += 1
            if count == occurrence {
                return "\(index + 1):\(line.unicodeScalars.distance(from: line.startIndex, to: range.lowerBound) + 1)"
            }
            rest = line[range.upperBound...]
        }
    }
    return "not found"
}

@Suite("Goal templates and matrices")
struct GoalTemplateTests {
    static let research = """
        version: 1
        name: research
        defaults:
          max_depth: 2
        matrix:
          config_profile: [fast, high_quality]
          model: [gpt-4o-mini, llama-3.1-8b]
        goals:
          - id: price
            goal: "Analyze {{coin}} price action this week"
            vars: { coin: [BTC, ETH] }
          - id: outlook
            goal: Summarize the outlook for stablecoin regulation
        """

    @Test("a template times a matrix expands into one goal per combination, with slugged stable ids and its settings")
    func expansion() throws {
        let (loaded, diagnostics) = loadManifest(Self.research)
        #expect(diagnostics.isEmpty, "\(diagnostics.map(\.headline))")
        let manifest = try #require(loaded)
        #expect(
            manifest.goals.map(\.id) == [
                "price.coin-BTC.fast.gpt-4o-mini", "price.coin-BTC.fast.llama-3.1-8b", "price.coin-BTC.high_quality.gpt-4o-mini",
                "price.coin-BTC.high_quality.llama-3.1-8b", "price.coin-ETH.fast.gpt-4o-mini", "price.coin-ETH.fast.llama-3.1-8b",
                "price.coin-ETH.high_quality.gpt-4o-mini", "price.coin-ETH.high_quality.llama-3.1-8b", "outlook.fast.gpt-4o-mini",
                "outlook.fast.llama-3.1-8b", "outlook.high_quality.gpt-4o-mini", "outlook.high_quality.llama-3.1-8b",
            ])
        let eth = try #require(manifest.goals.first { $0.id == "price.coin-ETH.high_quality.llama-3.1-8b" })
        #expect(eth.request.goal == "Analyze ETH price action this week")
        #expect(eth.request.configProfile == .highQuality)
        #expect(eth.request.configOverrides.model == "llama-3.1-8b")
        #expect(eth.request.maxDepth == 2)
        #expect(eth.origin?.template == "price")
        #expect(eth.origin?.row == "coin=ETH")
        #expect(eth.origin?.column == "high_quality · llama-3.1-8b")
        #expect(manifest.goals.last?.origin?.row == "outlook")
        #expect(
            manifest.templates.map(\.expansion) == [
                "2 coin × 2 config_profile × 2 model = 8 goals", "2 config_profile × 2 model = 4 goals",
            ])
    }

    @Test("numbers in a matrix name their key in the id; a goal's own matrix replaces the manifest's; no matrix, no suffix")
    func numbersAndOwnMatrix() throws {
        let (loaded, diagnostics) = loadManifest(
            """
            matrix:
              max_depth: [1, 3]
            goals:
              - id: depth
                goal: Explain tides
              - id: warm
                goal: Explain "{{thing}}"
                vars: { thing: [ocean currents, "El Niño / La Niña"] }
                matrix: { temperature: [0.2, 0.9], max_tokens: [500] }
              - id: plain
                goal: Explain wind
                matrix: {}
            """)
        #expect(diagnostics.isEmpty, "\(diagnostics.map(\.headline))")
        let manifest = try #require(loaded)
        #expect(
            manifest.goals.map(\.id) == [
                "depth.max-depth-1", "depth.max-depth-3", "warm.thing-ocean-currents.temperature-0.2.max-tokens-500",
                "warm.thing-ocean-currents.temperature-0.9.max-tokens-500", "warm.thing-El-Ni-o-La-Ni-a.temperature-0.2.max-tokens-500",
                "warm.thing-El-Ni-o-La-Ni-a.temperature-0.9.max-tokens-500", "plain",
            ])
        #expect(manifest.goals[1].request.maxDepth == 3)
        #expect(manifest.goals[3].request.configOverrides == ConfigOverrides(temperature: 0.9, maxTokens: 500))
        #expect(manifest.goals[4].request.goal == "Explain \"El Niño / La Niña\"")
        #expect(manifest.goals[3].origin?.column == "temperature 0.9 · max_tokens 500")
        #expect(manifest.goals[6].origin == nil)
    }

    @Test("adding a value to a list adds goals and leaves every existing goal's id and resolved request as it was")
    func stableUnderAddedValues() throws {
        let before = try #require(loadManifest(Self.research).manifest)
        let grown = Self.research.replacingOccurrences(of: "[BTC, ETH]", with: "[BTC, SOL, ETH]")
            .replacingOccurrences(of: "[fast, high_quality]", with: "[general, fast, high_quality]")
            .replacingOccurrences(of: "llama-3.1-8b]", with: "llama-3.1-8b, qwen2.5-7b]")
        let (loaded, diagnostics) = loadManifest(grown)
        #expect(diagnostics.isEmpty)
        let after = try #require(loaded)
        #expect(after.goals.count == 3 * 3 * 3 + 3 * 3)
        let profiles = ProfileTable()
        let afterByID = Dictionary(uniqueKeysWithValues: after.goals.map { ($0.id, $0) })
        for goal in before.goals {
            let same = try #require(afterByID[goal.id], "\(goal.id) vanished")
            #expect(
                try CanonicalJSON.encode(ResolvedRequest(id: goal.id, request: goal.request, profiles: profiles))
                    == CanonicalJSON.encode(ResolvedRequest(id: same.id, request: same.request, profiles: profiles)))
        }
    }

    @Test("--only: a template id selects all its goals; a goal id itself; anything else is unknown")
    func selection() throws {
        let manifest = try #require(loadManifest(Self.research).manifest)
        let (ids, unknown) = manifest.goalIDs(selectedBy: ["price", "outlook.fast.gpt-4o-mini", "nope"])
        #expect(ids.count == 9)
        #expect(ids.contains("price.coin-ETH.fast.llama-3.1-8b"))
        #expect(unknown == ["nope"])
    }

    @Test("placeholders: {{name}} with optional spaces; anything else in braces is text")
    func placeholders() {
        #expect(Placeholder.names(in: "{{a}} and {{ b_2 }} and {{a}} but not {{c d}} or {{1x}} or {x}") == ["a", "b_2"])
        #expect(Placeholder.substitute("{{a}}-{{ b_2 }}-{{zz}}-{{c d}}", values: ["a": "A", "b_2": "B"]) == "A-B-{{zz}}-{{c d}}")
    }

    @Test("every expansion error points at the line that caused it", arguments: GoalTemplateTests.errorCases)
    func errors(_ item: ErrorCase) throws {
        let (manifest, diagnostics) = loadManifest(item.yaml)
        #expect(manifest == nil)
        let diagnostic = try #require(diagnostics.first { $0.message.contains(item.message) }, "\(diagnostics.map(\.headline))")
        #expect(diagnostic.position == position(of: item.at, in: item.yaml, occurrence: item.occurrence), "\(diagnostic.headline)")
        #expect(diagnostic.keyPath == item.keyPath, "\(diagnostic.headline)")
        #expect(diagnostic.sourceLine != nil)
        if let hint = item.hint { #expect(diagnostic.hint == hint) }
        #expect(diagnostics.count == item.count, "\(diagnostics.map(\.headline))")
    }

    struct ErrorCase: Sendable, CustomTestStringConvertible {
        var name: String
        var yaml: String
        var message: String
        var at: String
        var occurrence = 1
        var keyPath: String
        var hint: String?
        var count = 1
        var testDescription: String { name }
    }

    static let bigList = "[" + (1...40).map { "v\($0)" }.joined(separator: ", ") + "]"

    static let errorCases: [ErrorCase] = [
        ErrorCase(
            name: "unknown placeholder", yaml: "goals:\n  - id: p\n    goal: Analyze {{coyn}} for {{coin}}\n    vars: { coin: [BTC] }\n",
            message: "unknown placeholder {{coyn}}", at: "Analyze", keyPath: "goals[0].goal", hint: "did you mean '{{coin}}'?"),
        ErrorCase(
            name: "placeholder without vars", yaml: "goals:\n  - goal: Analyze {{coin}}\n", message: "unknown placeholder {{coin}}",
            at: "Analyze", keyPath: "goals[0].goal"),
        ErrorCase(
            name: "a variable the goal never uses", yaml: "goals:\n  - goal: Analyze {{coin}}\n    vars: { coin: [BTC], year: [2025] }\n",
            message: "is not used by the goal", at: "year", keyPath: "goals[0].vars.year"),
        ErrorCase(
            name: "empty vars list", yaml: "goals:\n  - goal: Analyze {{coin}}\n    vars:\n      coin: []\n",
            message: "is an empty list", at: "[]", keyPath: "goals[0].vars.coin", count: 2),
        ErrorCase(
            name: "empty matrix list", yaml: "matrix:\n  config_profile: [fast]\n  model: []\ngoals:\n  - goal: Explain tides\n",
            message: "is an empty list", at: "[]", keyPath: "matrix.model"),
        ErrorCase(
            name: "values whose ids would collide",
            yaml: "goals:\n  - id: p\n    goal: Visit {{city}}\n    vars: { city: [New York, new-york] }\n",
            message: "give the same goal id segment 'city-new-york'", at: "new-york", keyPath: "goals[0].vars.city[1]"),
        ErrorCase(
            name: "a duplicate value", yaml: "matrix:\n  model: [gpt-4o, llama3, gpt-4o]\ngoals:\n  - goal: Explain tides\n",
            message: "duplicate value 'gpt-4o' (also on line 2)", at: "gpt-4o", occurrence: 2, keyPath: "matrix.model[2]"),
        ErrorCase(
            name: "an expanded id colliding with another goal's",
            yaml:
                "goals:\n  - id: p\n    goal: Explain tides\n    matrix: { config_profile: [fast] }\n  - id: p.fast\n    goal: Explain wind\n",
            message: "duplicate goal id 'p.fast' (first used by goals[0])", at: "p.fast", keyPath: "goals[1].id"),
        ErrorCase(
            name: "an expansion over the cap",
            yaml: "goals:\n  - id: p\n    goal: Compare {{a}} with {{b}}\n    vars:\n      a: \(bigList)\n      b: \(bigList)\n",
            message: "expands to 40 a × 40 b goals, more than 1,000", at: "vars", keyPath: "goals[0].vars"),
        ErrorCase(
            name: "a matrix over the cap",
            yaml:
                "matrix:\n  model: \(bigList)\n  max_tokens: [\((1...30).map { String(100 + $0) }.joined(separator: ", "))]\ngoals:\n  - goal: Explain tides\n",
            message: "expands every goal to 40 model × 30 max_tokens goals, more than 1,000", at: "matrix", keyPath: "matrix"),
        ErrorCase(
            name: "a goal setting a key the matrix varies",
            yaml: "matrix:\n  config_profile: [fast, general]\ngoals:\n  - goal: Explain tides\n    config_profile: fast\n",
            message: "is also varied by the matrix (line 2)", at: "config_profile", occurrence: 2, keyPath: "goals[0].config_profile"),
        ErrorCase(
            name: "an unknown matrix key", yaml: "matrix:\n  config_profil: [fast]\ngoals:\n  - goal: Explain tides\n",
            message: "unknown key", at: "config_profil", keyPath: "matrix.config_profil", hint: "did you mean 'config_profile'?"),
        ErrorCase(
            name: "a matrix value breaking the request rules", yaml: "matrix:\n  max_depth: [2, 11]\ngoals:\n  - goal: Explain tides\n",
            message: "11 is out of range", at: "11", keyPath: "matrix.max_depth[1]"),
        ErrorCase(
            name: "a variable name that is no placeholder", yaml: "goals:\n  - goal: Explain {{x}}\n    vars: { x: [a], two words: [b] }\n",
            message: "'two words' cannot name a placeholder", at: "two words", keyPath: "goals[0].vars.two words"),
    ]
}
