import Logging
import ROMACore
import ROMAEngine
import ServiceLifecycle

/// Writes the in-memory request counts (`UsageCounter`) to the store every `interval`, whenever
/// the counter asks (a key reached half a batch), and once more on graceful shutdown, after the
/// HTTP server has stopped taking requests.
struct UsageFlushService: Service {
    let counter: UsageCounter
    let interval: Duration
    let sleeper: any Sleeper
    let clock: any WallClock
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                group.addTask {
                    while (try? await sleeper.sleep(for: interval)) != nil { counter.requestFlush() }
                }
                // Ends when graceful shutdown cancels this task.
                for await _ in counter.flushRequests { await flush() }
                group.cancelAll()
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
