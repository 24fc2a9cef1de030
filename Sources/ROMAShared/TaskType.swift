/// What kind of work an atomic task is; executors are prompted differently per type.
public enum TaskType: String, Sendable, Hashable, Codable, CaseIterable {
    case think = "THINK"
    case retrieve = "RETRIEVE"
    case write = "WRITE"
    case codeInterpret = "CODE_INTERPRET"
    case imageGeneration = "IMAGE_GENERATION"

    /// The types a planner may assign (the others are reserved).
    public static let plannable: [TaskType] = [.think, .retrieve, .write]
}
