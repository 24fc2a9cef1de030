import Logging
import ROMACore
import ROMAEngine
import ServiceLifecycle

/// The execution side of the server as a `Service`: it resumes interrupted executions before the
/// server accepts requests, and on graceful shutdown stops the engines and pending webhooks.
struct ExecutionService: Service {
    let store: any ExecutionStore
    let runner: ExecutionRunner
    let webhooks: WebhookDispatcher
    let clock: any WallClock
    let logger: Logger

    func run() async throws {
        try? await gracefulShutdown()
        await runner.shutdown()
        await webhooks.shutdown()
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
