import ROMACore
import ROMAEngine

/// Progress of a batch run, for displays and JSON Lines.
public enum BatchEvent: Sendable {
    /// The run began: how many goals in all, and how many will run.
    case started(goals: Int, toRun: Int)
    /// A goal's results are current and it is skipped.
    case skipped(manifest: String, goal: String, reason: String)
    /// A goal began.
    case goalStarted(manifest: String, goal: String)
    /// Something happened inside a goal's execution.
    case engine(manifest: String, goal: String, event: ExecutionEvent)
    /// A goal was submitted to a ROMA API (or re-attached to an earlier submission).
    case submitted(manifest: String, goal: String, executionID: String, attached: Bool)
    /// A goal ended.
    case goalFinished(GoalOutcome)
    /// A note for the user (e.g. what was kept on interrupt).
    case note(String)
}

/// How one goal ended in this run.
public struct GoalOutcome: Sendable, Hashable {
    /// The outcome kinds.
    public enum Status: String, Sendable, Hashable {
        case completed, failed, cancelled, skipped, deferred
    }

    public var manifest: String
    public var goal: String
    public var status: Status
    /// The execution id, if one ran.
    public var executionID: String?
    public var tokens: Int
    public var seconds: Double
    public var nodes: Int
    /// LLM calls made (or replayed).
    public var llmCalls: Int
    /// Calls that asked the model again because its previous answer was unusable.
    public var outputRetries: Int
    /// Tool calls made (or replayed).
    public var toolCalls: Int = 0
    /// What the goal's calls cost (unknown when a model has no price); nil when it did not run here.
    public var costUSD: CostUSD?
    /// Why it failed.
    public var error: String?
    /// The failure is temporary (provider unavailable, rate limited): re-run later.
    public var temporary: Bool
    /// Whether the goal's folder was (re)written.
    public var written: Bool
    /// Writing the goal's folder failed: the tree cannot be written, the run stops.
    public var writeFailure: ResultsTreeError?

    /// Creates an outcome.
    public init(
        manifest: String, goal: String, status: Status, executionID: String? = nil, tokens: Int = 0, seconds: Double = 0,
        nodes: Int = 0, llmCalls: Int = 0, outputRetries: Int = 0, error: String? = nil, temporary: Bool = false,
        written: Bool = false
    ) {
        self.manifest = manifest
        self.goal = goal
        self.status = status
        self.executionID = executionID
        self.tokens = tokens
        self.seconds = seconds
        self.nodes = nodes
        self.llmCalls = llmCalls
        self.outputRetries = outputRetries
        self.error = error
        self.temporary = temporary
        self.written = written
    }
}
