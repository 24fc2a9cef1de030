import Testing

@testable import ROMAServer

@Suite("The journal queue between journaling calls and their writer")
struct JournalQueueTests {
    @Test("a cancelled writer still gets every entry; an entry after the end is refused")
    func everyEntryIsAnswered() async throws {
        let queue = JournalQueue()
        let lines = try await withThrowingTaskGroup(of: [String].self) { group in
            group.addTask {
                // A writer whose task is cancelled from the start keeps reading until the end.
                withUnsafeCurrentTask { $0?.cancel() }
                var lines: [String] = []
                while let entry = await queue.next() {
                    lines.append(entry.line)
                    entry.written.resume()
                }
                return lines
            }
            for line in ["a", "b", "c"] {
                try await withCheckedThrowingContinuation { queue.append(JournalEntry(line: line, written: $0)) }
            }
            queue.finish()
            return try await group.next() ?? []
        }
        #expect(lines == ["a", "b", "c"])
        await #expect(throws: CancellationError.self) {
            try await withCheckedThrowingContinuation { queue.append(JournalEntry(line: "late", written: $0)) }
        }
    }
}
