import Foundation
import ROMATools
import UnixSignals

/// Set once when the user interrupts the run.
final class InterruptFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
}

/// Turns SIGINT and SIGTERM into cancellation of the work, so it stops promptly and cleanly.
///
/// The signals come from ServiceLifecycle's `UnixSignalsSequence`; the work and the listener
/// are children of one task group.
enum SignalTrap {
    static func cancellingOnSignals<T: Sendable>(
        _ flag: InterruptFlag, _ body: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        // The handlers are in place before the work starts: a signal that came between the two
        // would otherwise find the default action and kill the process instead of stopping it.
        let signals = await UnixSignalsSequence(trapping: .sigint, .sigterm)
        let (firstSignal, firstSignalSink) = AsyncStream.makeStream(of: Void.self)
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                for await _ in signals {
                    if flag.isSet {
                        // A second Ctrl-C: stop at once (files are written atomically, so nothing is half-written),
                        // taking the tool servers along: no orderly stop, and still no orphan.
                        ToolServerProcesses.killAll()
                        exit(130)
                    }
                    flag.set()
                    FileHandle.standardError.write(
                        Data("\ninterrupted: stopping; finished goals are kept (Ctrl-C again to quit at once)\n".utf8))
                    firstSignalSink.yield()
                }
                return nil
            }
            group.addTask { try await cancellingOnFirstSignal(firstSignal, body) }
            while let result = try await group.next() {
                if let value = result {
                    group.cancelAll()  // stops the listener
                    return value
                }
            }
            throw CancellationError()
        }
    }

    /// Runs `body`, cancelling it when `firstSignal` yields.
    private static func cancellingOnFirstSignal<T: Sendable>(
        _ firstSignal: AsyncStream<Void>, _ body: @escaping @Sendable () async throws -> T
    ) async throws -> T? {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await body() }
            group.addTask {
                for await _ in firstSignal { break }
                return nil
            }
            while let result = try await group.next() {
                group.cancelAll()  // the work on a signal, or the signal waiter once the work is done
                if let value = result { return value }
            }
            return nil
        }
    }
}
