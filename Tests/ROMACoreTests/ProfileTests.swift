import Foundation
import ROMACore
import Testing

@Suite("Profiles and the profile table")
struct ProfileTests {
    @Test(
        "the four presets are the hosted API's table",
        arguments: [
            (
                ConfigProfile.general, "general",
                ProfilePreset(model: "claude-3.5-sonnet", temperature: 0.7, maxTokens: 4000, maxDepth: 3)
            ),
            (
                .highQuality, "high_quality",
                ProfilePreset(model: "claude-3.5-sonnet", temperature: 0.6, maxTokens: 8000, maxDepth: 5)
            ),
            (.fast, "fast", ProfilePreset(model: "claude-3.5-haiku", temperature: 0.8, maxTokens: 2000, maxDepth: 2)),
            (
                .cryptoAgent, "crypto_agent",
                ProfilePreset(model: "claude-3.5-sonnet", temperature: 0.5, maxTokens: 6000, maxDepth: 4)
            ),
        ])
    func presets(_ profile: ConfigProfile, _ name: String, _ preset: ProfilePreset) {
        #expect(profile.rawValue == name)
        #expect(profile.preset == preset)
    }

    @Test("profile names in the documented order")
    func names() {
        #expect(ConfigProfile.names == ["general", "high_quality", "fast", "crypto_agent"])
    }

    struct TableCase: Sendable, CustomTestStringConvertible {
        var label: String
        var manifest: [ConfigProfile: String]
        var environment: [String: String]
        var expected: [ConfigProfile: String]
        var testDescription: String { label }
    }

    @Test(
        "resolution order: manifest profiles > ROMA_MODEL_<PROFILE> > ROMA_MODEL > preset",
        arguments: [
            TableCase(
                label: "nothing set: the presets", manifest: [:], environment: [:],
                expected: [
                    .general: "claude-3.5-sonnet", .highQuality: "claude-3.5-sonnet", .fast: "claude-3.5-haiku",
                    .cryptoAgent: "claude-3.5-sonnet",
                ]),
            TableCase(
                label: "ROMA_MODEL for every profile", manifest: [:], environment: ["ROMA_MODEL": "llama3"],
                expected: [.general: "llama3", .highQuality: "llama3", .fast: "llama3", .cryptoAgent: "llama3"]),
            TableCase(
                label: "ROMA_MODEL_<PROFILE> beats ROMA_MODEL", manifest: [:],
                environment: [
                    "ROMA_MODEL": "llama3", "ROMA_MODEL_HIGH_QUALITY": "qwen-32b", "ROMA_MODEL_CRYPTO_AGENT": "c",
                    "ROMA_MODEL_FAST": "f",
                ],
                expected: [.general: "llama3", .highQuality: "qwen-32b", .fast: "f", .cryptoAgent: "c"]),
            TableCase(
                label: "the manifest beats the environment", manifest: [.fast: "m-fast", .general: "m-general"],
                environment: ["ROMA_MODEL": "llama3", "ROMA_MODEL_FAST": "e-fast", "ROMA_MODEL_GENERAL": "e-general"],
                expected: [.general: "m-general", .highQuality: "llama3", .fast: "m-fast", .cryptoAgent: "llama3"]),
            TableCase(
                label: "ROMA_MODEL_<PROFILE> without ROMA_MODEL falls back to the preset", manifest: [:],
                environment: ["ROMA_MODEL_GENERAL": "g"],
                expected: [
                    .general: "g", .highQuality: "claude-3.5-sonnet", .fast: "claude-3.5-haiku",
                    .cryptoAgent: "claude-3.5-sonnet",
                ]),
            TableCase(
                label: "empty variables count as unset", manifest: [:],
                environment: ["ROMA_MODEL": "", "ROMA_MODEL_FAST": ""],
                expected: [.general: "claude-3.5-sonnet", .fast: "claude-3.5-haiku"]),
            TableCase(
                label: "variable names are upper case", manifest: [:],
                environment: ["roma_model_fast": "x", "ROMA_MODEL_high_quality": "y"],
                expected: [.fast: "claude-3.5-haiku", .highQuality: "claude-3.5-sonnet"]),
        ])
    func resolution(_ c: TableCase) {
        let table = ProfileTable.resolve(manifest: c.manifest, environment: c.environment)
        for (profile, model) in c.expected {
            #expect(table.model(for: profile) == model, "\(profile)")
        }
    }

    @Test("a manifest's profiles section feeds the table")
    func fromManifest() throws {
        let text =
            "version: 1\nprofiles:\n  fast: llama3.2:3b\n  crypto_agent: { model: \"${CRYPTO_MODEL}\" }\ngoals: [x]\n"
        let (loaded, diagnostics) = loadManifest(text, environment: ["CRYPTO_MODEL": "qwen"])
        #expect(diagnostics.isEmpty)
        let manifest = try #require(loaded)
        let table = ProfileTable.resolve(
            manifest: manifest.profileModels, environment: ["ROMA_MODEL_FAST": "ignored", "ROMA_MODEL": "rest"])
        #expect(table.model(for: .fast) == "llama3.2:3b")
        #expect(table.model(for: .cryptoAgent) == "qwen")
        #expect(table.model(for: .general) == "rest")
    }

    /// `config_overrides.model: ""` is rejected as empty, but `profiles.<name>: ""` is accepted,
    /// and `ProfileTable.resolve` then skips `ROMA_MODEL_<PROFILE>` for that profile because
    /// `manifest[profile] ?? environment[...]` stops at the empty string.
    @Test("an empty model name in profiles:")
    func emptyProfileModel() {
        let (_, diagnostics) = loadManifest("version: 1\nprofiles:\n  fast: \"\"\ngoals: [x]\n")
        let table = ProfileTable.resolve(manifest: [.fast: ""], environment: ["ROMA_MODEL_FAST": "env-fast"])
        #expect(diagnostics.map(\.keyPath) == ["profiles.fast"])
        #expect(table.model(for: .fast) == "env-fast")
    }
}

@Suite("Resolved requests")
struct ResolvedRequestTests {
    static let table = ProfileTable(models: [.fast: "local-fast"], fallback: nil)

    @Test("a bare request takes everything from its profile")
    func bare() {
        let resolved = ResolvedRequest(id: "a", request: ExecutionRequest(goal: "g"), profiles: ProfileTable())
        #expect(resolved.configProfile == .general)
        #expect(resolved.maxDepth == 3)
        #expect(resolved.temperature == 0.7)
        #expect(resolved.maxTokens == 4000)
        #expect(resolved.model == "claude-3.5-sonnet")
    }

    @Test("overrides win over the profile, and the table names the model", arguments: ConfigProfile.allCases)
    func overrides(_ profile: ConfigProfile) {
        let plain = ResolvedRequest(
            id: "a", request: ExecutionRequest(goal: "g", configProfile: profile), profiles: Self.table)
        #expect(plain.maxDepth == profile.preset.maxDepth)
        #expect(plain.temperature == profile.preset.temperature)
        #expect(plain.maxTokens == profile.preset.maxTokens)
        #expect(plain.model == (profile == .fast ? "local-fast" : profile.preset.model))
        let request = ExecutionRequest(
            goal: "g", maxDepth: 7, configProfile: profile,
            configOverrides: ConfigOverrides(temperature: 0.1, maxTokens: 123, model: "explicit"))
        let resolved = ResolvedRequest(id: "a", request: request, profiles: Self.table)
        #expect(resolved.maxDepth == 7)
        #expect(resolved.temperature == 0.1)
        #expect(resolved.maxTokens == 123)
        #expect(resolved.model == "explicit")
        #expect(
            resolved.apiRequest
                == ExecutionRequest(
                    goal: "g", maxDepth: 7, configProfile: profile, configOverrides: request.configOverrides))
    }

    static let base = ResolvedRequest(
        id: "goal-1",
        request: ExecutionRequest(
            goal: "Research AI trends", maxDepth: 4, configProfile: .highQuality,
            configOverrides: ConfigOverrides(temperature: 0.5, maxTokens: 6000),
            metadata: ["team": "research", "k": "v"]),
        profiles: ProfileTable())

    static let changes: [(String, @Sendable (inout ResolvedRequest) -> Void)] = [
        ("id", { $0.id = "goal-2" }),
        ("goal", { $0.goal += "." }),
        ("goal whitespace", { $0.goal += " " }),
        ("max_depth", { $0.maxDepth = 5 }),
        ("config_profile", { $0.configProfile = .cryptoAgent }),
        ("overrides.temperature", { $0.configOverrides.temperature = 0.6 }),
        ("overrides.max_tokens", { $0.configOverrides.maxTokens = 6001 }),
        ("overrides.model", { $0.configOverrides.model = "m" }),
        ("overrides.temperature removed", { $0.configOverrides.temperature = nil }),
        ("metadata value", { $0.metadata["team"] = "platform" }),
        ("metadata key added", { $0.metadata["new"] = "v" }),
        ("metadata key removed", { $0.metadata["k"] = nil }),
        ("metadata key renamed", { $0.metadata = ["team": "research", "K": "v"] }),
        ("model", { $0.model = "other-model" }),
        ("temperature", { $0.temperature = 0.50001 }),
        ("max_tokens", { $0.maxTokens = 1 }),
    ]

    @Test("the content hash changes when any field changes", arguments: changes.indices)
    func hashChanges(_ index: Int) {
        var changed = Self.base
        Self.changes[index].1(&changed)
        #expect(changed.contentHash != Self.base.contentHash, "\(Self.changes[index].0)")
    }

    @Test("every change gives a different hash from every other")
    func hashesDistinct() {
        var hashes: Set<String> = [Self.base.contentHash]
        for (_, change) in Self.changes {
            var changed = Self.base
            change(&changed)
            hashes.insert(changed.contentHash)
        }
        #expect(hashes.count == Self.changes.count + 1)
    }

    @Test("the content hash is the SHA-256 of the canonical JSON, stable across runs")
    func hashIsStable() throws {
        let json = try CanonicalJSON.encode(Self.base)
        let text = String(decoding: json, as: UTF8.self)
        #expect(
            text == """
                {
                  "config_overrides" : {
                    "max_tokens" : 6000,
                    "temperature" : 0.5
                  },
                  "config_profile" : "high_quality",
                  "goal" : "Research AI trends",
                  "id" : "goal-1",
                  "max_depth" : 4,
                  "max_tokens" : 6000,
                  "metadata" : {
                    "k" : "v",
                    "team" : "research"
                  },
                  "model" : "claude-3.5-sonnet",
                  "temperature" : 0.5
                }

                """)
        #expect(Self.base.contentHash == SHA256.hex(bytes: json))
        #expect(Self.base.contentHash == Self.goldenHash)
        let rebuilt = ResolvedRequest(id: "goal-1", request: Self.base.apiRequest, profiles: ProfileTable())
        #expect(rebuilt.contentHash == Self.base.contentHash)
    }

    /// SHA-256 of the canonical JSON above (checked with sha256sum); a change here means every
    /// committed result would look stale, so it must be deliberate.
    static let goldenHash = "679f97c3f7edb51977ca85307f0e601c4e82c65d6f0db36b99cf5b1cec72c57d"

    @Test("metadata insertion order does not change the hash")
    func metadataOrder() {
        var a = Self.base
        a.metadata = [:]
        a.metadata["x"] = "1"
        a.metadata["y"] = "2"
        var b = Self.base
        b.metadata = [:]
        b.metadata["y"] = "2"
        b.metadata["x"] = "1"
        #expect(a.contentHash == b.contentHash)
    }

    @Test("canonical JSON round-trips")
    func roundTrip() throws {
        let decoded = try CanonicalJSON.decode(ResolvedRequest.self, from: try CanonicalJSON.encode(Self.base))
        #expect(decoded == Self.base)
    }
}
