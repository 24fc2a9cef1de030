import ROMAYAML

/// The seed's validation rules for a request, applied field by field.
public enum RequestRules {
    /// Goal length in characters (Unicode scalars, as the hosted API counts them).
    public static let goalLength = 1...10_000
    /// Decomposition depth.
    public static let maxDepth = 1...10
    /// Override: temperature.
    public static let temperature = 0.0...1.0
    /// Override: completion tokens.
    public static let maxTokens = 100...16_000
    /// Metadata: number of pairs.
    public static let metadataPairs = 10
    /// Metadata: key length.
    public static let metadataKeyLength = 1...50
    /// Metadata: value length.
    public static let metadataValueLength = 1...500
    /// The keys a request body (or a manifest goal, besides `id`) may have.
    public static let requestKeys = ["goal", "max_depth", "config_profile", "config_overrides", "metadata"]
    /// The keys `config_overrides` may have.
    public static let overrideKeys = ["temperature", "max_tokens", "model"]
}

extension NodeReader {
    /// Reads and checks a goal.
    public mutating func goal(_ node: YAMLNode, _ path: String) -> String? {
        let expected = "a string of 1 to 10,000 characters"
        guard let text = string(node, path, expected: expected) else { return nil }
        let length = text.unicodeScalars.count
        if length == 0 {
            fail(node.mark, path, "is empty", expected: expected, kind: .invalidValue)
            return nil
        }
        if text.unicodeScalars.allSatisfy({ $0.properties.isWhitespace }) {
            fail(node.mark, path, "is only whitespace", expected: expected, kind: .invalidValue)
            return nil
        }
        if length > RequestRules.goalLength.upperBound {
            fail(node.mark, path, "is \(length.grouped) characters long", expected: expected, kind: .outOfRange)
            return nil
        }
        return text
    }

    /// Reads and checks a decomposition depth.
    public mutating func maxDepth(_ node: YAMLNode, _ path: String) -> Int? {
        integer(node, path, in: RequestRules.maxDepth)
    }

    /// Reads and checks a profile name.
    public mutating func profile(_ node: YAMLNode, _ path: String) -> ConfigProfile? {
        let expected = "one of " + ConfigProfile.names.joined(separator: ", ")
        guard let name = string(node, path, expected: expected) else { return nil }
        guard let profile = ConfigProfile(rawValue: name) else {
            let hint = Suggestion.closest(to: name, in: ConfigProfile.names).map { "did you mean '\($0)'?" }
            fail(node.mark, path, "unknown profile '\(name)'", expected: expected, hint: hint, kind: .invalidValue)
            return nil
        }
        return profile
    }

    /// Reads and checks `config_overrides`.
    public mutating func overrides(_ node: YAMLNode, _ path: String) -> ConfigOverrides? {
        guard let entries = mapping(node, path, allowed: RequestRules.overrideKeys) else { return nil }
        var result = ConfigOverrides()
        var ok = true
        for (key, _, value) in entries {
            let keyPath = Self.join(path, key)
            switch key {
            case "temperature":
                result.temperature = number(value, keyPath, in: RequestRules.temperature)
                ok = ok && result.temperature != nil
            case "max_tokens":
                result.maxTokens = integer(value, keyPath, in: RequestRules.maxTokens)
                ok = ok && result.maxTokens != nil
            default:
                let model = string(value, keyPath, expected: "a model name")
                if model?.isEmpty == true {
                    fail(value.mark, keyPath, "is empty", expected: "a model name", kind: .invalidValue)
                    ok = false
                } else {
                    result.model = model
                    ok = ok && model != nil
                }
            }
        }
        return ok ? result : nil
    }

    /// Reads and checks `metadata`.
    public mutating func metadata(_ node: YAMLNode, _ path: String) -> [String: String]? {
        guard let entries = mapping(node, path, allowed: nil) else { return nil }
        var result: [String: String] = [:]
        var ok = true
        if entries.count > RequestRules.metadataPairs {
            fail(
                node.mark, path, "has \(entries.count) pairs", expected: "at most \(RequestRules.metadataPairs) pairs",
                kind: .outOfRange)
            ok = false
        }
        var seen = Set<String>()
        for (key, keyMark, value) in entries {
            let keyPath = Self.join(path, key)
            guard seen.insert(key).inserted else {
                // YAML keeps `1` and `"1"` apart, but as metadata both are the key "1".
                fail(keyMark, keyPath, "duplicate metadata key '\(key)'", expected: "unique keys", kind: .duplicate)
                ok = false
                continue
            }
            let keyLength = key.unicodeScalars.count
            if !RequestRules.metadataKeyLength.contains(keyLength) {
                fail(keyMark, keyPath, "key is \(keyLength) characters long", expected: "a key of 1 to 50 characters", kind: .outOfRange)
                ok = false
            }
            let expected = "a value of 1 to 500 characters"
            guard let text = scalarText(value, keyPath, expected: expected) else {
                ok = false
                continue
            }
            let valueLength = text.unicodeScalars.count
            if !RequestRules.metadataValueLength.contains(valueLength) {
                fail(value.mark, keyPath, "value is \(valueLength) characters long", expected: expected, kind: .outOfRange)
                ok = false
                continue
            }
            result[key] = text
        }
        return ok ? result : nil
    }
}
