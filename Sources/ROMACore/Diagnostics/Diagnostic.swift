import ROMAYAML

/// One problem found in an input file, located like a compiler diagnostic.
public struct Diagnostic: Sendable, Hashable, Codable {
    /// How serious the problem is.
    public enum Severity: String, Sendable, Hashable, Codable {
        case error, warning
    }

    /// The file the problem is in, as the user named it.
    public var file: String
    /// 1-based line (0 when the problem is about the whole file).
    public var line: Int
    /// 1-based column (0 when unknown).
    public var column: Int
    /// Severity.
    public var severity: Severity
    /// The key path of the offending value, e.g. `goals[1].max_depth`; empty for syntax errors.
    public var keyPath: String
    /// What is wrong.
    public var message: String
    /// What was expected, if that can be said.
    public var expected: String?
    /// A suggestion such as `did you mean 'max_depth'?`.
    public var hint: String?
    /// The source line the problem is on, for the caret display; a line longer than
    /// `SourceExcerpt.maxWidth` is clipped to a window around the column, with "…" where text was cut.
    public var sourceLine: String?
    /// The 1-based column (in Unicode scalars) of the located character within `sourceLine` when
    /// that is a clipped excerpt; `nil` when `sourceLine` is the whole line and `column` applies.
    public var caretColumn: Int?

    /// Creates a diagnostic.
    public init(
        file: String, line: Int, column: Int, severity: Severity = .error, keyPath: String, message: String,
        expected: String? = nil, hint: String? = nil, sourceLine: String? = nil, caretColumn: Int? = nil
    ) {
        self.file = file
        self.line = line
        self.column = column
        self.severity = severity
        self.keyPath = keyPath
        self.message = message
        self.expected = expected
        self.hint = hint
        self.sourceLine = sourceLine
        self.caretColumn = caretColumn
    }

    enum CodingKeys: String, CodingKey {
        case file, line, column, severity, message, expected, hint
        case keyPath = "key_path"
        case sourceLine = "source_line"
        case caretColumn = "caret_column"
    }

    /// The one-line summary: `file:line:col: error: key.path: what is wrong (expected …)`.
    public var headline: String {
        var text = "\(file):\(line):\(column): \(severity.rawValue): "
        if !keyPath.isEmpty { text += "\(keyPath): " }
        text += message
        if let expected { text += " (expected \(expected))" }
        if let hint { text += "; \(hint)" }
        return text
    }

    /// The headline followed by the source line and a caret under the column, like a compiler
    /// (under `caretColumn` when the line shown is a clipped excerpt).
    public func rendered() -> String {
        guard let sourceLine, line > 0 else { return headline }
        let gutter = String(line)
        let pad = String(repeating: " ", count: gutter.count)
        let visible = sourceLine.replacingTabs()
        let prefix = sourceLine.unicodeScalars.prefix(max(0, (caretColumn ?? column) - 1))
        var caretColumn = 0
        for scalar in prefix { caretColumn += scalar == "\t" ? 4 : 1 }
        return """
            \(headline)
            \(gutter) | \(visible)
            \(pad) | \(String(repeating: " ", count: caretColumn))^
            """
    }
}

extension String {
    fileprivate func replacingTabs() -> String {
        var out = ""
        for c in unicodeScalars { if c == "\t" { out += "    " } else { out.unicodeScalars.append(c) } }
        return out
    }
}
