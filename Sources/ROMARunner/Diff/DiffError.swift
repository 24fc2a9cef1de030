/// Why `roma diff` could not compare two trees (exit 2): a missing folder or file, a file that
/// is not what roma writes, a revision git does not know.
public struct DiffError: Error, Sendable, Hashable, CustomStringConvertible {
    /// One line saying what and where.
    public var message: String

    /// Creates an error.
    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
