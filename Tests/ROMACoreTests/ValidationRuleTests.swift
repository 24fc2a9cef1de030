import Foundation
import ROMACore
import ROMAYAML
import Testing

/// Every request rule at and just past each bound, checked twice: as a manifest goal and as an
/// API request body. Both channels must accept and reject the same things with the same words.
@Suite("Validation rules, manifests and API bodies alike")
struct ValidationRuleTests {
    enum Place: Sendable {
        /// At the key of this path.
        case key(String)
        /// At the value of this path.
        case value(String)
        /// At the start of the goal.
        case item
    }

    enum Outcome: Sendable {
        case accepted(ExecutionRequest)
        case rejected(
            path: String, kind: ValidationIssue.Kind, message: String, at: Place, expected: String? = nil,
            hint: String? = nil)
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var label: String
        var fields: [Field]
        var outcome: Outcome
        var testDescription: String { label }

        init(_ label: String, _ fields: [Field], _ outcome: Outcome) {
            self.label = label
            self.fields = fields
            self.outcome = outcome
        }

        /// A valid goal plus one more field.
        init(_ label: String, with field: Field, _ outcome: Outcome) {
            self.init(label, [Field("goal", .string("Valid goal")), field], outcome)
        }
    }

    static let goal = "Valid goal"
    static let goalExpected = "a string of 1 to 10,000 characters"

    static func ok(
        goal: String = goal, maxDepth: Int? = nil, profile: ConfigProfile? = nil,
        overrides: ConfigOverrides = ConfigOverrides(), metadata: [String: String] = [:]
    ) -> Outcome {
        .accepted(
            ExecutionRequest(
                goal: goal, maxDepth: maxDepth, configProfile: profile, configOverrides: overrides, metadata: metadata))
    }

    static let goalCases: [Case] = [
        Case("goal of 1 character", [Field("goal", .string("x"))], ok(goal: "x")),
        Case("goal of 10,000 characters", [Field("goal", .string("g".times(10_000)))], ok(goal: "g".times(10_000))),
        Case(
            "goal of 10,000 two-byte characters", [Field("goal", .string("é".times(10_000)))],
            ok(goal: "é".times(10_000))),
        Case(
            "goal of 0 characters", [Field("goal", .string(""))],
            .rejected(
                path: "goal", kind: .invalidValue, message: "is empty", at: .value("goal"), expected: goalExpected)),
        Case(
            "goal of 10,001 characters", [Field("goal", .string("g".times(10_001)))],
            .rejected(
                path: "goal", kind: .outOfRange, message: "is 10,001 characters long", at: .value("goal"),
                expected: goalExpected)),
        Case(
            "goal of 10,001 two-byte characters", [Field("goal", .string("é".times(10_001)))],
            .rejected(path: "goal", kind: .outOfRange, message: "is 10,001 characters long", at: .value("goal"))),
        Case(
            "whitespace-only goal", [Field("goal", .string(" \t\n "))],
            .rejected(
                path: "goal", kind: .invalidValue, message: "is only whitespace", at: .value("goal"),
                expected: goalExpected)),
        Case(
            "goal that is a number", [Field("goal", .int(5))],
            .rejected(
                path: "goal", kind: .invalidType, message: "is an integer", at: .value("goal"), expected: goalExpected)),
        Case(
            "goal that is a list", [Field("goal", .array([.string("a")]))],
            .rejected(path: "goal", kind: .invalidType, message: "is a list", at: .value("goal"))),
        Case(
            "missing goal", [Field("max_depth", .int(3))],
            .rejected(path: "goal", kind: .missingRequiredField, message: "is required", at: .item)),
    ]

    static let depthExpected = "an integer from 1 to 10"
    static let depthCases: [Case] = [
        Case("max_depth 1", with: Field("max_depth", .int(1)), ok(maxDepth: 1)),
        Case("max_depth 10", with: Field("max_depth", .int(10)), ok(maxDepth: 10)),
        Case(
            "max_depth 0", with: Field("max_depth", .int(0)),
            .rejected(
                path: "max_depth", kind: .outOfRange, message: "0 is out of range", at: .value("max_depth"),
                expected: depthExpected)),
        Case(
            "max_depth 11", with: Field("max_depth", .int(11)),
            .rejected(
                path: "max_depth", kind: .outOfRange, message: "11 is out of range", at: .value("max_depth"),
                expected: depthExpected)),
        Case(
            "max_depth -1", with: Field("max_depth", .int(-1)),
            .rejected(path: "max_depth", kind: .outOfRange, message: "-1 is out of range", at: .value("max_depth"))),
        Case(
            "max_depth as a string", with: Field("max_depth", .string("3")),
            .rejected(
                path: "max_depth", kind: .invalidType, message: "is a string (\"3\")", at: .value("max_depth"),
                expected: depthExpected)),
        Case(
            "max_depth as a fraction", with: Field("max_depth", .double(2.5)),
            .rejected(path: "max_depth", kind: .invalidType, message: "is a number (2.5)", at: .value("max_depth"))),
        Case(
            "max_depth as a boolean", with: Field("max_depth", .bool(true)),
            .rejected(path: "max_depth", kind: .invalidType, message: "is a boolean (true)", at: .value("max_depth"))),
    ]

    static let profileExpected = "one of general, high_quality, fast, crypto_agent"
    static let profileCases: [Case] =
        ConfigProfile.allCases.map { profile in
            Case(
                "profile \(profile.rawValue)", with: Field("config_profile", .string(profile.rawValue)),
                ok(profile: profile))
        } + [
            Case(
                "misspelt profile", with: Field("config_profile", .string("hig_quality")),
                .rejected(
                    path: "config_profile", kind: .invalidValue, message: "unknown profile 'hig_quality'",
                    at: .value("config_profile"), expected: profileExpected, hint: "did you mean 'high_quality'?")),
            Case(
                "profile in capitals", with: Field("config_profile", .string("CRYPTO_AGENT")),
                .rejected(
                    path: "config_profile", kind: .invalidValue, message: "unknown profile 'CRYPTO_AGENT'",
                    at: .value("config_profile"), hint: "did you mean 'crypto_agent'?")),
            Case(
                "unknown profile, nothing close", with: Field("config_profile", .string("turbo")),
                .rejected(
                    path: "config_profile", kind: .invalidValue, message: "unknown profile 'turbo'",
                    at: .value("config_profile"), expected: profileExpected, hint: nil)),
            Case(
                "profile as a number", with: Field("config_profile", .int(3)),
                .rejected(
                    path: "config_profile", kind: .invalidType, message: "is an integer", at: .value("config_profile"))),
        ]

    static func overrides(_ pairs: [String: JSONValue]) -> Field { Field("config_overrides", .object(pairs)) }
    static let temperatureExpected = "a number from 0.0 to 1.0"
    static let tokensExpected = "an integer from 100 to 16,000"
    static let overrideCases: [Case] = [
        Case("temperature 0.0", with: overrides(["temperature": .double(0.0)]), ok(overrides: .init(temperature: 0))),
        Case("temperature 1.0", with: overrides(["temperature": .double(1.0)]), ok(overrides: .init(temperature: 1))),
        Case(
            "temperature 0.55", with: overrides(["temperature": .double(0.55)]), ok(overrides: .init(temperature: 0.55))
        ),
        Case(
            "temperature 1 (an integer)", with: overrides(["temperature": .int(1)]),
            ok(overrides: .init(temperature: 1))),
        Case(
            "temperature -0.1", with: overrides(["temperature": .double(-0.1)]),
            .rejected(
                path: "config_overrides.temperature", kind: .outOfRange, message: "-0.1 is out of range",
                at: .value("config_overrides.temperature"), expected: temperatureExpected)),
        Case(
            "temperature 1.1", with: overrides(["temperature": .double(1.1)]),
            .rejected(
                path: "config_overrides.temperature", kind: .outOfRange, message: "1.1 is out of range",
                at: .value("config_overrides.temperature"), expected: temperatureExpected)),
        Case(
            "temperature as a string", with: overrides(["temperature": .string("hot")]),
            .rejected(
                path: "config_overrides.temperature", kind: .invalidType, message: "is a string (\"hot\")",
                at: .value("config_overrides.temperature"), expected: temperatureExpected)),
        Case("max_tokens 100", with: overrides(["max_tokens": .int(100)]), ok(overrides: .init(maxTokens: 100))),
        Case(
            "max_tokens 16000", with: overrides(["max_tokens": .int(16_000)]), ok(overrides: .init(maxTokens: 16_000))),
        Case(
            "max_tokens 99", with: overrides(["max_tokens": .int(99)]),
            .rejected(
                path: "config_overrides.max_tokens", kind: .outOfRange, message: "99 is out of range",
                at: .value("config_overrides.max_tokens"), expected: tokensExpected)),
        Case(
            "max_tokens 16001", with: overrides(["max_tokens": .int(16_001)]),
            .rejected(
                path: "config_overrides.max_tokens", kind: .outOfRange, message: "16001 is out of range",
                at: .value("config_overrides.max_tokens"), expected: tokensExpected)),
        Case(
            "max_tokens as a fraction", with: overrides(["max_tokens": .double(100.5)]),
            .rejected(
                path: "config_overrides.max_tokens", kind: .invalidType, message: "is a number (100.5)",
                at: .value("config_overrides.max_tokens"), expected: tokensExpected)),
        Case(
            "model as a string", with: overrides(["model": .string("gpt-4o-mini")]),
            ok(overrides: .init(model: "gpt-4o-mini"))),
        Case(
            "model as a number", with: overrides(["model": .int(4)]),
            .rejected(
                path: "config_overrides.model", kind: .invalidType, message: "is an integer",
                at: .value("config_overrides.model"), expected: "a model name")),
        Case(
            "model empty", with: overrides(["model": .string("")]),
            .rejected(
                path: "config_overrides.model", kind: .invalidValue, message: "is empty",
                at: .value("config_overrides.model"), expected: "a model name")),
        Case(
            "all three overrides",
            with: overrides(["temperature": .double(0.2), "max_tokens": .int(500), "model": .string("m")]),
            ok(overrides: .init(temperature: 0.2, maxTokens: 500, model: "m"))),
        Case(
            "unknown override key", with: overrides(["top_p": .double(0.9)]),
            .rejected(
                path: "config_overrides.top_p", kind: .unknownField, message: "unknown key",
                at: .key("config_overrides.top_p"), expected: "one of temperature, max_tokens, model", hint: nil)),
        Case(
            "misspelt override key", with: overrides(["temprature": .double(0.9)]),
            .rejected(
                path: "config_overrides.temprature", kind: .unknownField, message: "unknown key",
                at: .key("config_overrides.temprature"), hint: "did you mean 'temperature'?")),
        Case(
            "overrides that are not a mapping", with: Field("config_overrides", .string("hot")),
            .rejected(
                path: "config_overrides", kind: .invalidType, message: "is a string", at: .value("config_overrides"),
                expected: "a mapping")),
    ]

    static func metadata(_ pairs: [String: JSONValue]) -> Field { Field("metadata", .object(pairs)) }
    static func pairs(_ count: Int) -> [String: JSONValue] {
        Dictionary(uniqueKeysWithValues: (0..<count).map { ("key\($0)", JSONValue.string("value \($0)")) })
    }
    static let metadataCases: [Case] = [
        Case(
            "metadata with 10 pairs", with: metadata(pairs(10)),
            ok(metadata: pairs(10).mapValues { $0.stringValue ?? "" })),
        Case(
            "metadata with 11 pairs", with: metadata(pairs(11)),
            .rejected(
                path: "metadata", kind: .outOfRange, message: "has 11 pairs", at: .value("metadata"),
                expected: "at most 10 pairs")),
        Case(
            "metadata key of 50 characters", with: metadata(["k".times(50): .string("v")]),
            ok(metadata: ["k".times(50): "v"])),
        Case(
            "metadata key of 51 characters", with: metadata(["k".times(51): .string("v")]),
            .rejected(
                path: "metadata." + "k".times(51), kind: .outOfRange, message: "key is 51 characters long",
                at: .key("metadata." + "k".times(51)), expected: "a key of 1 to 50 characters")),
        Case(
            "empty metadata key", with: metadata(["": .string("v")]),
            .rejected(path: "metadata.", kind: .outOfRange, message: "key is 0 characters long", at: .key("metadata."))),
        Case("metadata key of 1 character", with: metadata(["k": .string("v")]), ok(metadata: ["k": "v"])),
        Case(
            "metadata value of 500 characters", with: metadata(["k": .string("v".times(500))]),
            ok(metadata: ["k": "v".times(500)])),
        Case(
            "metadata value of 501 characters", with: metadata(["k": .string("v".times(501))]),
            .rejected(
                path: "metadata.k", kind: .outOfRange, message: "value is 501 characters long",
                at: .value("metadata.k"),
                expected: "a value of 1 to 500 characters")),
        Case(
            "empty metadata value", with: metadata(["k": .string("")]),
            .rejected(
                path: "metadata.k", kind: .outOfRange, message: "value is 0 characters long", at: .value("metadata.k"))),
        Case("numeric metadata value", with: metadata(["k": .int(42)]), ok(metadata: ["k": "42"])),
        Case("boolean metadata value", with: metadata(["k": .bool(true)]), ok(metadata: ["k": "true"])),
        Case(
            "metadata value that is a list", with: metadata(["k": .array([.string("a")])]),
            .rejected(
                path: "metadata.k", kind: .invalidType, message: "is a list", at: .value("metadata.k"),
                expected: "a value of 1 to 500 characters")),
        Case(
            "metadata value that is null", with: metadata(["k": .null]),
            .rejected(path: "metadata.k", kind: .invalidType, message: "is null", at: .value("metadata.k"))),
        Case(
            "metadata that is not a mapping", with: Field("metadata", .array([.string("a")])),
            .rejected(
                path: "metadata", kind: .invalidType, message: "is a list", at: .value("metadata"),
                expected: "a mapping")),
    ]

    static let unknownKeyCases: [Case] = [
        Case(
            "misspelt request key", with: Field("max_deph", .int(3)),
            .rejected(
                path: "max_deph", kind: .unknownField, message: "unknown key", at: .key("max_deph"),
                hint: "did you mean 'max_depth'?")),
        Case(
            "unknown request key", with: Field("priority", .string("high")),
            .rejected(path: "priority", kind: .unknownField, message: "unknown key", at: .key("priority"), hint: nil)),
    ]

    // MARK: The two channels

    @Test("goal", arguments: goalCases) func goalRules(_ c: Case) throws { try check(c) }
    @Test("max_depth", arguments: depthCases) func depthRules(_ c: Case) throws { try check(c) }
    @Test("config_profile", arguments: profileCases) func profileRules(_ c: Case) throws { try check(c) }
    @Test("config_overrides", arguments: overrideCases) func overrideRules(_ c: Case) throws { try check(c) }
    @Test("metadata", arguments: metadataCases) func metadataRules(_ c: Case) throws { try check(c) }
    @Test("unknown keys", arguments: unknownKeyCases) func unknownKeys(_ c: Case) throws { try check(c) }

    private func check(_ c: Case) throws {
        try checkManifest(c)
        try checkRequestBody(c)
    }

    private func checkManifest(_ c: Case) throws {
        let written = GoalManifest(c.fields)
        let (manifest, diagnostics) = loadManifest(written.text)
        switch c.outcome {
        case .accepted(let request):
            #expect(diagnostics.isEmpty, "\(diagnostics.map { $0.headline })")
            let goal = try #require(manifest?.goals.first)
            #expect(goal.request == request)
        case .rejected(let path, _, let message, let place, let expected, let hint):
            #expect(manifest == nil)
            #expect(diagnostics.count == 1, "\(diagnostics.map { $0.headline })")
            let diagnostic = try #require(diagnostics.first)
            let mark: YAMLMark? =
                switch place {
                case .item: written.itemMark
                case .key(let p): written.marks[p]?.key
                case .value(let p): written.marks[p]?.value
                }
            let at = try #require(mark)
            #expect(diagnostic.file == "test.yaml")
            #expect(diagnostic.position == "\(at.line):\(at.column)")
            #expect(diagnostic.keyPath == "goals[0]." + path)
            #expect(diagnostic.message == message)
            #expect(diagnostic.severity == .error)
            if let expected { #expect(diagnostic.expected == expected) }
            #expect(diagnostic.hint == hint)
            let lines = written.text.split(separator: "\n", omittingEmptySubsequences: false)
            let line = lines[at.line - 1]
            if line.unicodeScalars.count <= SourceExcerpt.maxWidth {
                #expect(diagnostic.sourceLine == String(line))
                #expect(diagnostic.caretColumn == nil)
            } else {
                // A long line is clipped around the column: the excerpt is a run of the line with
                // "…" for what was cut, and its caret column lands on the same character.
                let shown = try #require(diagnostic.sourceLine)
                let caret = try #require(diagnostic.caretColumn)
                #expect(shown.unicodeScalars.count <= SourceExcerpt.maxWidth)
                var inner = Substring(shown)
                if inner.hasPrefix("…") { inner = inner.dropFirst() }
                if inner.hasSuffix("…") { inner = inner.dropLast() }
                #expect(shown != String(line) && line.contains(inner))
                let scalars = Array(line.unicodeScalars)
                let shownScalars = Array(shown.unicodeScalars)
                if at.column - 1 < scalars.count {
                    #expect(shownScalars[caret - 1] == scalars[at.column - 1])
                }
            }
        }
    }

    private func checkRequestBody(_ c: Case) throws {
        let body = JSONValue.object(Dictionary(c.fields.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a }))
        switch (try decodeRequest(body), c.outcome) {
        case (.success(let request), .accepted(let expected)):
            #expect(request == expected)
        case (.failure(let error), .rejected(let path, let kind, let message, _, let expected, let hint)):
            #expect(error.issues.count == 1, "\(error.issues)")
            let issue = try #require(error.issues.first)
            #expect(issue.path == path)
            #expect(issue.kind == kind)
            #expect(issue.message == message)
            #expect(issue.mark == .none)
            if let expected { #expect(issue.expected == expected) }
            #expect(issue.hint == hint)
        case (.success(let request), .rejected):
            Issue.record("the API body was accepted: \(request)")
        case (.failure(let error), .accepted):
            Issue.record("the API body was rejected: \(error.issues.map(\.apiMessage))")
        }
    }
}
