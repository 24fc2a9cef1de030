import ROMACore
import ROMAYAML

/// Checks JSON bodies against the schemas of `openapi.yaml` — the subset of JSON Schema the
/// document uses: `$ref`, `type` (one or a list, `null` included), `required`, `properties`,
/// `additionalProperties`, `items`, `enum`, `const`, `allOf`, `minimum`, `maximum`.
///
/// Objects are read strictly: a member the schema does not list is a violation even where the
/// document leaves `additionalProperties` open, so a field the server sends but the document
/// does not describe (or the reverse) fails the test.
struct SchemaValidator {
    let document: YAMLNode

    init(yaml: String) throws {
        document = try YAMLParser().parseDocument(yaml).node
    }

    /// The schema of the `status` response of `method path` (a response `$ref` followed).
    func responseSchema(_ method: String, _ path: String, status: Int) -> YAMLNode? {
        guard var response = document["paths"]?[path]?[method.lowercased()]?["responses"]?[String(status)] else { return nil }
        if let ref = response["$ref"]?.scalar?.text { response = resolve(ref) ?? response }
        return response["content"]?["application/json"]?["schema"]
    }

    /// Every way `value` breaks `schema`, as `path: problem` lines.
    func violations(of value: JSONValue, against schema: YAMLNode, at path: String = "$") -> [String] {
        if let ref = schema["$ref"]?.scalar?.text {
            guard let target = resolve(ref) else { return ["\(path): unresolvable \(ref)"] }
            return violations(of: value, against: target, at: path)
        }
        var problems: [String] = []
        if let parts = schema["allOf"]?.items {
            // Members are checked against the union of the parts' properties.
            var merged: [YAMLPair] = []
            var required: [YAMLNode] = []
            for part in parts {
                let resolved = part["$ref"]?.scalar.flatMap { resolve($0.text) } ?? part
                merged += resolved["properties"]?.pairs ?? []
                required += resolved["required"]?.items ?? []
            }
            let combined = YAMLNode(
                .mapping([
                    YAMLPair(key: Self.text("type"), value: Self.text("object")),
                    YAMLPair(key: Self.text("properties"), value: YAMLNode(.mapping(merged))),
                    YAMLPair(key: Self.text("required"), value: YAMLNode(.sequence(required))),
                ]))
            return violations(of: value, against: combined, at: path)
        }
        if let types = schema["type"].map({ $0.items?.compactMap(\.scalar?.text) ?? [$0.scalar?.text ?? ""] }) {
            guard types.contains(where: { Self.matches(value, type: $0) }) else {
                return ["\(path): \(Self.describe(value)) where the document says \(types.joined(separator: " or "))"]
            }
        }
        if let allowed = schema["enum"]?.items?.compactMap(\.scalar?.text), let text = value.stringValue, !allowed.contains(text) {
            problems.append("\(path): '\(text)' is not one of \(allowed)")
        }
        if let constant = schema["const"]?.scalar?.text, value.stringValue != constant {
            problems.append("\(path): must be '\(constant)'")
        }
        let number: Double? =
            switch value {
            case .int(let integer): Double(integer)
            case .double(let double): double
            default: nil
            }
        if let number {
            if let minimum = schema["minimum"]?.scalar.flatMap({ Double($0.text) }), number < minimum {
                problems.append("\(path): \(number) < \(minimum)")
            }
            if let maximum = schema["maximum"]?.scalar.flatMap({ Double($0.text) }), number > maximum {
                problems.append("\(path): \(number) > \(maximum)")
            }
        }
        if case .object(let members) = value {
            let properties = schema["properties"]?.pairs ?? []
            for name in schema["required"]?.items?.compactMap(\.scalar?.text) ?? [] where members[name] == nil {
                problems.append("\(path): required '\(name)' is missing")
            }
            let additional = schema["additionalProperties"]
            for (name, member) in members.sorted(by: { $0.key < $1.key }) {
                if let property = properties.first(where: { $0.key.scalar?.text == name }) {
                    problems += violations(of: member, against: property.value, at: "\(path).\(name)")
                } else if let additional, additional.pairs != nil {
                    problems += violations(of: member, against: additional, at: "\(path).\(name)")
                } else if schema["properties"] != nil || additional?.scalar?.text == "false" {
                    problems.append("\(path): '\(name)' is not in the document")
                }
            }
        }
        if case .array(let elements) = value, let items = schema["items"] {
            for (index, element) in elements.enumerated() {
                problems += violations(of: element, against: items, at: "\(path)[\(index)]")
            }
        }
        return problems
    }

    private func resolve(_ ref: String) -> YAMLNode? {
        guard ref.hasPrefix("#/") else { return nil }
        var node: YAMLNode? = document
        for component in ref.dropFirst(2).split(separator: "/") { node = node?[String(component)] }
        return node
    }

    private static func text(_ text: String) -> YAMLNode { YAMLNode(.scalar(YAMLScalar(text: text))) }

    private static func matches(_ value: JSONValue, type: String) -> Bool {
        switch (type, value) {
        case ("null", .null), ("boolean", .bool), ("string", .string), ("array", .array), ("object", .object): true
        case ("integer", .int), ("number", .int), ("number", .double): true
        default: false
        }
    }

    private static func describe(_ value: JSONValue) -> String {
        switch value {
        case .null: "null"
        case .bool: "a boolean"
        case .int: "an integer"
        case .double: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}
