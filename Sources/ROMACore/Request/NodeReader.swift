import ROMAYAML

/// Reads typed values out of a `YAMLNode` tree, collecting every problem instead of stopping
/// at the first. Shared by the manifest loader and the API's request decoder, so the two
/// apply the same rules with the same words.
public struct NodeReader: Sendable {
    /// Everything found wrong so far, in the order it was found.
    public var issues: [ValidationIssue] = []
    /// The environment for `${VAR}` interpolation; `nil` disables it (API bodies).
    public var environment: [String: String]?

    /// Creates a reader.
    public init(environment: [String: String]? = nil) {
        self.environment = environment
    }

    /// Records an issue.
    public mutating func fail(
        _ mark: YAMLMark, _ path: String, _ message: String, expected: String? = nil, hint: String? = nil,
        kind: ValidationIssue.Kind
    ) {
        issues.append(ValidationIssue(mark: mark, path: path, message: message, expected: expected, hint: hint, kind: kind))
    }

    /// Joins a key onto a path.
    public static func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// Reads a mapping whose keys must come from `allowed`; unknown keys are reported with a suggestion.
    public mutating func mapping(_ node: YAMLNode, _ path: String, allowed: [String]?) -> [(key: String, mark: YAMLMark, value: YAMLNode)]?
    {
        guard let pairs = node.pairs else {
            if node.scalar?.value == .null, node.mark != .none, node.scalar?.style == .plain {
                return []  // `key:` with nothing after it is an empty mapping
            }
            fail(node.mark, path, "is \(node.typeDescription)", expected: "a mapping", kind: .invalidType)
            return nil
        }
        var result: [(String, YAMLMark, YAMLNode)] = []
        for pair in pairs {
            guard let key = pair.key.scalar?.text else { continue }
            if let allowed, !allowed.contains(key) {
                let hint = Suggestion.closest(to: key, in: allowed).map { "did you mean '\($0)'?" }
                fail(
                    pair.key.mark, Self.join(path, key), "unknown key",
                    expected: "one of \(allowed.joined(separator: ", "))", hint: hint, kind: .unknownField)
                continue
            }
            result.append((key, pair.key.mark, pair.value))
        }
        return result
    }

    /// Reads a string (interpolating `${VAR}` when an environment is set).
    public mutating func string(_ node: YAMLNode, _ path: String, expected: String = "a string") -> String? {
        guard let scalar = node.scalar, case .string(let text) = scalar.value else {
            fail(node.mark, path, "is \(node.typeDescription)", expected: expected, kind: .invalidType)
            return nil
        }
        guard let environment else { return text }
        switch Interpolation.expand(text, environment: environment) {
        case .success(let expanded): return expanded
        case .failure(let failure):
            fail(node.mark, path, failure.message, expected: "a defined variable or ${VAR:-default}", kind: .invalidValue)
            return nil
        }
    }

    /// Reads any scalar as text (strings, numbers and booleans; for metadata values).
    public mutating func scalarText(_ node: YAMLNode, _ path: String, expected: String) -> String? {
        guard let scalar = node.scalar, scalar.value != .null else {
            fail(node.mark, path, "is \(node.typeDescription)", expected: expected, kind: .invalidType)
            return nil
        }
        if case .string = scalar.value { return string(node, path, expected: expected) }
        return scalar.text
    }

    /// Reads an integer in a closed range.
    public mutating func integer(_ node: YAMLNode, _ path: String, in range: ClosedRange<Int>) -> Int? {
        let expected = "an integer from \(range.lowerBound.grouped) to \(range.upperBound.grouped)"
        guard case .int(let value) = node.scalar?.value else {
            fail(node.mark, path, "is \(node.describedValue)", expected: expected, kind: .invalidType)
            return nil
        }
        guard range.contains(value) else {
            fail(node.mark, path, "\(value) is out of range", expected: expected, kind: .outOfRange)
            return nil
        }
        return value
    }

    /// Reads a number (integer or float) in a closed range.
    public mutating func number(_ node: YAMLNode, _ path: String, in range: ClosedRange<Double>) -> Double? {
        let expected = "a number from \(range.lowerBound) to \(range.upperBound)"
        let value: Double
        switch node.scalar?.value {
        case .int(let i): value = Double(i)
        case .float(let d): value = d
        default:
            fail(node.mark, path, "is \(node.describedValue)", expected: expected, kind: .invalidType)
            return nil
        }
        guard range.contains(value) else {
            fail(node.mark, path, "\(node.scalar?.text ?? "\(value)") is out of range", expected: expected, kind: .outOfRange)
            return nil
        }
        return value
    }
}

extension YAMLNode {
    /// The type, plus the text for short scalars: `a string ("3")`.
    var describedValue: String {
        guard let scalar, scalar.text.count <= 40 else { return typeDescription }
        switch scalar.value {
        case .string: return "a string (\"\(scalar.text)\")"
        case .null: return "empty"
        default: return "\(typeDescription) (\(scalar.text))"
        }
    }
}

extension Int {
    /// The number with thousands separators: 10,000.
    var grouped: String {
        let digits = String(Swift.abs(self))
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0, (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return self < 0 ? "-" + out : out
    }
}
