/// Why an execution did not complete.
public struct EngineError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of failure; extensible without breaking `switch`.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        enum Base: String, Sendable, Hashable {
            case nodeFailed = "node_failed"
            case budgetExceeded = "budget_exceeded"
            case invalidOutput = "invalid_output"
            case cancelled
        }
        let base: Base
        /// A node's LLM call failed after its retries.
        public static let nodeFailed = Code(base: .nodeFailed)
        /// A budget (calls, tokens) was used up.
        public static let budgetExceeded = Code(base: .budgetExceeded)
        /// The model kept answering with unusable output.
        public static let invalidOutput = Code(base: .invalidOutput)
        /// The execution was cancelled.
        public static let cancelled = Code(base: .cancelled)
        public var description: String { base.rawValue }
    }

    /// The kind of failure.
    public var code: Code
    /// What happened, including the failing node's path.
    public var message: String
    /// The failing node's id.
    public var nodeID: String?
    /// Whether the cause is temporary (provider down, rate limited): worth re-running later.
    public var isTemporary: Bool
    /// Whether the cause is a missing recording in `--offline` mode.
    public var isRecordingMiss: Bool

    /// Creates an error.
    public init(code: Code, message: String, nodeID: String? = nil, isTemporary: Bool = false, isRecordingMiss: Bool = false) {
        self.code = code
        self.message = message
        self.nodeID = nodeID
        self.isTemporary = isTemporary
        self.isRecordingMiss = isRecordingMiss
    }

    public var description: String { message }
}
