import Logging
import ROMACore
import ROMAEngine
import ServiceLifecycle

/// The execution side of the server as a `Service`: it resumes interrupted executions before the
/// server accepts requests, and runs the executions, the webhook deliveries (each a service with
/// its own task group) and the lease heartbeat until graceful shutdown stops the engines and
/// pending webhooks.
struct ExecutionService: Service {
    let store: any ExecutionStore
    let runner: ExecutionRunner
    let webhooks: WebhookDispatcher
    let clock: any WallClock
    let logger: Logger
    /// issue-16: how often leases are renewed and lapsed ones claimed.
    let heartbeat: Duration
    let sleeper: any Sleeper

    func run() async throws {
        await withDiscardingTaskGroup { group in
            group.addTask { await runner.run() }
            group.addTask { await webhooks.run() }
            group.addTask {
                await cancelWhenGracefulShutdown { await beat() }
            }
        }
    }

    /// issue-16: renews this replica's leases and claims lapsed ones every `heartbeat`.
    private func beat() async {
        while !Task.isCancelled {
            do {
                try await sleeper.sleep(for: heartbeat)
            } catch {
                return
            }
            do {
                try await runner.heartbeat()
            } catch is CancellationError {
                return
            } catch {
                logger.warning("lease heartbeat failed; retrying", metadata: ["error": "\(error)"])
            }
        }
    }

    /// Takes the executions a previous process left `running`: on a store of its own (SQLite)
    /// every one of them at once; on a shared store (PostgreSQL) those whose lease has lapsed.
    /// Either way their journaled model calls are replayed, not made again.
    func resumeInterrupted() async throws {
        try await runner.claim(includingLive: !store.isShared)
    }
}
