import Foundation
import MCP
import Testing

@testable import ROMATools

@Suite("The MCP stdio transport")
struct PipeTransportTests {
    /// The SDK's message loop asks for the stream again whenever one ends normally: a stream that
    /// just finished at the server's end of output made it spin at full CPU until the session closed.
    @Test func theServersEndOfOutputEndsTheStreamWithAnError() async throws {
        let (stream, sink) = AsyncThrowingStream.makeStream(of: Data.self)
        let splitter = LineSplitter(sink: sink)
        splitter.append(Data(#"{"jsonrpc":"2.0"}"#.utf8 + [10] + #"{"partial""#.utf8))
        splitter.finish()  // what the transport does at the server's end of output
        var lines: [String] = []
        var ending: (any Error)?
        do {
            for try await line in stream { lines.append(String(decoding: line, as: UTF8.self)) }
        } catch {
            ending = error
        }
        #expect(lines == [#"{"jsonrpc":"2.0"}"#])
        guard case .connectionClosed = ending as? MCPError else {
            Issue.record("the stream ended with \(String(describing: ending)), not MCPError.connectionClosed")
            return
        }
    }
}
