import NIOCore
import NIOPosix

/// Where a batch's Swift tasks run: on the event loops that carry its model calls.
///
/// By default Swift runs tasks on its own cooperative pool, and every model call crosses threads
/// twice: the request is handed from a pool thread to the HTTP client's event loop, and the answer
/// resumes the waiting task on a pool thread again, each time a wake-up of a sleeping thread
/// (`futex`) and a context switch. With NIO's event-loop group installed as Swift's global
/// executor, a task stays on the event loop whose socket answered it: no crossing, no wake-up —
/// 6 % less CPU per model call in `roma-bench scale` (medians of 3 runs, alternating).
///
/// Blocking work never runs there: goal folders are written on threads of their own
/// (`DiskWork`), the summary ledger's lock is taken on a dispatch thread, and MCP servers' pipes
/// are read by dispatch sources.
///
/// Only for batches that wait on the network: a task stays on the loop that last ran it, so a
/// CPU-bound batch (a replay, the offline model) would run on one thread; those keep Swift's pool.
///
/// `ROMA_EXECUTOR=swift` keeps Swift's own pool (for comparison, or a platform where the hook is
/// missing — there `install` does nothing and returns false).
public enum BatchExecutor {
    /// Installs the event loops as the global executor, unless `ROMA_EXECUTOR=swift`.
    /// Call once, before the first task starts, from the main thread.
    @discardableResult
    public static func install(environment: [String: String]) -> Bool {
        guard environment["ROMA_EXECUTOR"] != "swift" else { return false }
        return NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
    }
}
