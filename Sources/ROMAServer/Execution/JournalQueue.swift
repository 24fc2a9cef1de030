import Synchronization

/// The answered calls of one execution on their way to its journal writer (`ExecutionRunner`).
///
/// Not an `AsyncStream`: a stream's iterator gives up (and drops what it buffered) when the
/// writer's task is cancelled, which would leave a journaling call waiting forever. Here the
/// writer's wait ignores cancellation, so every entry is answered: written, or failed with the
/// store's error.
final class JournalQueue: Sendable {
    private struct State {
        var entries: [JournalEntry] = []
        var reader: CheckedContinuation<JournalEntry?, Never>?
        var finished = false
    }
    private let state = Mutex(State())

    /// Adds an entry; fails it at once if the queue is finished.
    func append(_ entry: JournalEntry) {
        enum Action {
            case none
            case hand(CheckedContinuation<JournalEntry?, Never>)
            case refuse
        }
        let action = state.withLock { state -> Action in
            if state.finished { return .refuse }
            if let reader = state.reader {
                state.reader = nil
                return .hand(reader)
            }
            state.entries.append(entry)
            return .none
        }
        switch action {
        case .none: break
        case .hand(let reader): reader.resume(returning: entry)
        case .refuse: entry.written.resume(throwing: CancellationError())
        }
    }

    /// No entries will come (the engine has returned); the reader ends once it has the rest.
    func finish() {
        let reader = state.withLock { state -> CheckedContinuation<JournalEntry?, Never>? in
            state.finished = true
            defer { state.reader = nil }
            return state.entries.isEmpty ? state.reader : nil
        }
        reader?.resume(returning: nil)
    }

    /// The next entry, or nil once the queue is finished and empty. One reader at a time.
    func next() async -> JournalEntry? {
        await withCheckedContinuation { (reader: CheckedContinuation<JournalEntry?, Never>) in
            enum Action {
                case wait
                case give(JournalEntry?)
            }
            let action = state.withLock { state -> Action in
                if !state.entries.isEmpty { return .give(state.entries.removeFirst()) }
                if state.finished { return .give(nil) }
                state.reader = reader
                return .wait
            }
            if case .give(let entry) = action { reader.resume(returning: entry) }
        }
    }
}
