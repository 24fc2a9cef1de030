import Synchronization

/// A window on one execution's live state, read from the engine's own node table: what a server
/// shows for a running execution (progress, current step, the DAG so far).
///
/// Pass one to `ExecutionEngine.run(_:goalID:executionID:monitor:events:)`; `snapshot()` answers
/// nil until the engine has started.
public final class ExecutionMonitor: Sendable {
    private let state = Mutex<ExecutionState?>(nil)

    /// Creates a monitor that is not attached to an execution yet.
    public init() {}

    /// Called by the engine when the execution's state exists.
    func attach(_ execution: ExecutionState) {
        state.withLock { $0 = execution }
    }

    /// The execution's nodes, progress and current step as the engine holds them now.
    public func snapshot() async -> ExecutionSnapshot? {
        guard let execution = state.withLock({ $0 }) else { return nil }
        return await execution.snapshot()
    }
}
