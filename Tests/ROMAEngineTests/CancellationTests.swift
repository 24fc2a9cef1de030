import Foundation
import ROMACore
import ROMAEngine
import ROMATestSupport
import Testing

/// Cancelling a running execution stops all its work promptly and records it as cancelled.
@Suite("Cancellation")
struct CancellationTests {
    /// Root → A, B, C (independent) → D; the executors of A, B and C never answer.
    static let stuck = RoleRouter(
        atomizer: { $0.depth == 0 ? .plan : .execute },
        planner: { _ in .plan([MockSubtask("A"), MockSubtask("B"), MockSubtask("C"), MockSubtask("D", dependencies: [0, 1, 2])]) },
        executor: { _ in .hang })

    @Test("cancelling mid-run while the provider holds requests returns promptly with status cancelled")
    func cancelWhileHeld() async throws {
        try await MockOpenAIServer.withServer(Self.stuck.script) { server in
            var harness = EngineHarness(server)
            harness.timeout = .seconds(120)  // only cancellation can end the held calls
            // Two slots for three executors: one call also waits in the limiter when cancelled.
            let limiter = CallLimiter(limit: 2)
            harness.limiter = limiter
            let engine = harness.engine
            let record = try await withThrowingTaskGroup(of: ExecutionRecord.self) { group in
                group.addTask { await engine.run(resolved("Root", maxDepth: 2)) }
                await server.journal.waitForHeld(2)
                let cancelledAt = ContinuousClock.now
                group.cancelAll()
                let record = try #require(try await group.next())
                #expect(ContinuousClock.now - cancelledAt < .seconds(10), "the engine did not stop promptly")
                return record
            }
            let sent = server.journal.count
            #expect(record.status == .cancelled)
            #expect(record.error?.code == .cancelled)
            #expect(record.result == nil)
            #expect(record.node("node_0")?.status == .cancelled)
            #expect(record.node("node_0_4")?.status == .pending)
            let executors = ["node_0_1", "node_0_2", "node_0_3"].compactMap { record.node($0)?.status }
            #expect(executors == [.cancelled, .cancelled, .cancelled])
            // Held executors never produced a call record; nothing was retried.
            #expect(record.calls.allSatisfy { $0.purpose != "execute" })
            #expect(harness.sleeper.delays.isEmpty)
            #expect(server.journal.executorRequests.count == 2)
            #expect(sent == 7)  // root atomize + plan, three child atomizers, two held executors
            // The limiter is left clean: both slots are free again.
            try await limiter.acquire()
            try await limiter.acquire()
            limiter.release()
            limiter.release()
            #expect(limiter.peak == 2)
        }
    }

    @Test("cancelling during a retry backoff stops without another attempt")
    func cancelDuringBackoff() async throws {
        let router = RoleRouter(executor: { _ in .serverError() })
        try await MockOpenAIServer.withServer(router.script) { server in
            let gate = BackoffGate()
            let model = ResilientModel(
                OpenAIModel(configuration: .init(baseURL: server.baseURL.absoluteString)), policy: RetryPolicy(maxAttempts: 5),
                sleeper: gate)
            let engine = ExecutionEngine(model: model)
            let record = try await withThrowingTaskGroup(of: ExecutionRecord.self) { group in
                group.addTask { await engine.run(resolved("Root", maxDepth: 1)) }
                await gate.waitForSleepers(1)
                group.cancelAll()
                return try #require(try await group.next())
            }
            #expect(record.status == .cancelled)
            #expect(server.journal.executorRequests.count == 1)
        }
    }
}

/// A sleeper that blocks until cancelled, and lets a test wait until someone is sleeping.
final class BackoffGate: Sleeper, @unchecked Sendable {
    private let lock = NSLock()
    private var sleeping = 0
    private var waiters: [(Int, CheckedContinuation<Void, Never>)] = []

    func waitForSleepers(_ count: Int) async {
        await withCheckedContinuation { continuation in
            lock.withLock {
                if sleeping >= count { continuation.resume() } else { waiters.append((count, continuation)) }
            }
        }
    }

    func sleep(for duration: Duration) async throws {
        lock.withLock {
            sleeping += 1
            waiters.removeAll { count, continuation in
                guard sleeping >= count else { return false }
                continuation.resume()
                return true
            }
        }
        // Suspends until the task is cancelled; an AsyncStream that never yields is cancellation-aware.
        let (stream, _) = AsyncStream.makeStream(of: Void.self)
        for await _ in stream {}
        try Task.checkCancellation()
    }
}
