import Foundation
import Logging
import MCP
import Synchronization

/// MCP's stdio transport over a child's pipes: newline-delimited JSON-RPC messages (the SDK's
/// `Client` does the JSON-RPC).
///
/// The SDK's own `StdioTransport` searches its whole buffer for a newline after every 4 KB read and
/// sleeps 10 ms whenever the pipe is empty: a 1 MB tool result took seconds. This one is handed
/// each chunk as it arrives and scans only the new bytes.
actor PipeTransport: Transport {
    nonisolated let logger = Logger(label: "roma.mcp.pipe", factory: { _ in SwiftLogNoOpLogHandler() })
    private let reading: FileHandle
    private let writing: FileHandle
    private let messages: AsyncThrowingStream<Data, any Error>
    private let sink: AsyncThrowingStream<Data, any Error>.Continuation
    private var connected = false

    /// Creates a transport reading the child's standard output and writing its standard input.
    init(reading: FileHandle, writing: FileHandle) {
        self.reading = reading
        self.writing = writing
        (messages, sink) = AsyncThrowingStream.makeStream(of: Data.self)
    }

    func connect() async throws {
        guard !connected else { return }
        connected = true
        let splitter = LineSplitter(sink: sink)
        reading.readabilityHandler = { handle in
            let chunk = handle.availableData
            if chunk.isEmpty {
                handle.readabilityHandler = nil
                splitter.finish()
            } else {
                splitter.append(chunk)
            }
        }
    }

    func disconnect() async {
        guard connected else { return }
        connected = false
        reading.readabilityHandler = nil
        sink.finish()
    }

    func send(_ data: Data) async throws {
        guard connected else { throw MCPError.transportError(POSIXError(.ENOTCONN)) }
        var line = data
        line.append(UInt8(ascii: "\n"))
        do {
            try writing.write(contentsOf: line)
        } catch {
            throw MCPError.transportError(error)
        }
    }

    func receive() -> AsyncThrowingStream<Data, any Error> { messages }
}

/// Splits a byte stream into lines, scanning each byte once.
final class LineSplitter: Sendable {
    private let pending = Mutex<[UInt8]>([])
    private let sink: AsyncThrowingStream<Data, any Error>.Continuation

    init(sink: AsyncThrowingStream<Data, any Error>.Continuation) {
        self.sink = sink
    }

    func append(_ chunk: Data) {
        let lines = pending.withLock { pending -> [Data] in
            var lines: [Data] = []
            var start = chunk.startIndex
            while let newline = chunk[start...].firstIndex(of: UInt8(ascii: "\n")) {
                pending.append(contentsOf: chunk[start..<newline])
                if !pending.isEmpty { lines.append(Data(pending)) }
                pending.removeAll(keepingCapacity: true)
                start = chunk.index(after: newline)
            }
            pending.append(contentsOf: chunk[start...])
            return lines
        }
        for line in lines { sink.yield(line) }
    }

    /// The server closed its standard output. The stream ends with an error, not normally: the
    /// SDK's message loop asks for the stream again after one ends normally, and on a finished
    /// stream that loop spun at full CPU until the session was closed.
    func finish() { sink.finish(throwing: MCPError.connectionClosed) }
}
