import Logging
import ROMACore
import ROMAEngine
import ServiceLifecycle

/// Writes the in-memory request counts (`UsageCounter`) to the store every `interval`, and once
/// more on graceful shutdown, after the HTTP server has stopped taking requests.
struct UsageFlushService: Service {
    let counter: UsageCounter
    let interval: Duration
    let sleeper: any Sleeper
    let clock: any WallClock
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await sleeper.sleep(for: interval)
                } catch {
                    break
                }
                await flush()
            }
        }
        await flush()
    }

    private func flush() async {
        do {
            try await counter.flush(today: RateLimitWindow(now: clock.date(), limit: 0).day)
        } catch {
            logger.error("writing request counts failed; kept for the next attempt", metadata: ["error": "\(error)"])
        }
    }
}
