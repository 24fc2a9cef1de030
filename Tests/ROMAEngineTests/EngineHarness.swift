import Foundation
import ROMACore
import ROMAEngine
import ROMATestSupport

/// Builds engines that talk to a mock server the way a real run does:
/// `ExecutionEngine` → `ResilientModel` (non-sleeping) → optional `LimitedModel` → `OpenAIModel`.
struct EngineHarness {
    var server: MockOpenAIServer
    var sleeper = RecordingSleeper()
    var formats = ResponseFormatNegotiator()
    var timeout: Duration = .seconds(30)
    var policy = RetryPolicy(maxAttempts: 4)
    var configuration = EngineConfiguration()
    var limiter: CallLimiter?
    /// The errors `ResilientModel` retried, in order.
    let retried = RetryLog()

    init(_ server: MockOpenAIServer) {
        self.server = server
    }

    var openAI: OpenAIModel {
        OpenAIModel(
            configuration: .init(baseURL: server.baseURL.absoluteString, apiKey: "sk-test-secret", timeout: timeout),
            formats: formats)
    }

    var model: any LanguageModel {
        let log = retried
        if let limiter {
            return ResilientModel(LimitedModel(openAI, limiter: limiter), policy: policy, sleeper: sleeper) { error, _, _ in
                log.append(error)
            }
        }
        return ResilientModel(openAI, policy: policy, sleeper: sleeper) { error, _, _ in log.append(error) }
    }

    var engine: ExecutionEngine { ExecutionEngine(model: model, configuration: configuration) }

    func run(_ goal: String, maxDepth: Int = 3, id: String = "goal") async -> ExecutionRecord {
        await engine.run(resolved(goal, maxDepth: maxDepth, id: id))
    }
}

/// A request resolved against a table that names the mock's model.
func resolved(_ goal: String, maxDepth: Int = 3, id: String = "goal") -> ResolvedRequest {
    ResolvedRequest(
        id: id, request: ExecutionRequest(goal: goal, maxDepth: maxDepth), profiles: ProfileTable(fallback: "mock-model"))
}

extension RequestJournal {
    /// The requests one agent sent.
    func requests(_ role: MockChatRequest.Role) -> [MockChatRequest] { all.filter { $0.role == role } }
    /// Every executor's requests.
    var executorRequests: [MockChatRequest] { all.filter(\.isExecutor) }
    /// The requests made for one task.
    func requests(forTask task: String) -> [MockChatRequest] { all.filter { $0.currentTask == task } }
}

extension ExecutionRecord {
    /// The DAG node with this id.
    func node(_ id: String) -> DAGNode? { dag.nodes.first { $0.id == id } }
}

/// Counts how many scripted replies are in progress at once (the server's view of concurrency).
final class ConcurrencyGauge: @unchecked Sendable {
    private let lock = NSLock()
    private var current = 0
    private var highest = 0

    /// The most replies that were ever in progress at once.
    var peak: Int { lock.withLock { highest } }

    func enter() {
        lock.withLock {
            current += 1
            highest = max(highest, current)
        }
    }

    func leave() { lock.withLock { current -= 1 } }
}

/// The errors a `ResilientModel` retried.
final class RetryLog: @unchecked Sendable {
    private let lock = NSLock()
    private var errors: [LLMError] = []

    /// Every retried error, in order.
    var all: [LLMError] { lock.withLock { errors } }

    func append(_ error: LLMError) { lock.withLock { errors.append(error) } }
}
