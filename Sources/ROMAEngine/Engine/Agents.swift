import ROMACore
import Synchronization

/// Decides whether a task is executed directly or planned.
struct Atomizer {
    enum Decision { case execute, plan }

    static let schema = ResponseSchema(
        name: "atomizer_decision",
        schema: .object([
            "type": .string("object"),
            "properties": .object([
                "decision": .object(["type": .string("string"), "enum": .array([.string("EXECUTE"), .string("PLAN")])]),
                "reason": .object(["type": .string("string")]),
            ]),
            "required": .array([.string("decision")]),
        ]))

    func decide(_ task: TaskContext, caller: inout NodeCaller) async throws -> Decision {
        try await caller.structuredCall(
            purpose: "atomize",
            messages: [.system(Prompts.atomizerSystem), .user(Prompts.context(task))],
            schema: Self.schema
        ) { value throws(StructuredOutput.Failure) in
            if let decision = (value["decision"] ?? value["action"])?.stringValue?.uppercased() {
                if decision.hasPrefix("EXEC") || decision == "ATOMIC" { return .execute }
                if decision.hasPrefix("PLAN") { return .plan }
            }
            if case .bool(let atomic) = value["is_atomic"] ?? .null { return atomic ? .execute : .plan }
            throw .init(message: "the JSON must have \"decision\": \"EXECUTE\" or \"PLAN\"")
        }
    }
}

/// Splits a task into a DAG of subtasks.
struct Planner {
    var maxSubtasks: Int
    /// 2 where the task must be split (above `min_depth`); 1 lets a plan of one subtask through
    /// (it is executed directly).
    var minSubtasks = 1

    /// The plan's schema, built once per subtask range (every plan call of a run uses the same).
    var schema: ResponseSchema {
        let range = SubtaskRange(least: minSubtasks, most: maxSubtasks)
        if let built = Self.schemas.withLock({ $0[range] }) { return built }
        let schema = Self.schema(range)
        Self.schemas.withLock { $0[range] = schema }
        return schema
    }

    private struct SubtaskRange: Hashable {
        var least: Int
        var most: Int
    }

    private static let schemas = Mutex<[SubtaskRange: ResponseSchema]>([:])

    private static func schema(_ range: SubtaskRange) -> ResponseSchema {
        let (minSubtasks, maxSubtasks) = (range.least, range.most)
        let subtask: JSONValue = .object([
            "type": .string("object"),
            "properties": .object([
                "goal": .object(["type": .string("string")]),
                "task_type": .object(["type": .string("string"), "enum": .array(TaskType.plannable.map { .string($0.rawValue) })]),
                "dependencies": .object(["type": .string("array"), "items": .object(["type": .string("integer")])]),
            ]),
            "required": .array([.string("goal"), .string("task_type"), .string("dependencies")]),
        ])
        return ResponseSchema(
            name: "plan",
            schema: .object([
                "type": .string("object"),
                "properties": .object([
                    "subtasks": .object([
                        "type": .string("array"), "items": subtask, "minItems": .int(minSubtasks), "maxItems": .int(maxSubtasks),
                    ])
                ]),
                "required": .array([.string("subtasks")]),
            ]))
    }

    func plan(_ task: TaskContext, context: [(goal: String, result: String)], caller: inout NodeCaller) async throws -> Plan {
        let limit = maxSubtasks
        let least = minSubtasks
        let user = Prompts.context(task) + "\nSubtask limit: \(limit)" + Prompts.results(context, heading: Prompts.upstreamHeading)
        return try await caller.structuredCall(
            purpose: "plan",
            messages: [.system(Prompts.plannerSystem(maxSubtasks: limit)), .user(user)],
            schema: schema
        ) { value throws(StructuredOutput.Failure) in
            try Plan.parse(value, maxSubtasks: limit, minSubtasks: least)
        }
    }
}

/// Answers an atomic task.
struct Executor {
    func execute(
        _ task: TaskContext, dependencies: [(goal: String, result: String)], upstream: [(goal: String, result: String)],
        tools: [ToolDefinition] = [], caller: inout NodeCaller
    ) async throws -> String {
        let user =
            Prompts.context(task) + Prompts.results(upstream, heading: Prompts.upstreamHeading)
            + Prompts.results(dependencies, heading: "Results of the tasks this one depends on:")
        let messages: [ChatMessage] = [.system(Prompts.executorSystem(task.taskType)), .user(user)]
        if !tools.isEmpty && caller.engine.configuration.maxToolCalls > 0 {
            return try await caller.answerWithTools(purpose: "execute", messages: messages, tools: tools)
        }
        return try await caller.textCall(purpose: "execute", messages: messages)
    }
}

/// Combines subtasks' results into the parent's answer.
struct Aggregator {
    func aggregate(_ task: TaskContext, children: [(goal: String, result: String)], caller: inout NodeCaller) async throws -> String {
        let user = Prompts.context(task) + Prompts.results(children, heading: "Subtasks and their results:")
        return try await caller.textCall(purpose: "aggregate", messages: [.system(Prompts.aggregatorSystem), .user(user)])
    }
}
