import Foundation
import ROMACore
import ROMAEngine

extension BatchRunner {
    /// What `roma plan` says about one goal.
    public struct GoalPlan: Sendable, Hashable {
        public var manifest: String
        public var goal: String
        public var state: GoalState
        /// Whether `roma run` with the same options would run it.
        public var wouldRun: Bool
        /// For replay modes: nil when every call is recorded, else the first call that would miss.
        public var replayMiss: String?
        /// For replay modes: how many recorded calls the replay used.
        public var recordedCalls: Int
        /// For replay modes: how many recorded tool calls the replay used.
        public var recordedToolCalls = 0
        /// The files a completed goal's folder lacks (state `incomplete`).
        public var missingFiles: [String] = []
    }

    /// Says what a run would do, executing nothing and writing nothing.
    ///
    /// In `--replay` / `--offline` mode each goal that would run is replayed in memory from its
    /// recordings, so the plan names exactly the goals (and the first node) that would miss.
    public func plan(_ manifests: [Manifest]) async throws -> [GoalPlan] {
        var plans: [GoalPlan] = []
        let all = jobs(manifests)
        for index in 0..<all.count {
            let job = try all.job(at: index)
            // Nothing is written: the tree is only read.
            let (state, _, missing) = state(of: job)
            let wouldRun = options.force || state != .current
            var plan = GoalPlan(
                manifest: job.manifest.name, goal: job.goal.id, state: state, wouldRun: wouldRun, replayMiss: nil, recordedCalls: 0,
                missingFiles: missing)
            if options.recording != .record && wouldRun {
                let recorded = job.tree.read(job.goal.id, ResultsTree.File.calls)
                let recordings = GoalArtifacts.readAnswers(recorded)
                let model = ReplayModel(mode: .offline, live: nil, providerName: options.provider.name, recordings: recordings)
                let tools = job.request.tools == nil ? nil : replayTools(recorded, live: nil, mode: .offline)
                let engine = ExecutionEngine(model: model, configuration: engineConfiguration(job.manifest), tools: tools)
                let record = await engine.run(job.request, goalID: job.goal.id)
                plan.recordedCalls = record.calls.count
                plan.recordedToolCalls = record.toolCalls.count
                if record.error?.isRecordingMiss == true { plan.replayMiss = record.error?.message }
            }
            plans.append(plan)
        }
        return plans
    }
}
