import Dispatch
import Foundation

/// Set once when the user interrupts the run.
final class InterruptFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
}

/// Turns SIGINT and SIGTERM into cancellation of the work, so it stops promptly and cleanly.
enum SignalTrap {
    static func cancellingOnSignals<T: Sendable>(
        _ flag: InterruptFlag, _ body: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        // The handlers are in place before the work starts: a signal that came between the two
        // would otherwise find the default action and kill the process instead of stopping it.
        let work = CancellationHandle()
        var sources: [DispatchSourceSignal] = []
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler {
                if flag.isSet {
                    // A second Ctrl-C: stop at once (files are written atomically, so nothing is half-written).
                    exit(130)
                }
                flag.set()
                FileHandle.standardError.write(
                    Data("\ninterrupted: stopping; finished goals are kept (Ctrl-C again to quit at once)\n".utf8))
                work.cancel()
            }
            source.resume()
            sources.append(source)
        }
        defer { for source in sources { source.cancel() } }
        let task = Task { try await body() }
        work.attach { task.cancel() }
        return try await task.value
    }
}

/// Cancels the work once it is attached, or at once when cancellation was asked for before.
private final class CancellationHandle: @unchecked Sendable {
    private let lock = NSLock()
    private var cancelled = false
    private var action: (@Sendable () -> Void)?

    func attach(_ cancel: @escaping @Sendable () -> Void) {
        let already = lock.withLock {
            action = cancel
            return cancelled
        }
        if already { cancel() }
    }

    func cancel() {
        let action = lock.withLock {
            cancelled = true
            return self.action
        }
        action?()
    }
}
