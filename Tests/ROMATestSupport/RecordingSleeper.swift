import Foundation
import ROMAEngine

/// A `Sleeper` that returns at once and records every delay it was asked for, so retry tests
/// never wait for backoff yet can check it.
public final class RecordingSleeper: Sleeper, @unchecked Sendable {
    private let lock = NSLock()
    private var recorded: [Duration] = []

    /// Creates the sleeper.
    public init() {}

    /// Every delay asked for, in order.
    public var delays: [Duration] { lock.withLock { recorded } }

    public func sleep(for duration: Duration) async throws {
        lock.withLock { recorded.append(duration) }
        try Task.checkCancellation()
    }
}

/// A wall clock stuck at one instant, so two runs of the same request give identical timestamps.
public struct FixedWallClock: WallClock {
    private let instant = ContinuousClock.now
    private let fixedDate: Date

    /// Creates the clock.
    public init(date: Date = Date(timeIntervalSince1970: 1_750_000_000)) {
        self.fixedDate = date
    }

    public func now() -> ContinuousClock.Instant { instant }
    public func date() -> Date { fixedDate }
}
