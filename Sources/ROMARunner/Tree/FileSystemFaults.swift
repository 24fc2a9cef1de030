/// Fault injection for the results tree's file-system calls (tests only).
///
/// The tree asks before each call; a non-nil answer is the `errno` the call fails with, and the
/// call is not made. `kill` stops there as a SIGKILL would: nothing after it happens, which is
/// how tests reach the states a killed run leaves.
public struct FileSystemFaults: Sendable {
    /// A call the tree is about to make.
    public enum Call: String, Sendable, Hashable {
        case makeDirectory, createFile, write, rename, exchange, remove
        /// Making written files durable (`fsync` or `syncfs`).
        case sync
        /// Making a folder's entries durable (`fsync` of the folder, after renames into it).
        case syncFolder
    }

    /// What happens to a call.
    public enum Fault: Sendable, Hashable {
        /// The call fails with this errno.
        case fail(Int32)
        /// The process "dies" just before the call: the tree throws `Killed` and makes no
        /// further call (callers in tests treat it as the end of the run).
        case kill
    }

    /// Thrown in place of a call when the fault is `.kill`.
    public struct Killed: Error, Sendable {}

    let decide: @Sendable (Call, String) -> Fault?

    /// Creates faults from a decision: the call and its path in, a fault or nil out.
    public init(_ decide: @escaping @Sendable (Call, String) -> Fault?) {
        self.decide = decide
    }
}
