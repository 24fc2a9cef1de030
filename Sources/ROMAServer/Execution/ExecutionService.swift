import Logging
import ROMACore
import ROMAEngine
import ServiceLifecycle

/// The execution side of the server as a `Service`: it resumes interrupted executions before the
/// server accepts requests, and runs the executions and the webhook deliveries (each a service
/// with its own task group) until graceful shutdown stops the engines and pending webhooks.
struct ExecutionService: Service {
    let store: any ExecutionStore
    let runner: ExecutionRunner
    let webhooks: WebhookDispatcher
    let clock: any WallClock
    let logger: Logger

    func run() async throws {
        await withDiscardingTaskGroup { group in
            group.addTask { await runner.run() }
            group.addTask { await webhooks.run() }
        }
    }

    /// Re-runs, from the start, every execution a previous process left `running`.
    func resumeInterrupted() async throws {
        let interrupted = try await store.runningExecutions()
        guard !interrupted.isEmpty else { return }
        logger.notice("resuming executions interrupted by the last stop", metadata: ["count": "\(interrupted.count)"])
        for execution in interrupted {
            try await store.markRestarted(id: execution.id, at: Timestamp.string(clock.date()))
            await runner.start(execution)
        }
    }
}
