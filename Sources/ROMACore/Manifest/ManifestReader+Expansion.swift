import ROMAYAML

/// Reading `matrix:` and `vars:` lists, and expanding a goal template into its goals.
extension ManifestReader {
    /// Reads a `matrix:` (`variables` false) or a template's `vars:` (`variables` true).
    mutating func readDimensions(_ node: YAMLNode, _ path: String, variables: Bool) -> [Dimension] {
        var dimensions: [Dimension] = []
        for (key, keyMark, value) in nodes.mapping(node, path, allowed: variables ? nil : Dimension.matrixKeys) ?? [] {
            let keyPath = NodeReader.join(path, key)
            if variables && !Placeholder.isValidName(key) {
                nodes.fail(
                    keyMark, keyPath, "'\(key)' cannot name a placeholder",
                    expected: "letters, digits and '_', not starting with a digit", kind: .invalidValue)
                continue
            }
            guard let items = value.items else {
                nodes.fail(value.mark, keyPath, "is \(value.typeDescription)", expected: "a list of values", kind: .invalidType)
                continue
            }
            if items.isEmpty {
                nodes.fail(
                    value.mark, keyPath, "is an empty list: no goal would run",
                    expected: "at least one value", kind: .invalidValue)
                continue
            }
            var values: [Dimension.Value] = []
            for (index, item) in items.enumerated() {
                let itemPath = "\(keyPath)[\(index)]"
                guard let (text, setting) = readValue(item, itemPath, key: key, variable: variables) else { continue }
                let segment = IDSegment.segment(name: key, value: text, isVariable: variables)
                if let earlier = values.first(where: { $0.setting == setting }) {
                    nodes.fail(
                        item.mark, itemPath, "duplicate value '\(text)' (also on line \(earlier.mark.line))",
                        expected: "distinct values", kind: .duplicate)
                    continue
                }
                if let earlier = values.first(where: { $0.segment.lowercased() == segment.lowercased() }) {
                    nodes.fail(
                        item.mark, itemPath,
                        "'\(text)' and '\(earlier.text)' (line \(earlier.mark.line)) give the same goal id segment '\(segment)'; their goals' ids would collide",
                        expected: "values that differ in more than case or punctuation", kind: .duplicate)
                    continue
                }
                values.append(Dimension.Value(text: text, setting: setting, segment: segment, mark: item.mark))
            }
            if !values.isEmpty {
                dimensions.append(Dimension(name: key, isVariable: variables, keyMark: keyMark, values: values))
            }
        }
        return dimensions
    }

    /// One value of a list, checked by the rule of the key it sets.
    private mutating func readValue(_ item: YAMLNode, _ path: String, key: String, variable: Bool) -> (String, Dimension.Setting)? {
        if variable {
            guard let text = nodes.scalarText(item, path, expected: "a string or a number") else { return nil }
            guard !text.isEmpty else {
                nodes.fail(item.mark, path, "is empty", expected: "a non-empty value", kind: .invalidValue)
                return nil
            }
            return (text, .variable(text))
        }
        let text = item.scalar?.text ?? ""
        switch key {
        case "config_profile": return nodes.profile(item, path).map { ($0.rawValue, .profile($0)) }
        case "max_depth": return nodes.maxDepth(item, path).map { (text, .maxDepth($0)) }
        case "temperature": return nodes.number(item, path, in: RequestRules.temperature).map { (text, .temperature($0)) }
        case "max_tokens": return nodes.integer(item, path, in: RequestRules.maxTokens).map { (text, .maxTokens($0)) }
        default:
            guard let model = nodes.string(item, path, expected: "a model name") else { return nil }
            guard !model.isEmpty else {
                nodes.fail(item.mark, path, "is empty", expected: "a model name", kind: .invalidValue)
                return nil
            }
            return (model, .model(model))
        }
    }

    /// One goal as written, before expansion.
    struct WrittenGoal {
        var path: String
        var id: String?
        var idMark: YAMLMark
        var item: YAMLNode
        var request: ExecutionRequest
        var goalMark: YAMLMark
        var vars: [Dimension]
        var varsMark: YAMLMark?
        var matrix: [Dimension]
        var matrixMark: YAMLMark?
        /// Keys the goal sets itself that a matrix could vary, with where each was written.
        var explicitKeys: [String: YAMLMark]
        /// The goal's `tools:` allow list (its own, else the defaults').
        var tools: [String]?
        /// Tasks shallower than this are planned without asking the atomizer.
        var minDepth: Int?
    }

    /// The goals a written goal stands for: itself, or one per combination of its `vars:` and matrix.
    mutating func expand(_ written: WrittenGoal) -> [(id: String, request: ExecutionRequest, origin: GoalOrigin?)] {
        let baseID = written.id ?? GoalSpec.derivedID(for: written.request.goal)
        let template = written.request.goal
        var ok = true
        let names = Placeholder.names(in: template)
        let defined = written.vars.map(\.name)
        for name in names where !defined.contains(name) {
            let expected =
                defined.isEmpty
                ? "a 'vars:' list named '\(name)' (or no {{...}} in the goal)" : "one of the vars: \(defined.joined(separator: ", "))"
            let hint = Suggestion.closest(to: name, in: defined).map { "did you mean '{{\($0)}}'?" }
            nodes.fail(
                written.goalMark, written.path + ".goal", "unknown placeholder {{\(name)}}", expected: expected, hint: hint,
                kind: .invalidValue)
            ok = false
        }
        for variable in written.vars where !names.contains(variable.name) {
            nodes.fail(
                variable.keyMark, written.path + ".vars." + variable.name, "is not used by the goal",
                expected: "a {{\(variable.name)}} placeholder in the goal text", kind: .invalidValue)
            ok = false
        }
        for dimension in written.matrix {
            guard let mark = written.explicitKeys[dimension.name] else { continue }
            nodes.fail(
                mark,
                written.path + "." + (dimension.name == "config_profile" || dimension.name == "max_depth" ? "" : "config_overrides.")
                    + dimension.name,
                "is also varied by the matrix (line \(dimension.keyMark.line))",
                expected: written.matrixMark == nil
                    ? "the key in the matrix or in the goal, not both (give the goal its own 'matrix:' to run it differently)"
                    : "the key in the goal's 'matrix:' or as its own key, not both",
                kind: .invalidValue)
            ok = false
        }
        let dimensions = written.vars + written.matrix
        if dimensions.isEmpty { return ok ? [(baseID, written.request, nil)] : [] }
        guard ok else { return [] }
        guard Dimension.combinations(dimensions, cap: Manifest.maxGoalsPerTemplate) != nil else {
            // The matrix alone over the cap was reported once, at the matrix.
            if written.vars.isEmpty && written.matrixMark == nil { return [] }
            let mark = written.varsMark ?? written.matrixMark ?? written.item.mark
            let key = written.varsMark != nil ? ".vars" : ".matrix"
            nodes.fail(
                mark, written.path + key,
                "expands to \(Dimension.describe(dimensions)) goals, more than \(Manifest.maxGoalsPerTemplate.grouped)",
                expected: "at most \(Manifest.maxGoalsPerTemplate.grouped) goals per template", kind: .outOfRange)
            return []
        }
        var goals: [(id: String, request: ExecutionRequest, origin: GoalOrigin?)] = []
        for combination in Dimension.product(dimensions) {
            var request = written.request
            var values: [String: String] = [:]
            var origin = GoalOrigin(template: baseID)
            for (dimension, value) in zip(dimensions, combination) {
                Dimension.apply(value.setting, to: &request)
                let binding = GoalOrigin.Binding(name: dimension.name, value: value.text)
                if dimension.isVariable {
                    values[dimension.name] = value.text
                    origin.vars.append(binding)
                } else {
                    origin.matrix.append(binding)
                }
            }
            request.goal = Placeholder.substitute(template, values: values)
            let length = request.goal.unicodeScalars.count
            if length > RequestRules.goalLength.upperBound {
                nodes.fail(
                    written.goalMark, written.path + ".goal",
                    "is \(length.grouped) characters long once {{...}} are filled (\(origin.row))",
                    expected: "a string of 1 to 10,000 characters", kind: .outOfRange)
                return []
            }
            let id = ([baseID] + combination.map(\.segment)).joined(separator: ".")
            if id.count > IDSegment.maxIDLength {
                nodes.fail(
                    written.idMark, written.path + ".id", "expands to ids of up to \(id.count) characters, such as '\(id.prefix(60))…'",
                    expected: "ids of at most \(IDSegment.maxIDLength) characters: a shorter id or fewer dimensions", kind: .outOfRange)
                return []
            }
            goals.append((id, request, origin))
        }
        return goals
    }
}
