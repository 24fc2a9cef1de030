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
    static func cancellingOnSignals<T: Sendable>(_ flag: InterruptFlag, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let task = Task { try await body() }
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
                FileHandle.standardError.write(Data("\ninterrupted: stopping; finished goals are kept (Ctrl-C again to quit at once)\n".utf8))
                task.cancel()
            }
            source.resume()
            sources.append(source)
        }
        defer { sources.forEach { $0.cancel() } }
        return try await task.value
    }
}
