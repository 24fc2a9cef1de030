/// A position in a YAML source: 1-based line and column, as editors count them.
public struct YAMLMark: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// 1-based line number.
    public var line: Int
    /// 1-based column number (in Unicode scalars, as libyaml counts them).
    public var column: Int

    /// Creates a mark from 1-based coordinates.
    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    /// A mark for values that did not come from YAML text (for example a JSON request body).
    public static let none = YAMLMark(line: 0, column: 0)

    public static func < (lhs: YAMLMark, rhs: YAMLMark) -> Bool {
        (lhs.line, lhs.column) < (rhs.line, rhs.column)
    }

    public var description: String { "\(line):\(column)" }
}
