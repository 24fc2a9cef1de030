import Foundation
import ROMACore

extension BatchRunner {
    /// The goals a run considers, in manifest order, each built into its `Job` (its request
    /// resolved and rendered) only when it is looked at, and dropped after.
    ///
    /// An array of jobs kept for the whole run was the largest holder at a 10,000-goal run's
    /// heap peak: 12.75 of 50 MB (heaptrack; ~0.8 KB inline a job, in an array doubled to 16,384
    /// places, plus its request bytes). The list keeps 8 bytes a goal. A job is built twice for
    /// a goal that runs — to decide whether it runs, and when it starts — and both builds give
    /// the same job: the same manifest, tree, profiles and goal give the same request and bytes.
    struct JobList: Sendable {
        /// A manifest with its results tree and resolved profiles, shared by its goals' jobs.
        struct Source: Sendable {
            var manifest: Manifest
            var tree: ResultsTree
            var profiles: ProfileTable
        }

        /// A goal's place: its manifest in `sources`, and the goal in the manifest's `goals`.
        struct Position: Sendable {
            var source: Int32
            var goal: Int32
        }

        let sources: [Source]
        /// The goals this run considers (`--only`, `--shard`), in manifest order.
        let positions: [Position]

        var count: Int { positions.count }

        /// The manifest and goal at `index`, without building the job.
        func spec(at index: Int) -> (manifest: Manifest, goal: GoalSpec) {
            let (source, goal) = entry(positions[index])
            return (source.manifest, goal)
        }

        /// The ids of the goals in the list from the manifests named `name`.
        func goalIDs(manifestNamed name: String) -> Set<String> {
            var ids: Set<String> = []
            for position in positions {
                let (source, goal) = entry(position)
                if source.manifest.name == name { ids.insert(goal.id) }
            }
            return ids
        }

        /// The job of the goal at `index`. Throws only when its request cannot be rendered as
        /// JSON (a NaN or infinite number, which a manifest read from YAML cannot hold).
        func job(at index: Int) throws -> Job {
            let (source, goal) = entry(positions[index])
            let request = ResolvedRequest(
                id: goal.id, request: goal.request, profiles: source.profiles, tools: goal.tools, minDepth: goal.minDepth)
            return Job(
                manifest: source.manifest, tree: source.tree, goal: goal, request: request,
                requestBytes: try CanonicalJSON.pretty(request.publicView))
        }

        /// The source and goal a position names.
        private func entry(_ position: Position) -> (source: Source, goal: GoalSpec) {
            let source = sources[Int(position.source)]
            return (source, source.manifest.goals[Int(position.goal)])
        }
    }

    /// The goals of `manifests` this run considers (`--only`, `--shard`).
    func jobs(_ manifests: [Manifest]) -> JobList {
        var sources: [JobList.Source] = []
        var positions: [JobList.Position] = []
        for (manifestIndex, manifest) in manifests.enumerated() {
            var profiles = ProfileTable.resolve(manifest: manifest.profileModels, environment: options.environment)
            profiles.tools = manifest.profileTools
            profiles.agents = manifest.profileAgentModels
            sources.append(JobList.Source(manifest: manifest, tree: tree(manifest), profiles: profiles))
            for (goalIndex, goal) in manifest.goals.enumerated() {
                if !options.only.isEmpty && !options.only.contains(goal.id) { continue }
                if let shard = options.shard, !shard.contains(manifest: manifest.name, goalID: goal.id) { continue }
                positions.append(JobList.Position(source: Int32(manifestIndex), goal: Int32(goalIndex)))
            }
        }
        return JobList(sources: sources, positions: positions)
    }
}
