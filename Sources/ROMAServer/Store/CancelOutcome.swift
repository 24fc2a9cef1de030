/// The result of `ExecutionStore.cancel`.
public enum CancelOutcome: Sendable, Hashable {
    /// Moved from running to cancelled.
    case cancelled(StoredExecution)
    /// Already finished; nothing changed.
    case notRunning(StoredExecution)
    /// No such execution for this key.
    case notFound
}
