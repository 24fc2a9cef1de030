import Foundation
import ROMACore
import Testing

@Suite("The shipped examples")
struct ExamplesTests {
    static var examples: [String] {
        let folder = packageRoot().appendingPathComponent("examples")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted()
            .map { folder.appendingPathComponent($0).path }
    }

    @Test("there are examples to check")
    func found() {
        #expect(Self.examples.count >= 3)
    }

    @Test("every example loads with zero diagnostics, with or without the user's environment", arguments: examples)
    func loads(_ path: String) throws {
        for environment in [[:], ["USER": "ci"], ProcessInfo.processInfo.environment] {
            let (manifest, diagnostics) = ManifestLoader(environment: environment).load(file: path)
            #expect(diagnostics.isEmpty, "\(diagnostics.map { $0.rendered() })")
            let loaded = try #require(manifest)
            #expect(!loaded.goals.isEmpty)
        }
    }

    @Test("the examples folder loads as one batch: no two examples share a name")
    func folder() {
        let outcome = ManifestLoader(environment: [:]).load(paths: [
            packageRoot().appendingPathComponent("examples").path
        ])
        #expect(outcome.diagnostics.isEmpty)
        #expect(outcome.manifests.count == Self.examples.count)
    }

    @Test("nightly-research resolves as documented")
    func nightly() throws {
        let path = packageRoot().appendingPathComponent("examples/nightly-research.yaml").path
        let (manifest, _) = ManifestLoader(environment: [:]).load(file: path)
        let goals = try #require(manifest?.goals)
        #expect(manifest?.name == "nightly-research")
        #expect(manifest?.engine.mode == .local)
        #expect(goals.map(\.id) == ["ai-trends", "battery-chemistry", "open-source-llms", "heat-pumps"])
        #expect(goals[0].request.maxDepth == 5)
        #expect(goals[2].request.metadata == ["team": "research", "schedule": "nightly", "owner": "research-bot"])
        #expect(
            goals[1].request.goal.hasPrefix(
                "Survey recent progress in sodium-ion battery chemistry and explain where it could replace"))
        #expect(goals[3].request.configProfile == .fast)
    }
}
