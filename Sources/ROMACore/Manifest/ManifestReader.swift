import Foundation
import ROMAYAML

/// Turns a manifest's node tree into a `Manifest`, recording every rule broken on the way.
struct ManifestReader {
    static let topKeys = ["version", "name", "defaults", "engine", "goals", "profiles", "matrix", "tools", "pricing"]
    static let defaultKeys = ["config_profile", "max_depth", "config_overrides", "metadata", "tools", "min_depth"]
    static let goalKeys = ["id"] + RequestRules.requestKeys + ["vars", "matrix", "tools", "min_depth"]

    /// What `defaults:` gives every goal.
    struct Defaults {
        var request = ExecutionRequest(goal: "")
        var tools: [String]?
        var minDepth: Int?
    }

    /// The servers of the `tools:` section, read before any allow list that names them.
    var servers: [String: ToolServer] = [:]
    /// Whether `goals:` must be there (a `roma serve --config` file has none).
    var goalsRequired = true

    var nodes: NodeReader
    let file: String

    init(environment: [String: String], file: String) {
        self.nodes = NodeReader(environment: environment)
        self.file = file
    }

    mutating func read(_ root: YAMLNode) -> Manifest? {
        if root.scalar?.value == .null {
            nodes.fail(
                YAMLMark(line: 1, column: 1), "", "the manifest is empty", expected: "a mapping with a 'goals' list",
                kind: .missingRequiredField)
            return nil
        }
        guard let entries = nodes.mapping(root, "", allowed: Self.topKeys) else { return nil }
        let byKey = Dictionary(entries.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })

        if let version = byKey["version"] {
            if case .int(let v) = version.scalar?.value, v == 1 {
            } else {
                nodes.fail(version.mark, "version", "is \(version.describedValue)", expected: "1", kind: .invalidValue)
            }
        }
        var name = ((file as NSString).lastPathComponent as NSString).deletingPathExtension
        if let node = byKey["name"], let given = nodes.string(node, "name", expected: "a folder name") {
            if Self.isSafeName(given) {
                name = given
            } else {
                nodes.fail(
                    node.mark, "name", "'\(given)' cannot name a folder",
                    expected: "letters, digits, '.', '_' or '-', not starting with '.'", kind: .invalidValue)
            }
        }
        servers = byKey["tools"].map { readToolServers($0) } ?? [:]
        let defaults = byKey["defaults"].map { readDefaults($0) } ?? Defaults()
        let engine = byKey["engine"].map { readEngine($0) } ?? EngineSettings()
        var profileTools: [ConfigProfile: [String]] = [:]
        var agentModels: [ConfigProfile: [Agent: String]] = [:]
        let profiles = byKey["profiles"].map { readProfiles($0, tools: &profileTools, agents: &agentModels) } ?? [:]
        var matrix: [Dimension] = []
        if let matrixNode = byKey["matrix"] {
            matrix = readDimensions(matrixNode, "matrix", variables: false)
            if Dimension.combinations(matrix, cap: Manifest.maxGoalsPerTemplate) == nil {
                let mark = entries.first { $0.key == "matrix" }?.mark ?? matrixNode.mark
                nodes.fail(
                    mark, "matrix",
                    "expands every goal to \(Dimension.describe(matrix)) goals, more than \(Manifest.maxGoalsPerTemplate.grouped)",
                    expected: "at most \(Manifest.maxGoalsPerTemplate.grouped) goals per template", kind: .outOfRange)
            }
        }
        var goals: [GoalSpec] = []
        if let goalsNode = byKey["goals"] {
            goals = readGoals(goalsNode, defaults: defaults, matrix: matrix)
        } else if goalsRequired {
            nodes.fail(root.mark, "goals", "is required", expected: "a list of goals", kind: .missingRequiredField)
        }
        var manifest = Manifest(
            name: name, path: file, engine: engine, profileModels: profiles, profileTools: profileTools, tools: servers, goals: goals)
        manifest.defaultTools = defaults.tools
        manifest.profileAgentModels = agentModels
        if let pricing = byKey["pricing"] { manifest.pricing = readPricing(pricing) }
        return manifest
    }

    static func isSafeName(_ name: String) -> Bool {
        guard !name.isEmpty, name.count <= 100, !name.hasPrefix("."), !name.hasPrefix("-") else { return false }
        return name.unicodeScalars.allSatisfy {
            $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "._-".unicodeScalars.contains($0))
        }
    }

    mutating func readDefaults(_ node: YAMLNode) -> Defaults {
        var result = Defaults()
        for (key, _, value) in nodes.mapping(node, "defaults", allowed: Self.defaultKeys) ?? [] {
            switch key {
            case "tools": result.tools = readToolList(value, "defaults.tools")
            case "min_depth": result.minDepth = nodes.integer(value, "defaults.min_depth", in: 0...10)
            default: apply(key: key, value: value, path: "defaults." + key, to: &result.request)
            }
        }
        return result
    }

    /// Applies one request key to a request; returns false for keys it does not handle.
    @discardableResult
    mutating func apply(key: String, value: YAMLNode, path: String, to request: inout ExecutionRequest) -> Bool {
        switch key {
        case "goal": request.goal = nodes.goal(value, path) ?? ""
        case "max_depth": request.maxDepth = nodes.maxDepth(value, path)
        case "config_profile": request.configProfile = nodes.profile(value, path)
        case "config_overrides":
            request.configOverrides = request.configOverrides.merging(nodes.overrides(value, path) ?? ConfigOverrides())
        case "metadata":
            request.metadata.merge(nodes.metadata(value, path) ?? [:]) { _, new in new }
            if request.metadata.count > RequestRules.metadataPairs {
                nodes.fail(
                    value.mark, path, "has \(request.metadata.count) pairs once the defaults are merged in",
                    expected: "at most \(RequestRules.metadataPairs) pairs", kind: .outOfRange)
            }
        default: return false
        }
        return true
    }

    mutating func readEngine(_ node: YAMLNode) -> EngineSettings {
        var engine = EngineSettings()
        for (key, _, value) in nodes.mapping(node, "engine", allowed: EngineSettings.keys) ?? [] {
            let path = "engine." + key
            switch key {
            case "mode":
                let expected = "local or remote"
                if let text = nodes.string(value, path, expected: expected) {
                    if let mode = RunMode(rawValue: text) {
                        engine.mode = mode
                    } else {
                        nodes.fail(value.mark, path, "unknown mode '\(text)'", expected: expected, kind: .invalidValue)
                    }
                }
            case "provider":
                let expected = EngineSettings.providers.joined(separator: " or ")
                if let text = nodes.string(value, path, expected: expected) {
                    if EngineSettings.providers.contains(text) {
                        engine.provider = text
                    } else {
                        let hint = Suggestion.closest(to: text, in: EngineSettings.providers).map { "did you mean '\($0)'?" }
                        nodes.fail(value.mark, path, "unknown provider '\(text)'", expected: expected, hint: hint, kind: .invalidValue)
                    }
                }
            case "base_url":
                if let text = nodes.string(value, path, expected: "an http(s) URL") {
                    if let url = URL(string: text), url.scheme == "http" || url.scheme == "https", url.host != nil {
                        engine.baseURL = text
                    } else {
                        nodes.fail(value.mark, path, "'\(text)' is not a URL", expected: "an http(s) URL", kind: .invalidValue)
                    }
                }
            case "api_key_env":
                if let text = nodes.string(value, path, expected: "an environment variable name") {
                    if text.hasPrefix("sk-") || text.hasPrefix("sk_") {
                        nodes.fail(
                            value.mark, path, "looks like a key, not the name of a variable holding one",
                            expected: "an environment variable name such as OPENAI_API_KEY", kind: .invalidValue)
                    } else {
                        engine.apiKeyEnv = text
                    }
                }
            case "concurrency": engine.concurrency = nodes.integer(value, path, in: 1...1024)
            case "llm_concurrency": engine.llmConcurrency = nodes.integer(value, path, in: 1...1024)
            case "max_subtasks": engine.maxSubtasks = nodes.integer(value, path, in: 1...100)
            case "max_llm_calls": engine.maxLLMCalls = nodes.integer(value, path, in: 1...1_000_000)
            case "max_tokens": engine.maxTokens = nodes.integer(value, path, in: 100...1_000_000_000)
            case "max_tool_calls": engine.maxToolCalls = nodes.integer(value, path, in: 0...100)
            case "tool_timeout_seconds": engine.toolTimeoutSeconds = nodes.integer(value, path, in: 1...3_600)
            case "tool_calling":
                let expected = EngineSettings.toolCallingModes.joined(separator: ", ")
                if let text = nodes.string(value, path, expected: expected) {
                    if EngineSettings.toolCallingModes.contains(text) {
                        engine.toolCalling = text
                    } else {
                        nodes.fail(value.mark, path, "unknown mode '\(text)'", expected: "one of " + expected, kind: .invalidValue)
                    }
                }
            case "max_cost_usd": engine.maxCostUSD = nodes.number(value, path, in: 0...1_000_000)
            case "tool_choice":
                if let text = nodes.string(value, path, expected: "auto or required") {
                    if text == "auto" || text == "required" {
                        engine.toolChoice = text
                    } else {
                        nodes.fail(value.mark, path, "unknown choice '\(text)'", expected: "auto or required", kind: .invalidValue)
                    }
                }
            case "tool_arguments":
                if let text = nodes.string(value, path, expected: "all or required") {
                    if text == "all" || text == "required" {
                        engine.toolArguments = text
                    } else {
                        nodes.fail(value.mark, path, "unknown choice '\(text)'", expected: "all or required", kind: .invalidValue)
                    }
                }
            default: engine.timeoutSeconds = nodes.integer(value, path, in: 1...86_400)
            }
        }
        return engine
    }

    mutating func readProfiles(
        _ node: YAMLNode, tools: inout [ConfigProfile: [String]], agents: inout [ConfigProfile: [Agent: String]]
    ) -> [ConfigProfile: String] {
        var result: [ConfigProfile: String] = [:]
        for (key, _, value) in nodes.mapping(node, "profiles", allowed: ConfigProfile.names) ?? [] {
            let path = "profiles." + key
            guard let profile = ConfigProfile(rawValue: key) else { continue }
            var modelNode: YAMLNode? = value
            var modelPath = path
            if value.pairs != nil {
                modelNode = nil
                for (entry, _, entryValue) in nodes.mapping(value, path, allowed: ["model", "tools"] + Agent.names) ?? [] {
                    if entry == "tools" {
                        tools[profile] = readToolList(entryValue, path + ".tools")
                    } else if let agent = Agent(rawValue: entry) {
                        if let model = modelName(entryValue, path + "." + entry) { agents[profile, default: [:]][agent] = model }
                    } else {
                        modelNode = entryValue
                    }
                }
                modelPath = path + ".model"
            }
            if let modelNode, let model = modelName(modelNode, modelPath) { result[profile] = model }
        }
        return result
    }

    /// Reads a model name: a string, not empty.
    mutating func modelName(_ node: YAMLNode, _ path: String) -> String? {
        guard let model = nodes.string(node, path, expected: "a model name") else { return nil }
        guard !model.isEmpty else {
            nodes.fail(node.mark, path, "is empty", expected: "a model name", kind: .invalidValue)
            return nil
        }
        return model
    }

    mutating func readGoals(_ node: YAMLNode, defaults: Defaults, matrix: [Dimension]) -> [GoalSpec] {
        guard let items = node.items else {
            nodes.fail(node.mark, "goals", "is \(node.typeDescription)", expected: "a list of goals", kind: .invalidType)
            return []
        }
        if items.isEmpty {
            nodes.fail(node.mark, "goals", "is empty", expected: "at least one goal", kind: .invalidValue)
        }
        var goals: [GoalSpec] = []
        var seen: [String: Int] = [:]
        var seenFolded: [String: (id: String, index: Int)] = [:]
        for (index, item) in items.enumerated() {
            guard let written = readGoal(item, path: "goals[\(index)]", defaults: defaults, matrix: matrix) else { continue }
            let path = written.path
            for (goalID, request, origin) in expand(written) {
                let from = origin.map { " (expanded from '\($0.template)': \($0.row), \($0.column))" } ?? ""
                if let first = seen[goalID] {
                    nodes.fail(
                        written.idMark, path + ".id", "duplicate goal id '\(goalID)'\(from) (first used by goals[\(first)])",
                        expected: "an id unique in the manifest", kind: .duplicate)
                    break
                }
                // Folders named by ids that differ only in case are one folder on macOS and Windows.
                if let (other, first) = seenFolded[goalID.lowercased()] {
                    nodes.fail(
                        written.idMark, path + ".id",
                        "goal id '\(goalID)'\(from) differs only in case from '\(other)' (goals[\(first)]); their results folders would be one folder on a case-insensitive file system",
                        expected: "an id unique in the manifest, ignoring case", kind: .duplicate)
                    break
                }
                seen[goalID] = index
                seenFolded[goalID.lowercased()] = (goalID, index)
                if let minDepth = written.minDepth, let maxDepth = request.maxDepth, minDepth > maxDepth {
                    nodes.fail(
                        item.mark, path + ".min_depth", "\(minDepth) is deeper than max_depth \(maxDepth)\(from)",
                        expected: "at most max_depth", kind: .outOfRange)
                }
                goals.append(
                    GoalSpec(
                        id: goalID, request: request, line: item.mark.line, origin: origin, tools: written.tools, minDepth: written.minDepth
                    ))
            }
        }
        return goals
    }

    /// Reads one item of `goals:` (a bare string or a mapping), not yet expanded.
    mutating func readGoal(_ item: YAMLNode, path: String, defaults: Defaults, matrix: [Dimension]) -> WrittenGoal? {
        var request = defaults.request
        request.goal = ""
        var written = WrittenGoal(
            path: path, id: nil, idMark: item.mark, item: item, request: request, goalMark: item.mark, vars: [], varsMark: nil,
            matrix: matrix, matrixMark: nil, explicitKeys: [:], tools: defaults.tools, minDepth: defaults.minDepth)
        if item.scalar != nil, case .string = item.scalar?.value {
            written.request.goal = nodes.goal(item, path) ?? ""
        } else if let entries = nodes.mapping(item, path, allowed: Self.goalKeys) {
            var hasGoal = false
            for (key, keyMark, value) in entries {
                switch key {
                case "id":
                    written.idMark = value.mark
                    if let text = nodes.string(value, path + ".id", expected: "a slug") {
                        if Self.isSafeName(text) && text.count <= 64 {
                            written.id = text
                        } else {
                            nodes.fail(
                                value.mark, path + ".id", "'\(text)' cannot name a folder",
                                expected: "1 to 64 letters, digits, '.', '_' or '-'", kind: .invalidValue)
                        }
                    }
                case "vars":
                    written.varsMark = keyMark
                    written.vars = readDimensions(value, path + ".vars", variables: true)
                case "matrix":
                    written.matrixMark = keyMark
                    written.matrix = readDimensions(value, path + ".matrix", variables: false)
                case "tools":
                    written.tools = readToolList(value, path + ".tools")
                case "min_depth":
                    written.minDepth = nodes.integer(value, path + ".min_depth", in: 0...10)
                default:
                    if key == "goal" {
                        hasGoal = true
                        written.goalMark = value.mark
                    }
                    if key == "config_profile" || key == "max_depth" { written.explicitKeys[key] = keyMark }
                    if key == "config_overrides" {
                        for pair in value.pairs ?? [] {
                            if let name = pair.key.scalar?.text { written.explicitKeys[name] = pair.key.mark }
                        }
                    }
                    apply(key: key, value: value, path: path + "." + key, to: &written.request)
                }
            }
            if !hasGoal {
                nodes.fail(
                    item.mark, path + ".goal", "is required", expected: "a string of 1 to 10,000 characters",
                    kind: .missingRequiredField)
            }
        } else {
            return nil
        }
        guard !written.request.goal.isEmpty else { return nil }  // already reported; no id to derive
        return written
    }
}
