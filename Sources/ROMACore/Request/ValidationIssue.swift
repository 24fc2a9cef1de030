import ROMAYAML

/// One rule a request or manifest broke, before it is placed in a file as a `Diagnostic`.
public struct ValidationIssue: Sendable, Hashable {
    /// The family of rule that was broken (the API reports it as `details.issue`).
    public enum Kind: String, Sendable, Hashable {
        case missingRequiredField = "missing_required_field"
        case invalidType = "invalid_type"
        case outOfRange = "out_of_range"
        case invalidValue = "invalid_value"
        case unknownField = "unknown_field"
        case duplicate = "duplicate"
        case syntax = "syntax"
    }

    /// Where the offending value starts.
    public var mark: YAMLMark
    /// The key path, e.g. `goals[0].config_overrides.temperature`.
    public var path: String
    /// What is wrong.
    public var message: String
    /// What was expected.
    public var expected: String?
    /// A suggestion.
    public var hint: String?
    /// The rule family.
    public var kind: Kind

    /// Creates an issue.
    public init(
        mark: YAMLMark, path: String, message: String, expected: String? = nil, hint: String? = nil, kind: Kind
    ) {
        self.mark = mark
        self.path = path
        self.message = message
        self.expected = expected
        self.hint = hint
        self.kind = kind
    }

    /// The message the API returns in its `invalid_request` envelope.
    public var apiMessage: String {
        if kind == .missingRequiredField { return "The '\(path)' field is required" }
        var text = "Invalid '\(path)': \(message)"
        if let expected { text += " (expected \(expected))" }
        return text
    }

    /// Places the issue in a file as a diagnostic; long source lines are clipped around the column.
    public func diagnostic(file: String, sourceLines: [Substring]) -> Diagnostic {
        let line = mark.line
        let source = line >= 1 && line <= sourceLines.count ? sourceLines[line - 1] : nil
        return diagnostic(file: file, excerpt: source.map { SourceExcerpt(line: $0, column: mark.column) })
    }

    /// Places the issue in a file as a diagnostic showing `excerpt` of its line.
    public func diagnostic(file: String, excerpt: SourceExcerpt?) -> Diagnostic {
        Diagnostic(
            file: file, line: mark.line, column: mark.column, keyPath: path, message: message, expected: expected,
            hint: hint, sourceLine: excerpt?.text, caretColumn: excerpt?.caretColumn)
    }
}
