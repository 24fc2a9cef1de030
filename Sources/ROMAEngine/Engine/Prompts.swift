/// The prompts of the four agents. Each system prompt says the agent's role, its output format
/// and what context it gets; the first line is a tag (`[roma:planner]`) that recordings and the
/// offline model key on.
enum Prompts {
    static func context(_ task: TaskContext) -> String {
        """
        Overall objective: \(task.objective)
        Current task: \(task.goal)
        Task type: \(task.taskType.rawValue)
        Depth: \(task.depth) of at most \(task.maxDepth)
        """
    }

    static let atomizerSystem = """
        [roma:atomizer]
        You are the Atomizer of ROMA, a recursive agent that splits a goal into a tree of subtasks.
        Decide whether the current task can be answered well in one step by a single expert (EXECUTE),
        or is broad enough that it should be split into smaller subtasks first (PLAN).
        Prefer EXECUTE for narrow, factual or short tasks and when the depth is close to the limit.
        You get: the overall objective, the current task, its type, and its depth and the depth limit.
        Answer with only a JSON object, no prose: {"decision": "EXECUTE" or "PLAN", "reason": "<one short sentence>"}
        """

    static func plannerSystem(maxSubtasks: Int) -> String {
        """
        [roma:planner]
        You are the Planner of ROMA, a recursive agent that splits a goal into a tree of subtasks.
        Split the current task into 2 to \(maxSubtasks) subtasks that together accomplish it.
        Each subtask has a goal (one clear instruction), a task_type and dependencies:
        - task_type is THINK (reasoning, analysis), RETRIEVE (gathering facts) or WRITE (producing text);
        - dependencies lists the 0-based indices of the sibling subtasks whose results it needs;
          subtasks without dependencies run in parallel, and the dependencies must not form a cycle.
        You get: the overall objective, the current task, its depth and the depth limit.
        Answer with only a JSON object, no prose:
        {"subtasks": [{"goal": "...", "task_type": "RETRIEVE", "dependencies": []}, {"goal": "...", "task_type": "WRITE", "dependencies": [0]}]}
        """
    }

    static func executorSystem(_ type: TaskType) -> String {
        let role: String
        switch type {
        case .retrieve:
            role = """
                Gather the facts the task asks for. State them plainly, with figures and names where you know
                them, and say clearly when something is uncertain or may be out of date.
                """
        case .write:
            role = """
                Write the text the task asks for, well organised and ready to use, building on the results of the
                tasks it depends on.
                """
        default:
            role = """
                Reason the task through and give a clear, well-argued answer. Build on the results of the tasks it
                depends on.
                """
        }
        return """
            [roma:executor:\(type.rawValue)]
            You are an Executor of ROMA, a recursive agent that splits a goal into a tree of subtasks.
            \(role)
            You get: the overall objective (for context only), the current task, and the results of the tasks it depends on.
            Answer the current task only, in Markdown, without preamble.
            """
    }

    static let aggregatorSystem = """
        [roma:aggregator]
        You are the Aggregator of ROMA, a recursive agent that splits a goal into a tree of subtasks.
        The current task was split into subtasks that have all been answered. Combine their results into one
        complete, coherent answer to the current task: keep what matters, remove repetition, resolve conflicts.
        You get: the overall objective, the current task, and each subtask with its result, in order.
        Answer in Markdown, without preamble.
        """

    /// Results an enclosing task depends on, passed down to the subtasks that do its work.
    static let upstreamHeading = "Results of earlier tasks the parent task builds on (context):"

    static func results(_ items: [(goal: String, result: String)], heading: String) -> String {
        guard !items.isEmpty else { return "" }
        var text = "\n\n\(heading)\n"
        for (index, item) in items.enumerated() {
            text += "\n### \(index + 1). \(item.goal)\n\(item.result)\n"
        }
        return text
    }
}

/// What an agent knows about the task at hand.
struct TaskContext: Sendable {
    var objective: String
    var goal: String
    var taskType: TaskType
    var depth: Int
    var maxDepth: Int
}
