import Foundation

/// The results tree cannot be written: the output cannot be created, or a write failed.
///
/// It renders itself as one line with the path and the cause (`cannot write …/summary.json:
/// No space left on device`), and its code picks the exit status: 73 (EX_CANTCREAT) when the
/// output folder cannot be created, 74 (EX_IOERR) when writing into it fails.
public struct ResultsTreeError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of failure it is.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: Sendable, Hashable {
            case cannotCreate, io
        }
        private let base: Base

        /// The output folder (or the tree's lock) cannot be created: exit 73.
        public static let cannotCreate = Code(base: .cannotCreate)
        /// Writing into the tree failed (disk full, read-only, permission, I/O): exit 74.
        public static let io = Code(base: .io)

        public var description: String { base == .cannotCreate ? "cannot create" : "I/O error" }
    }

    public var code: Code
    /// What was being done: `create`, `write`, `rename`, `sync`, `lock`.
    public var operation: String
    /// The path it was done to.
    public var path: String
    /// The system error number.
    public var errorNumber: Int32

    /// Creates an error.
    public init(_ code: Code, operation: String, path: String, errorNumber: Int32) {
        self.code = code
        self.operation = operation
        self.path = path
        self.errorNumber = errorNumber
    }

    /// The system's text for the error number (`No space left on device`).
    public var cause: String { String(cString: strerror(errorNumber)) }

    public var description: String { "cannot \(operation) \(path): \(cause)" }
}
