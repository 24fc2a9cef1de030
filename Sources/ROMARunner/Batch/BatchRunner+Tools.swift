import Foundation
import ROMACore
import ROMAEngine
import ROMATools

extension BatchRunner {
    /// One MCP hub per local manifest with a `tools:` section (none under `--offline`, which
    /// never starts a server).
    func toolHubs(_ manifests: [Manifest]) -> [String: MCPToolHub] {
        guard toolBox == nil, options.mode == .local, options.recording != .offline else { return [:] }
        var hubs: [String: MCPToolHub] = [:]
        for manifest in manifests where !manifest.tools.isEmpty {
            hubs[manifest.name] = MCPToolHub(servers: manifest.tools, environment: options.environment)
        }
        return hubs
    }

    /// The engine's settings for a manifest: the run's, with the manifest's `engine:` knobs.
    func engineConfiguration(_ manifest: Manifest) -> EngineConfiguration {
        var configuration = options.engine
        configuration.apply(manifest.engine)
        configuration.pricing = configuration.pricing.merging(manifest.pricing)
        return configuration
    }

    /// The tools a goal's engine calls: its recording first (as the mode allows), then the live servers.
    func replayTools(_ recorded: Data?, live: (any ToolBox)?, mode: RecordingMode? = nil) -> any ToolBox {
        let recording = GoalArtifacts.readToolRecordings(recorded)
        return ReplayToolBox(mode: mode ?? options.recording, live: live, recordedTools: recording.tools, recordings: recording.calls)
    }
}
