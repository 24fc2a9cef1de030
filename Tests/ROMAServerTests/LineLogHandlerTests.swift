import Foundation
import Logging
import ROMACore
import Testing

@testable import ROMAServer

@Suite("The log handler of roma serve")
struct LineLogHandlerTests {
    @Test("one line per event, StreamLogHandler's layout, sorted metadata, secrets removed")
    func writesOneRedactedLine() throws {
        let pipe = Pipe()
        let secret = "sk_live_ABCDEFGHIJKLMNOP"
        var logger = Logger(label: "roma.test") { label in
            LineLogHandler(
                label: label, level: .info, redactor: Redactor(secrets: [secret]), fileDescriptor: pipe.fileHandleForWriting.fileDescriptor)
        }
        logger[metadataKey: "replica"] = "r1"
        logger.debug("not written")
        logger.info("key \(secret) seen", metadata: ["path": "/api/v1/executions", "auth": "Bearer abcdefghijklmnop", "status": "200"])
        try pipe.fileHandleForWriting.close()
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 2 && lines[1].isEmpty, "one line, ending in a newline: \(text)")
        let line = String(lines[0])
        #expect(line.wholeMatch(of: /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z info roma.test : .*/) != nil, "\(line)")
        #expect(
            line.hasSuffix(
                " : auth=Bearer [REDACTED] path=/api/v1/executions replica=r1 status=200 [ROMAServerTests] key [REDACTED] seen"),
            "\(line)")
        #expect(!line.contains(secret))
    }
}
