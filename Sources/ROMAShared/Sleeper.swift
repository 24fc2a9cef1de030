/// Waits for a duration; injected so retry tests never sleep for real.
public protocol Sleeper: Sendable {
    /// Suspends for `duration` (or throws `CancellationError` when cancelled).
    func sleep(for duration: Duration) async throws
}

/// The real clock.
public struct ContinuousSleeper: Sleeper {
    /// Creates the sleeper.
    public init() {}

    public func sleep(for duration: Duration) async throws {
        try await ContinuousClock().sleep(for: duration)
    }
}
