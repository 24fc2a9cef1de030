import ROMACore

/// A validated plan: subtasks with sibling dependencies that form a DAG.
struct Plan: Sendable, Hashable {
    struct Subtask: Sendable, Hashable {
        var goal: String
        var taskType: TaskType
        var dependencies: [Int]
    }

    var subtasks: [Subtask]

    /// Parses and validates a planner's JSON. Throws a message meant to be shown to the model.
    /// `minSubtasks` 2 is a split the task must have (`min_depth`): one subtask is sent back.
    static func parse(_ value: JSONValue, maxSubtasks: Int, minSubtasks: Int = 1) throws(StructuredOutput.Failure) -> Plan {
        let list: [JSONValue]
        if let array = value["subtasks"]?.arrayValue ?? value.arrayValue {
            list = array
        } else {
            throw .init(message: "the JSON must be an object with a \"subtasks\" array")
        }
        guard !list.isEmpty else { throw .init(message: "the plan has no subtasks; give 2 to \(maxSubtasks)") }
        guard list.count >= minSubtasks else {
            throw .init(message: "the plan has \(list.count) subtask; this task must be split: give \(minSubtasks) to \(maxSubtasks)")
        }
        guard list.count <= maxSubtasks else {
            throw .init(message: "the plan has \(list.count) subtasks; give at most \(maxSubtasks)")
        }
        var subtasks: [Subtask] = []
        for (index, item) in list.enumerated() {
            guard let goal = (item["goal"] ?? item["task"] ?? item["description"])?.stringValue,
                !goal.trimmedWhitespace.isEmpty
            else {
                throw .init(message: "subtask \(index) has no \"goal\" string")
            }
            let typeName = (item["task_type"] ?? item["type"])?.stringValue?.uppercased() ?? "THINK"
            guard let type = TaskType(rawValue: typeName), TaskType.plannable.contains(type) else {
                throw .init(message: "subtask \(index) has task_type \"\(typeName)\"; use THINK, RETRIEVE or WRITE")
            }
            var dependencies: [Int] = []
            for dep in item["dependencies"]?.arrayValue ?? [] {
                guard let d = dep.intValue else {
                    throw .init(message: "subtask \(index) has a dependency that is not an integer index")
                }
                guard d >= 0 && d < list.count else {
                    throw .init(message: "subtask \(index) depends on \(d), which is out of range 0..<\(list.count)")
                }
                guard d != index else { throw .init(message: "subtask \(index) depends on itself") }
                if !dependencies.contains(d) { dependencies.append(d) }
            }
            subtasks.append(Subtask(goal: goal, taskType: type, dependencies: dependencies.sorted()))
        }
        if let cycle = findCycle(subtasks) {
            throw .init(message: "the dependencies form a cycle through subtasks \(cycle.map(String.init).joined(separator: " → "))")
        }
        return Plan(subtasks: subtasks)
    }

    /// A cycle of subtask indices, if there is one (depth-first search with colours).
    static func findCycle(_ subtasks: [Subtask]) -> [Int]? {
        var colour = [Int](repeating: 0, count: subtasks.count)  // 0 new, 1 on stack, 2 done
        var stack: [Int] = []
        func visit(_ i: Int) -> [Int]? {
            colour[i] = 1
            stack.append(i)
            for d in subtasks[i].dependencies {
                if colour[d] == 1, let at = stack.firstIndex(of: d) { return Array(stack[at...]) + [d] }
                if colour[d] == 0, let cycle = visit(d) { return cycle }
            }
            stack.removeLast()
            colour[i] = 2
            return nil
        }
        for i in subtasks.indices where colour[i] == 0 {
            if let cycle = visit(i) { return cycle }
        }
        return nil
    }
}
