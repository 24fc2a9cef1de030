import NIOCore
import NIOPosix

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Where a batch's Swift tasks run: on the event loops that carry its model calls.
///
/// By default Swift runs tasks on its own cooperative pool, and every model call crosses threads
/// twice: the request is handed from a pool thread to the HTTP client's event loop, and the answer
/// resumes the waiting task on a pool thread again, each time a wake-up of a sleeping thread
/// (`futex`) and a context switch. With NIO's event-loop group as Swift's global executor, a task
/// stays on the event loop whose socket answered it: no crossing, no wake-up.
///
/// The jobs run as Swift's own global executor runs them: on the *generic* executor. swift-nio's
/// `NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor` runs
/// each job on the loop's serial executor instead, which the Swift runtime treats like an actor's:
/// no job may switch executors in place, so every hop back to the generic executor (the start of
/// each nonisolated `async` function, each return from an actor) was a new job, queued on the loop
/// and run later — 26 jobs per model call in `roma-bench scale`, counted with a uprobe on
/// `swift_task_enqueueGlobal`. Run on the generic executor, those hops continue in place
/// (`swift_task_switch` finds nothing to switch), and an actor call runs in place when the actor
/// is free. This is the one reason for hand-writing what swift-nio offers; `ROMA_EXECUTOR=nio`
/// installs swift-nio's version, for comparison.
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
        switch environment["ROMA_EXECUTOR"] {
        case "swift": return false
        case "nio": return NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        default: return installHook()
        }
    }

    /// The runtime's hook for `swift_task_enqueueGlobal`, as swift-nio declares it.
    private typealias EnqueueGlobalHook = @convention(thin) (UnownedJob, @convention(thin) (UnownedJob) -> Void) -> Void

    /// Sets the runtime's `swift_task_enqueueGlobal_hook` (once; false if it is missing or already
    /// set): each job goes to the current event loop (another one if called off the loops), which
    /// runs it on the generic executor.
    private static func installHook() -> Bool {
        // The hook's signature is the runtime's, not a public API: the toolchains swift-nio's
        // install accepts (it checks the same thing), otherwise Swift's own pool.
        #if compiler(<6.6)
            guard let slot = dlsym(dlopen(nil, RTLD_NOW), "swift_task_enqueueGlobal_hook") else { return false }
            let hook: EnqueueGlobalHook = { job, _ in
                // `any()` is the loop of the calling thread when that is one of the group's.
                MultiThreadedEventLoopGroup.singleton.any().execute { runJob(job, genericExecutor) }
            }
            return withUnsafeBytes(of: hook) { bytes in
                let function = bytes.load(as: UnsafeRawPointer.self)
                let pointer = slot.assumingMemoryBound(to: UnsafeRawPointer?.self)
                guard pointer.pointee == nil else { return false }
                pointer.pointee = function
                return true
            }
        #else
            return false
        #endif
    }
}

/// The runtime's entry point for running a job on an executor (what `UnownedJob.runSynchronously`
/// calls, with a serial executor of the caller's choosing).
@_silgen_name("swift_job_run")
private func runJob(_ job: UnownedJob, _ executor: UnownedSerialExecutor)

/// The runtime's generic executor: a null identity, no implementation (`SerialExecutorRef::generic()`).
private let genericExecutor = unsafeBitCast((UInt(0), UInt(0)), to: UnownedSerialExecutor.self)
