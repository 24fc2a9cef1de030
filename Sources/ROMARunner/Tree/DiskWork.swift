import Dispatch

/// Runs blocking file-system work (a goal folder's writes and their wait for the disk) on
/// threads of its own instead of Swift's cooperative pool.
///
/// The pool has one thread per core; a goal that waits there for `fsync` or `syncfs` holds a
/// thread every other goal's model calls need, and with two cores two such waits stall the whole
/// batch. The queue below gets a thread for each piece of work in flight (at most one per goal
/// running), so waits for the disk overlap each other and the model calls.
enum DiskWork {
    private static let queue = DispatchQueue(label: "roma.results-tree", attributes: .concurrent)

    /// Runs `body` on the queue and returns its result.
    static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result(catching: body)) }
        }
    }
}
