/// The result of `ExecutionStore.create`.
public enum CreateOutcome: Sendable, Hashable {
    /// The execution was inserted.
    case created(StoredExecution)
    /// The idempotency key was seen within its window: answer with the original response.
    case replayed(status: Int, body: [UInt8])
    /// The key already has `running` executions at its cap.
    case concurrencyLimit(running: Int)
}
