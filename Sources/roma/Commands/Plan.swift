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
            try printExpansion(manifests, out: options.out)
            var templates: [String: String] = [:]
            for manifest in manifests {
                for goal in manifest.goals { if let origin = goal.origin { templates[manifest.name + "/" + goal.id] = origin.template } }
            }
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
                            let tools = plan.recordedToolCalls
                            let toolText = tools == 0 ? "" : " and \(tools) tool call\(tools == 1 ? "" : "s")"
                            line += " — replays all \(plan.recordedCalls) calls\(toolText) from recordings"
                        }
                    }
                }
                if settings.json {
                    var object: [String: JSONValue] = [
                        "manifest": .string(plan.manifest), "goal": .string(plan.goal), "state": .string(plan.state.rawValue),
                        "would_run": .bool(plan.wouldRun),
                    ]
                    if let miss = plan.replayMiss { object["replay_miss"] = .string(miss) }
                    if let template = templates[plan.manifest + "/" + plan.goal] { object["template"] = .string(template) }
                    Terminal.standardOutput.write(try CanonicalJSON.encodeLine(JSONValue.object(object)) + Data("\n".utf8))
                } else {
                    Terminal.standardOutput.line(line)
                }
            }
            try printNoLongerInManifest(manifests, out: options.out)
            if !settings.json {
                Terminal.standardOutput.line(
                    "\(plans.count) goals: \(runCount) would run, \(plans.count - runCount) complete\(options.recording != .record ? ", \(misses) would miss recordings" : "")"
                )
            }
        }

        /// One line per goal template: its id and how it expanded (`--only ID` selects all its goals).
        func printExpansion(_ manifests: [Manifest], out: URL) throws {
            for manifest in manifests {
                for template in manifest.templates {
                    if settings.json {
                        let object: [String: JSONValue] = [
                            "manifest": .string(manifest.name), "template": .string(template.id),
                            "goals": .array(template.goalIDs.map { .string($0) }),
                            "dimensions": .object(Dictionary(uniqueKeysWithValues: template.dimensions.map { ($0.name, .int($0.count)) })),
                        ]
                        Terminal.standardOutput.write(try CanonicalJSON.encodeLine(JSONValue.object(object)) + Data("\n".utf8))
                    } else {
                        Terminal.standardOutput.line("\(manifest.name)/\(template.id): template, \(template.expansion)")
                    }
                }
            }
        }

        /// Goal folders whose goal the manifest no longer has: kept, never run or rewritten.
        func printNoLongerInManifest(_ manifests: [Manifest], out: URL) throws {
            for manifest in manifests {
                for folder in ResultsTree(out: out, manifestName: manifest.name).foldersNotIn(manifest) {
                    if settings.json {
                        let object: [String: JSONValue] = [
                            "manifest": .string(manifest.name), "goal": .string(folder), "state": .string("not_in_manifest"),
                            "would_run": .bool(false),
                        ]
                        Terminal.standardOutput.write(try CanonicalJSON.encodeLine(JSONValue.object(object)) + Data("\n".utf8))
                    } else {
                        Terminal.standardOutput.line("\(manifest.name)/\(folder): no longer in the manifest — folder kept as it is")
                    }
                }
            }
        }
    }
}
