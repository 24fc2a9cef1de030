import ArgumentParser
import Foundation
import ROMACore
import ROMARunner

extension Roma {
    /// `roma plan`: what a run would do; nothing is executed or written.
    struct PlanCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "plan",
            abstract: "Show what `roma run` would do: which goals run, which are complete, which would miss recordings.")

        @OptionGroup var settings: RunSettings

        func run() async throws {
            let manifests = try settings.loadManifests()
            let options = try settings.options(for: manifests, environment: ProcessInfo.processInfo.environment)
            let plans = try await BatchRunner(options: options).plan(manifests)
            var runCount = 0
            var misses = 0
            for plan in plans {
                var line = "\(plan.manifest)/\(plan.goal): "
                switch (plan.wouldRun, plan.state) {
                case (false, _): line += "complete, unchanged — skip"
                case (true, .new): line += "run (new)"
                case (true, .changed): line += "run (request changed since the last run)"
                case (true, .unfinished): line += "run (failed or cancelled last time)"
                case (true, .incomplete): line += "run (the folder lacks \(plan.missingFiles.joined(separator: ", ")))"
                case (true, .current): line += "run (--force)"
                }
                if plan.wouldRun {
                    runCount += 1
                    if options.recording != .record {
                        if let miss = plan.replayMiss {
                            misses += 1
                            line += options.recording == .offline ? " — would FAIL: \(miss)" : " — would call the provider: \(miss)"
                        } else {
                            line += " — replays all \(plan.recordedCalls) calls from recordings"
                        }
                    }
                }
                if settings.json {
                    var object: [String: JSONValue] = [
                        "manifest": .string(plan.manifest), "goal": .string(plan.goal), "state": .string(plan.state.rawValue),
                        "would_run": .bool(plan.wouldRun),
                    ]
                    if let miss = plan.replayMiss { object["replay_miss"] = .string(miss) }
                    Terminal.standardOutput.write(try CanonicalJSON.encodeLine(JSONValue.object(object)) + Data("\n".utf8))
                } else {
                    Terminal.standardOutput.line(line)
                }
            }
            if !settings.json {
                Terminal.standardOutput.line(
                    "\(plans.count) goals: \(runCount) would run, \(plans.count - runCount) complete\(options.recording != .record ? ", \(misses) would miss recordings" : "")"
                )
            }
        }
    }
}
