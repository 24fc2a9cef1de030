import Foundation
import ROMACore
import Testing

@Suite("pricing:, engine.max_cost_usd and per-agent models in the manifest")
struct PricingManifestTests {
    static let valid = """
        version: 1
        pricing:
          gpt-4o-mini: { input: 0.15, output: 0.60 }
          gpt-4o: { input: 2.5, output: 10 }
        engine:
          max_cost_usd: 0.5
        profiles:
          general: { model: gpt-4o-mini, planner: gpt-4o, aggregator: gpt-4o }
          fast: { atomizer: tiny }
        goals:
          - id: a
            goal: Research AI trends
        """

    @Test("prices, the cost budget and agent models are read")
    func reads() throws {
        let (manifest, diagnostics) = loadManifest(Self.valid)
        #expect(diagnostics.isEmpty)
        let m = try #require(manifest)
        #expect(m.pricing.prices["gpt-4o-mini"] == Pricing.Price(input: 0.15, output: 0.60))
        #expect(m.pricing.prices["gpt-4o"] == Pricing.Price(input: 2.5, output: 10))
        #expect(m.engine.maxCostUSD == 0.5)
        #expect(m.profileModels[.general] == "gpt-4o-mini")
        #expect(m.profileAgentModels[.general] == [.planner: "gpt-4o", .aggregator: "gpt-4o"])
        #expect(m.profileAgentModels[.fast] == [.atomizer: "tiny"])
    }

    struct ErrorCase: Sendable, CustomTestStringConvertible {
        var label: String
        var yaml: String
        var position: String
        var keyPath: String
        var testDescription: String { label }
    }

    @Test(
        "bad pricing and agent models are compiler-style errors",
        arguments: [
            ErrorCase(
                label: "a price is text", yaml: "pricing:\n  m: { input: cheap, output: 1 }\ngoals: [x]\n", position: "2:15",
                keyPath: "pricing.m.input"),
            ErrorCase(
                label: "a negative price", yaml: "pricing:\n  m: { input: -1, output: 1 }\ngoals: [x]\n", position: "2:15",
                keyPath: "pricing.m.input"),
            ErrorCase(
                label: "output missing", yaml: "pricing:\n  m: { input: 1 }\ngoals: [x]\n", position: "2:6",
                keyPath: "pricing.m.output"),
            ErrorCase(
                label: "an unknown price key", yaml: "pricing:\n  m: { input: 1, output: 1, cached: 1 }\ngoals: [x]\n",
                position: "2:29", keyPath: "pricing.m.cached"),
            ErrorCase(
                label: "a price that is not a mapping", yaml: "pricing:\n  m: 3\ngoals: [x]\n", position: "2:6", keyPath: "pricing.m"),
            ErrorCase(
                label: "a negative cost budget", yaml: "engine: { max_cost_usd: -2 }\ngoals: [x]\n", position: "1:25",
                keyPath: "engine.max_cost_usd"),
            ErrorCase(
                label: "an unknown agent", yaml: "profiles:\n  general: { plannr: gpt-4o }\ngoals: [x]\n", position: "2:14",
                keyPath: "profiles.general.plannr"),
            ErrorCase(
                label: "an empty agent model", yaml: "profiles:\n  general: { planner: '' }\ngoals: [x]\n", position: "2:23",
                keyPath: "profiles.general.planner"),
        ])
    func errors(_ c: ErrorCase) throws {
        let (_, diagnostics) = loadManifest(c.yaml)
        let first = try #require(diagnostics.first, "no error for \(c.label)")
        #expect(diagnostics.count == 1, "\(diagnostics.map { $0.rendered() })")
        #expect("\(first.line):\(first.column)" == c.position, "\(first.rendered())")
        #expect(first.keyPath == c.keyPath)
        #expect(first.file == "test.yaml")
    }

    @Test("agent models join the request (and its hash) only where they differ from the model")
    func resolution() throws {
        var table = ProfileTable(models: [.general: "mini"])
        let request = ExecutionRequest(goal: "g", configProfile: .general)
        let plain = ResolvedRequest(id: "a", request: request, profiles: table)
        #expect(plain.agentModels == nil)

        table.agents = [.general: [.planner: "big", .atomizer: "mini"]]
        let split = ResolvedRequest(id: "a", request: request, profiles: table)
        #expect(split.agentModels == ["planner": "big"])
        #expect(split.model(for: .planner) == "big")
        #expect(split.model(for: .atomizer) == "mini")
        #expect(split.model(for: .executor) == "mini")
        #expect(split.models == ["mini", "big"])
        #expect(split.contentHash != plain.contentHash)
        // A request with no agent models hashes as before they existed.
        #expect(String(decoding: try CanonicalJSON.pretty(plain), as: UTF8.self).contains("agent_models") == false)
        #expect(
            String(decoding: try CanonicalJSON.pretty(split), as: UTF8.self).contains("\"agent_models\" : {\n    \"planner\" : \"big\""))

        // A goal's own model runs every agent.
        let overridden = ResolvedRequest(
            id: "a", request: ExecutionRequest(goal: "g", configProfile: .general, configOverrides: ConfigOverrides(model: "x")),
            profiles: table)
        #expect(overridden.agentModels == nil)
        #expect(overridden.model(for: .planner) == "x")
    }

    @Test("a call's cost: input and output tokens at the model's price; unknown without one")
    func cost() {
        let pricing = Pricing(["m": .init(input: 0.15, output: 0.60)])
        #expect(pricing.cost(model: "m", inputTokens: 1000, outputTokens: 500) == .usd(0.00045))
        #expect(pricing.cost(model: "other", inputTokens: 1000, outputTokens: 500) == .unknown)
        #expect(CostUSD.usd(0.1) + .usd(0.2) == .usd(0.3))
        #expect(CostUSD.usd(0.1) + .unknown == .unknown)
    }
}
