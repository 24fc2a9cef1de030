import Foundation
import ROMACore
import Testing

@Suite("Manifests")
struct ManifestTests {
    @Test("every error of a manifest is reported together, in source order, located and with its key path")
    func severalErrors() throws {
        let path = try fixture("several-errors.yaml")
        let (manifest, diagnostics) = ManifestLoader(environment: [:]).load(file: path)
        #expect(manifest == nil)
        let expected: [(position: String, keyPath: String, message: String, expected: String?, hint: String?)] = [
            ("1:10", "version", "is an integer (2)", "1", nil),
            (
                "3:1", "defualts", "unknown key", "one of version, name, defaults, engine, goals, profiles, matrix, tools, pricing",
                "did you mean 'defaults'?"
            ),
            ("6:9", "engine.mode", "unknown mode 'turbo'", "local or remote", nil),
            ("7:16", "engine.concurrency", "0 is out of range", "an integer from 1 to 1,024", nil),
            ("10:11", "goals[0].goal", "is empty", "a string of 1 to 10,000 characters", nil),
            ("11:16", "goals[0].max_depth", "11 is out of range", "an integer from 1 to 10", nil),
            (
                "14:21", "goals[1].config_profile", "unknown profile 'hig_quality'",
                "one of general, high_quality, fast, crypto_agent", "did you mean 'high_quality'?"
            ),
            ("16:20", "goals[1].config_overrides.temperature", "1.5 is out of range", "a number from 0.0 to 1.0", nil),
            ("17:7", "goals[1].config_overrides.top_p", "unknown key", "one of temperature, max_tokens, model", nil),
            ("19:14", "goals[1].metadata.owner", "value is 0 characters long", "a value of 1 to 500 characters", nil),
            (
                "20:9", "goals[2].id", "duplicate goal id 'second' (first used by goals[1])",
                "an id unique in the manifest", nil
            ),
            (
                "22:5", "goals[2].max_dept", "unknown key",
                "one of id, goal, max_depth, config_profile, config_overrides, metadata, vars, matrix, tools, min_depth",
                "did you mean 'max_depth'?"
            ),
        ]
        #expect(diagnostics.count == expected.count)
        for (diagnostic, want) in zip(diagnostics, expected) {
            #expect(diagnostic.file == path)
            #expect(diagnostic.position == want.position, "\(diagnostic.headline)")
            #expect(diagnostic.keyPath == want.keyPath, "\(diagnostic.headline)")
            #expect(diagnostic.message == want.message, "\(diagnostic.headline)")
            #expect(diagnostic.expected == want.expected, "\(diagnostic.headline)")
            #expect(diagnostic.hint == want.hint, "\(diagnostic.headline)")
            #expect(diagnostic.sourceLine != nil)
        }
    }

    @Test("a valid manifest with every section")
    func validFixture() throws {
        let path = try fixture("valid.yaml")
        let (loaded, diagnostics) = ManifestLoader(environment: [:]).load(file: path)
        #expect(diagnostics.isEmpty, "\(diagnostics.map(\.headline))")
        let manifest = try #require(loaded)
        #expect(manifest.name == "fixture-valid")
        #expect(manifest.path == path)
        #expect(
            manifest.engine
                == EngineSettings(
                    mode: .local, concurrency: 4, llmConcurrency: 8, provider: "offline",
                    baseURL: "http://127.0.0.1:8080/v1",
                    apiKeyEnv: "OPENAI_API_KEY", maxSubtasks: 6, maxLLMCalls: 200, maxTokens: 100_000,
                    timeoutSeconds: 120))
        #expect(manifest.profileModels == [.general: "llama3.1:8b", .highQuality: "qwen2.5:32b"])
        #expect(manifest.goals.count == 3)
        #expect(manifest.goals.map(\.line) == [24, 30, 31])
        #expect(manifest.goals[0].id == "explicit")
        #expect(manifest.goals[1].id == GoalSpec.derivedID(for: "A goal without an id"))
        #expect(manifest.goals[2].request.goal == "Plain string goals are goals too")
        #expect(manifest.goals[2].id == GoalSpec.derivedID(for: "Plain string goals are goals too"))
    }

    // MARK: Defaults

    @Test("defaults: a goal's own keys win; overrides and metadata merge key by key")
    func defaultsMerging() throws {
        let (loaded, diagnostics) = ManifestLoader(environment: [:]).load(file: try fixture("valid.yaml"))
        #expect(diagnostics.isEmpty)
        let goals = try #require(loaded?.goals)
        #expect(
            goals[0].request
                == ExecutionRequest(
                    goal: "Research AI trends in 2025", maxDepth: 5, configProfile: .highQuality,
                    configOverrides: ConfigOverrides(temperature: 0.5, maxTokens: 6000, model: "default-model"),
                    metadata: ["team": "platform", "schedule": "nightly", "user_id": "user_123"]))
        #expect(
            goals[1].request
                == ExecutionRequest(
                    goal: "A goal without an id", maxDepth: 3, configProfile: .general,
                    configOverrides: ConfigOverrides(temperature: 0.5, model: "default-model"),
                    metadata: ["team": "research", "schedule": "nightly"]))
        #expect(goals[2].request.maxDepth == 3)
        #expect(goals[2].request.configOverrides.temperature == 0.5)
    }

    @Test("without defaults a goal keeps nil depth and profile (the profile decides later)")
    func noDefaults() throws {
        let (manifest, _) = loadManifest("version: 1\ngoals:\n  - goal: x\n")
        let request = try #require(manifest?.goals.first?.request)
        #expect(request.maxDepth == nil)
        #expect(request.configProfile == nil)
        #expect(request.profile == .general)
        #expect(request.configOverrides.isEmpty)
        #expect(request.metadata.isEmpty)
    }

    @Test("defaults are validated with their own key paths")
    func invalidDefaults() {
        let text = "version: 1\ndefaults:\n  max_depth: 0\n  goal: not allowed here\ngoals:\n  - goal: x\n"
        let (manifest, diagnostics) = loadManifest(text)
        #expect(manifest == nil)
        #expect(diagnostics.map(\.keyPath) == ["defaults.max_depth", "defaults.goal"])
        #expect(diagnostics.map(\.position) == ["3:14", "4:3"])
        #expect(diagnostics.last?.expected == "one of config_profile, max_depth, config_overrides, metadata, tools, min_depth")
    }

    @Test("metadata past 10 pairs once the defaults are merged in is an error at the goal's metadata")
    func metadataMergedPastLimit() throws {
        let defaults = (0..<6).map { "d\($0): v" }.joined(separator: ", ")
        let own = (0..<5).map { "g\($0): v" }.joined(separator: ", ")
        let text = "version: 1\ndefaults:\n  metadata: {\(defaults)}\ngoals:\n  - goal: x\n    metadata: {\(own)}\n"
        let (manifest, diagnostics) = loadManifest(text)
        #expect(manifest == nil)
        let diagnostic = try #require(diagnostics.first)
        #expect(diagnostics.count == 1)
        #expect(diagnostic.keyPath == "goals[0].metadata")
        #expect(diagnostic.position == "6:15")
        #expect(diagnostic.message == "has 11 pairs once the defaults are merged in")
        // Overriding a default key does not add a pair.
        let overriding =
            "version: 1\ndefaults:\n  metadata: {\(defaults)}\ngoals:\n  - goal: x\n    metadata: {d0: w, g1: v, g2: v, g3: v, g4: v}\n"
        #expect(loadManifest(overriding).diagnostics.isEmpty)
    }

    /// `1` and `"1"` are different YAML keys (an integer and a string), so the YAML layer rightly
    /// does not call them duplicates; but `NodeReader.mapping` keys metadata by the scalar's
    /// text, so both become metadata key "1" and the second silently replaces the first.
    @Test("two metadata keys with the same text are not silently merged")
    func metadataKeysWithSameText() throws {
        let (manifest, diagnostics) = loadManifest("version: 1\ngoals:\n  - goal: x\n    metadata: {1: a, \"1\": b}\n")
        #expect(manifest == nil)
        #expect(diagnostics.map(\.keyPath) == ["goals[0].metadata.1"])
    }

    // MARK: Top level

    @Test(
        "an unknown top-level key is reported with a suggestion",
        arguments: [
            ("gaols", "goals"), ("defualts", "defaults"), ("engin", "engine"), ("Profiles", "profiles"),
            ("verison", "version"),
        ])
    func unknownTopLevelKey(_ key: String, _ suggestion: String) throws {
        let (manifest, diagnostics) = loadManifest("version: 1\ngoals:\n  - goal: x\n\(key): {}\n")
        #expect(manifest == nil)
        let diagnostic = try #require(diagnostics.first)
        #expect(diagnostic.position == "4:1")
        #expect(diagnostic.keyPath == key)
        #expect(diagnostic.message == "unknown key")
        #expect(diagnostic.hint == "did you mean '\(suggestion)'?")
        #expect(diagnostic.headline.hasSuffix("; did you mean '\(suggestion)'?"))
    }

    @Test("an unknown top-level key far from any known one gets no suggestion")
    func unknownTopLevelKeyNoHint() throws {
        let (_, diagnostics) = loadManifest("version: 1\ngoals:\n  - goal: x\nwebhooks: {}\n")
        #expect(diagnostics.map(\.keyPath) == ["webhooks"])
        #expect(diagnostics.first?.hint == nil)
    }

    @Test("a misspelt `goals` is unknown, and the goals are then missing")
    func misspeltGoals() {
        let (manifest, diagnostics) = loadManifest("version: 1\ngoal:\n  - goal: x\n")
        #expect(manifest == nil)
        #expect(diagnostics.map(\.keyPath) == ["goals", "goal"])
        #expect(diagnostics.map(\.position) == ["1:1", "2:1"])
        #expect(diagnostics.map(\.message) == ["is required", "unknown key"])
        #expect(diagnostics.last?.hint == "did you mean 'goals'?")
    }

    struct ShapeCase: Sendable, CustomTestStringConvertible {
        var text: String
        var position: String
        var keyPath: String
        var message: String
        var testDescription: String { text.debugDescription }
    }

    @Test(
        "wrong shapes",
        arguments: [
            ShapeCase(text: "", position: "1:1", keyPath: "", message: "the manifest is empty"),
            ShapeCase(text: "# nothing\n", position: "1:1", keyPath: "", message: "the manifest is empty"),
            ShapeCase(text: "- goal: x\n", position: "1:1", keyPath: "", message: "is a list"),
            ShapeCase(text: "just text\n", position: "1:1", keyPath: "", message: "is a string"),
            ShapeCase(text: "version: 1\ngoals: {a: 1}\n", position: "2:8", keyPath: "goals", message: "is a mapping"),
            ShapeCase(text: "version: 1\ngoals: []\n", position: "2:8", keyPath: "goals", message: "is empty"),
            ShapeCase(
                text: "version: 1\ngoals:\n  - 42\n", position: "3:5", keyPath: "goals[0]", message: "is an integer"),
            ShapeCase(
                text: "version: 1\ngoals:\n  - [a]\n", position: "3:5", keyPath: "goals[0]", message: "is a list"),
            ShapeCase(
                text: "version: \"1\"\ngoals:\n  - x\n", position: "1:10", keyPath: "version",
                message: "is a string (\"1\")"),
            ShapeCase(
                text: "version: 1\nname: ../up\ngoals:\n  - x\n", position: "2:7", keyPath: "name",
                message: "'../up' cannot name a folder"),
            ShapeCase(
                text: "version: 1\ngoals:\n  - id: a/b\n    goal: x\n", position: "3:9", keyPath: "goals[0].id",
                message: "'a/b' cannot name a folder"),
            ShapeCase(
                text: "version: 1\nengine: {provider: opneai}\ngoals: [x]\n", position: "2:20",
                keyPath: "engine.provider", message: "unknown provider 'opneai'"),
            ShapeCase(
                text: "version: 1\nengine: {api_key_env: sk-abc123}\ngoals: [x]\n", position: "2:23",
                keyPath: "engine.api_key_env", message: "looks like a key, not the name of a variable holding one"),
            ShapeCase(
                text: "version: 1\nengine: {base_url: ftp://x}\ngoals: [x]\n", position: "2:20",
                keyPath: "engine.base_url", message: "'ftp://x' is not a URL"),
            ShapeCase(
                text: "version: 1\nprofiles: {fast: 5}\ngoals: [x]\n", position: "2:18", keyPath: "profiles.fast",
                message: "is an integer"),
            ShapeCase(
                text: "version: 1\nprofiles: {turbo: m}\ngoals: [x]\n", position: "2:12", keyPath: "profiles.turbo",
                message: "unknown key"),
        ])
    func shapes(_ c: ShapeCase) throws {
        let (manifest, diagnostics) = loadManifest(c.text)
        #expect(manifest == nil)
        let diagnostic = try #require(diagnostics.first)
        #expect(diagnostic.position == c.position)
        #expect(diagnostic.keyPath == c.keyPath)
        #expect(diagnostic.message == c.message)
    }

    @Test(
        "goal ids and manifest names must be safe folder names",
        arguments: [
            ("id", String(repeating: "a", count: 64), true), ("id", String(repeating: "a", count: 65), false),
            ("id", "a.b_c-D9", true), ("id", "-leading-dash", false), ("id", ".hidden", false), ("id", "..", false),
            ("id", "café", false), ("id", "a b", false), ("id", "", false),
            ("name", String(repeating: "n", count: 100), true), ("name", String(repeating: "n", count: 101), false),
            ("name", "nightly.v2", true), ("name", "a/b", false), ("name", ".", false),
        ])
    func safeNames(_ key: String, _ value: String, _ valid: Bool) {
        let text =
            key == "id"
            ? "version: 1\ngoals:\n  - id: \"\(value)\"\n    goal: x\n"
            : "version: 1\nname: \"\(value)\"\ngoals: [x]\n"
        let (manifest, diagnostics) = loadManifest(text)
        #expect((manifest != nil) == valid)
        #expect(diagnostics.map(\.keyPath) == (valid ? [] : [key == "id" ? "goals[0].id" : "name"]))
        if valid {
            #expect(key == "id" ? manifest?.goals.first?.id == value : manifest?.name == value)
        }
    }

    @Test("the name defaults to the file's stem")
    func defaultName() throws {
        let (manifest, _) = loadManifest("version: 1\ngoals: [x]\n", file: "some/dir/nightly.batch.yaml")
        #expect(manifest?.name == "nightly.batch")
    }

    @Test("the version may be left out")
    func noVersion() {
        #expect(loadManifest("goals: [x]\n").diagnostics.isEmpty)
    }

    // MARK: Goal ids

    @Test("duplicate explicit goal ids are reported at the second id")
    func duplicateExplicitIDs() throws {
        let text =
            "version: 1\ngoals:\n  - id: same\n    goal: a\n  - id: other\n    goal: b\n  - id: same\n    goal: c\n"
        let (manifest, diagnostics) = loadManifest(text)
        #expect(manifest == nil)
        let diagnostic = try #require(diagnostics.first)
        #expect(diagnostics.count == 1)
        #expect(diagnostic.position == "7:9")
        #expect(diagnostic.keyPath == "goals[2].id")
        #expect(diagnostic.message == "duplicate goal id 'same' (first used by goals[0])")
    }

    @Test("ids that differ only in case are refused: one folder on macOS and Windows")
    func idsDifferingInCase() throws {
        let text = "version: 1\ngoals:\n  - id: Report\n    goal: a\n  - id: report\n    goal: b\n  - id: reports\n    goal: c\n"
        let (manifest, diagnostics) = loadManifest(text)
        #expect(manifest == nil)
        let diagnostic = try #require(diagnostics.first)
        #expect(diagnostics.count == 1)
        #expect(diagnostic.position == "5:9")
        #expect(diagnostic.keyPath == "goals[1].id")
        #expect(diagnostic.message.hasPrefix("goal id 'report' differs only in case from 'Report' (goals[0])"))
    }

    @Test("the same goal text twice without ids derives the same id: a duplicate at the second goal")
    func duplicateDerivedIDs() throws {
        let text = "version: 1\ngoals:\n  - goal: Same text\n  - Same text\n"
        let (_, diagnostics) = loadManifest(text)
        let diagnostic = try #require(diagnostics.first)
        #expect(diagnostics.count == 1)
        #expect(diagnostic.position == "4:5")
        #expect(diagnostic.keyPath == "goals[1].id")
        #expect(
            diagnostic.message == "duplicate goal id '\(GoalSpec.derivedID(for: "Same text"))' (first used by goals[0])"
        )
    }

    @Test("an explicit id that equals another goal's derived id is a duplicate")
    func explicitClashesWithDerived() throws {
        let derived = GoalSpec.derivedID(for: "Text")
        let (_, diagnostics) = loadManifest("version: 1\ngoals:\n  - Text\n  - id: \(derived)\n    goal: Other\n")
        #expect(diagnostics.map(\.keyPath) == ["goals[1].id"])
    }

    // MARK: Interpolation in manifests

    @Test("environment variables are interpolated in string values")
    func interpolation() throws {
        let text = """
            version: 1
            name: ${RUN_NAME:-nightly}
            goals:
              - id: ${GOAL_ID}
                goal: Research ${TOPIC} for $${USER}
                config_overrides: { model: "${MODEL:-llama3}" }
                metadata: { owner: "${OWNER}" }

            """
        let environment = ["GOAL_ID": "topic", "TOPIC": "batteries", "OWNER": "ops"]
        let (loaded, diagnostics) = loadManifest(text, environment: environment)
        #expect(diagnostics.isEmpty, "\(diagnostics.map(\.headline))")
        let manifest = try #require(loaded)
        #expect(manifest.name == "nightly")
        let goal = try #require(manifest.goals.first)
        #expect(goal.id == "topic")
        #expect(goal.request.goal == "Research batteries for ${USER}")
        #expect(goal.request.configOverrides.model == "llama3")
        #expect(goal.request.metadata == ["owner": "ops"])
    }

    @Test("an unset variable without a default is an error at its value")
    func unsetVariable() throws {
        let (manifest, diagnostics) = loadManifest(
            "version: 1\ngoals:\n  - goal: Research ${TOPIC}\n", environment: ["topic": "x"])
        #expect(manifest == nil)
        let diagnostic = try #require(diagnostics.first)
        #expect(diagnostic.position == "3:11")
        #expect(diagnostic.keyPath == "goals[0].goal")
        #expect(diagnostic.message == "environment variable 'TOPIC' is not set and has no default")
        #expect(diagnostic.expected == "a defined variable or ${VAR:-default}")
    }

    @Test("interpolation applies to strings only: a number field with ${…} is a wrong type")
    func interpolationInNumbers() throws {
        let (_, diagnostics) = loadManifest(
            "version: 1\ngoals:\n  - goal: x\n    max_depth: ${DEPTH}\n", environment: ["DEPTH": "3"])
        #expect(diagnostics.map(\.message) == ["is a string (\"${DEPTH}\")"])
    }

    @Test("an interpolated goal is validated after expansion")
    func interpolatedGoalValidated() {
        let (_, diagnostics) = loadManifest(
            "version: 1\ngoals:\n  - goal: \"${BLANK}\"\n", environment: ["BLANK": "   "])
        #expect(diagnostics.map(\.message) == ["is only whitespace"])
    }
}
