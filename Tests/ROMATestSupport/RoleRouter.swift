import ROMAEngine

/// A mock-server script that answers as the engine's four agents, one closure per role.
///
/// The role is read from the `[roma:…]` tag that starts every system prompt, so a test scripts a
/// tree by saying what the atomizer decides, what the planner plans, and what executors and
/// aggregators answer for each task.
public struct RoleRouter: Sendable {
    /// The reply to one agent's request.
    public typealias Answer = @Sendable (MockChatRequest) async -> MockReply

    /// Answers `[roma:atomizer]` requests.
    public var atomizer: Answer
    /// Answers `[roma:planner]` requests.
    public var planner: Answer
    /// Answers `[roma:executor:TYPE]` requests.
    public var executor: Answer
    /// Answers `[roma:aggregator]` requests.
    public var aggregator: Answer

    /// Creates a router; by default every task is executed and answered with `result of <task>`.
    public init(
        atomizer: @escaping Answer = { _ in .execute },
        planner: @escaping Answer = { _ in .plan([MockSubtask("first part"), MockSubtask("second part", dependencies: [0])]) },
        executor: @escaping Answer = { .text("result of \($0.currentTask)") },
        aggregator: @escaping Answer = { .text("combined \($0.currentTask)") }
    ) {
        self.atomizer = atomizer
        self.planner = planner
        self.executor = executor
        self.aggregator = aggregator
    }

    /// The script to give `MockOpenAIServer.withServer`.
    public var script: MockOpenAIServer.Script {
        let router = self
        return { request in
            switch request.role {
            case .atomizer: await router.atomizer(request)
            case .planner: await router.planner(request)
            case .executor: await router.executor(request)
            case .aggregator: await router.aggregator(request)
            case nil: .status(400, body: #"{"error": {"message": "no [roma:…] tag in the system prompt"}}"#)
            }
        }
    }
}
