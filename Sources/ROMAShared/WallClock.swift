import Foundation

/// The current time; injected so tests and replays control it.
public protocol WallClock: Sendable {
    /// Now.
    func now() -> ContinuousClock.Instant
    /// Now, as a date.
    func date() -> Date
}

/// The system clock.
public struct SystemWallClock: WallClock {
    /// Creates the clock.
    public init() {}
    public func now() -> ContinuousClock.Instant { ContinuousClock.now }
    public func date() -> Date { Date() }
}
