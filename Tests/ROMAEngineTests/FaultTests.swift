import Foundation
import ROMACore
import ROMAEngine
import ROMATestSupport
import Testing

/// Provider faults: each is retried by `ResilientModel` and recovered from, or fails the node cleanly.
@Suite("Provider faults over the mock OpenAI server")
struct FaultTests {
    /// A fault the mock injects, and what the client should make of it.
    struct Fault: Sendable, CustomTestStringConvertible {
        var name: String
        var reply: MockReply
        /// A fragment of the error message once retries are exhausted.
        var message: String
        var testDescription: String { name }
    }

    static let faults: [Fault] = [
        Fault(name: "429 with Retry-After", reply: .rateLimited(retryAfter: "7"), message: "HTTP 429"),
        Fault(name: "500", reply: .serverError(), message: "HTTP 500"),
        Fault(name: "503", reply: .serverError(status: 503), message: "HTTP 503"),
        Fault(name: "timeout", reply: .hang, message: "no answer from"),
        Fault(name: "body stalled mid-stream", reply: .stalled("a complete answer"), message: "no answer from"),
        Fault(name: "invalid JSON", reply: .invalidJSON(), message: "not a chat completion"),
        Fault(name: "HTML error page", reply: .invalidJSON("<html><body>Bad gateway</body></html>"), message: "not a chat completion"),
        Fault(name: "truncated body", reply: .truncated("a complete answer"), message: "request to http"),
    ]

    /// The client timeout: long enough for a loaded machine, short enough for the timeout fault.
    static let timeout: Duration = .seconds(2)

    /// Root → A, B (independent); B's executor gets `fault` for its first `failures` attempts.
    static func script(fault: MockReply, failures: Int, attempts: Counter) -> MockOpenAIServer.Script {
        RoleRouter(
            atomizer: { $0.depth == 0 ? .plan : .execute },
            planner: { _ in .plan([MockSubtask("A"), MockSubtask("B")]) },
            executor: { request in
                guard request.currentTask == "B" else { return .text("RESULT[A]") }
                return attempts.next() < failures ? fault : .text("RESULT[B]")
            },
            aggregator: { _ in .text("done") }
        ).script
    }

    @Test("a fault is retried and recovered from", arguments: faults)
    func recovers(fault: Fault) async throws {
        let attempts = Counter()
        try await MockOpenAIServer.withServer(Self.script(fault: fault.reply, failures: 1, attempts: attempts)) { server in
            var harness = EngineHarness(server)
            harness.timeout = Self.timeout
            let record = await harness.run("Root", maxDepth: 2)
            #expect(record.status == .completed, "\(record.error?.message ?? "")")
            #expect(record.result == "done")
            #expect(record.node("node_0_2")?.output == "RESULT[B]")
            #expect(server.journal.requests(forTask: "B").filter(\.isExecutor).count == 2)
            // One backoff, never slept for real; a failed attempt leaves no call record.
            #expect(harness.sleeper.delays.count == 1, "\(harness.retried.all)")
            #expect(record.calls.count == 7)
            #expect(record.node("node_0_2")?.llmCalls == 2)
        }
    }

    @Test("a body that stalls mid-stream times out within the call's timeout", .timeLimit(.minutes(1)))
    func stalledBody() async throws {
        let attempts = Counter()
        try await MockOpenAIServer.withServer(Self.script(fault: .stalled("RESULT[B]"), failures: 1, attempts: attempts)) { server in
            var harness = EngineHarness(server)
            harness.timeout = Self.timeout
            let started = ContinuousClock.now
            let record = await harness.run("Root", maxDepth: 2)
            let elapsed = ContinuousClock.now - started
            #expect(record.status == .completed, "\(record.error?.message ?? "")")
            #expect(harness.retried.all.map(\.code) == [.timeout])
            // The stall is cut at the call's timeout, not at the HTTP client's idle read timeout (90 s).
            // Generous for loaded CI machines, and still far below 90 s.
            #expect(elapsed < .seconds(45), "took \(elapsed)")
        }
    }

    @Test("a 429's Retry-After is the backoff, as seconds or capped at the policy's maximum")
    func retryAfter() async throws {
        for (header, expected) in [("7", Duration.seconds(7)), ("0.25", .milliseconds(250)), ("120", .seconds(30))] {
            let attempts = Counter()
            try await MockOpenAIServer.withServer(Self.script(fault: .rateLimited(retryAfter: header), failures: 2, attempts: attempts)) {
                server in
                let harness = EngineHarness(server)
                let record = await harness.run("Root", maxDepth: 2)
                #expect(record.status == .completed)
                #expect(harness.sleeper.delays == [expected, expected], "Retry-After: \(header)")
            }
        }
    }

    @Test("a Retry-After given as an HTTP date waits until that date")
    func retryAfterDate() async throws {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        let header = formatter.string(from: Date().addingTimeInterval(3600))
        let attempts = Counter()
        try await MockOpenAIServer.withServer(Self.script(fault: .rateLimited(retryAfter: header), failures: 1, attempts: attempts)) {
            server in
            var harness = EngineHarness(server)
            harness.policy = RetryPolicy(maxAttempts: 4, maxDelay: .seconds(7200))
            let record = await harness.run("Root", maxDepth: 2)
            #expect(record.status == .completed)
            let delay = try #require(harness.sleeper.delays.first)
            // An hour ahead in whole seconds; a loaded machine may take a while to read the answer.
            #expect(delay > .seconds(3540), "Retry-After: \(header) → \(delay)")
            #expect(delay <= .seconds(3600), "Retry-After: \(header) → \(delay)")
        }
    }

    @Test("without Retry-After the backoff grows exponentially with jitter")
    func exponentialBackoff() async throws {
        let attempts = Counter()
        try await MockOpenAIServer.withServer(Self.script(fault: .serverError(), failures: 3, attempts: attempts)) { server in
            var harness = EngineHarness(server)
            harness.policy = RetryPolicy(maxAttempts: 4, baseDelay: .milliseconds(100), maxDelay: .seconds(10))
            let record = await harness.run("Root", maxDepth: 2)
            #expect(record.status == .completed)
            let delays = harness.sleeper.delays
            #expect(delays.count == 3)
            for (attempt, delay) in delays.enumerated() {
                let ceiling = Duration.milliseconds(100) * (1 << attempt)
                #expect(delay >= ceiling / 2 && delay <= ceiling, "attempt \(attempt + 1): \(delay)")
            }
        }
    }

    @Test("a fault that persists fails the node after the retry limit, naming its path", arguments: faults)
    func givesUp(fault: Fault) async throws {
        let attempts = Counter()
        try await MockOpenAIServer.withServer(Self.script(fault: fault.reply, failures: .max, attempts: attempts)) { server in
            var harness = EngineHarness(server)
            harness.timeout = Self.timeout
            harness.policy = RetryPolicy(maxAttempts: 3)
            let record = await harness.run("Root", maxDepth: 2)
            #expect(record.status == .failed)
            let error = try #require(record.error)
            #expect(error.code == .nodeFailed)
            #expect(error.nodeID == "node_0_2")
            #expect(error.message.contains("node_0 › node_0_2"))
            #expect(error.message.contains("(\"B\")"))
            #expect(error.message.contains(fault.message), "\(error.message)")
            #expect(error.message.contains("gave up after 3 attempts"))
            #expect(error.isTemporary == (fault.message != "not a chat completion"))
            #expect(server.journal.requests(forTask: "B").filter(\.isExecutor).count == 3)
            #expect(harness.sleeper.delays.count == 2)
            #expect(record.result == nil)

            // The partial DAG is kept: the failing node and the root are failed, with the error.
            #expect(record.node("node_0_2")?.status == .failed)
            #expect(record.node("node_0_2")?.error == error.message)
            #expect(record.node("node_0")?.status == .failed)
            #expect(record.dag.stats.failedNodes == 2)
            #expect(record.details.error?.details == .object(["node_id": .string("node_0_2")]))
        }
    }

    @Test("a failing node cancels its running siblings and the execution fails with its error", .timeLimit(.minutes(1)))
    func failureCancelsSiblings() async throws {
        let router = RoleRouter(
            atomizer: { $0.depth == 0 ? .plan : .execute },
            planner: { _ in .plan([MockSubtask("A"), MockSubtask("B"), MockSubtask("C", dependencies: [0, 1])]) },
            executor: { $0.currentTask == "A" ? .hang : .serverError() })
        try await MockOpenAIServer.withServer(router.script) { server in
            var harness = EngineHarness(server)
            harness.timeout = .seconds(120)  // only cancellation can end A's call
            harness.policy = RetryPolicy(maxAttempts: 2)
            let record = await harness.run("Root", maxDepth: 2)
            #expect(record.status == .failed)
            #expect(record.error?.code == .nodeFailed)
            #expect(record.error?.nodeID == "node_0_2")
            #expect(record.node("node_0_1")?.status == .cancelled)
            #expect(record.node("node_0_2")?.status == .failed)
            #expect(record.node("node_0_3")?.status == .pending)
            #expect(record.node("node_0")?.status == .failed)
            #expect(server.journal.requests(forTask: "C").isEmpty)
        }
    }

    @Test("a request the provider refuses (401) is not retried")
    func unauthorizedIsNotRetried() async throws {
        let attempts = Counter()
        let refusal = MockReply.status(401, body: #"{"error": {"message": "Incorrect API key provided"}}"#)
        try await MockOpenAIServer.withServer(Self.script(fault: refusal, failures: .max, attempts: attempts)) { server in
            let harness = EngineHarness(server)
            let record = await harness.run("Root", maxDepth: 2)
            #expect(record.status == .failed)
            #expect(record.error?.nodeID == "node_0_2")
            #expect(record.error?.isTemporary == false)
            #expect(record.error?.message.contains("Incorrect API key provided") == true)
            #expect(record.error?.message.contains("sk-test-secret") == false)
            #expect(server.journal.requests(forTask: "B").filter(\.isExecutor).count == 1)
            #expect(harness.sleeper.delays.isEmpty)
        }
    }
}

/// A thread-safe counter for scripts that fail only their first attempts.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0

    /// Returns the current value, then increments it.
    func next() -> Int {
        lock.withLock {
            defer { value += 1 }
            return value
        }
    }
}
