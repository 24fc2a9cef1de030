import Foundation
import ROMACore
import Testing

@testable import ROMAServer

@Suite("The /status body from the canonical writer")
struct StatusBodyTests {
    static let shapes: [ExecutionStatusResponse] = [
        ExecutionStatusResponse(
            executionId: "exec_a", status: .running, progress: 40, currentStep: "Research \"quotes\" / slashes é",
            updatedAt: "2025-11-11T10:30:00.000Z"),
        ExecutionStatusResponse(
            executionId: "exec_b", status: .completed, progress: 100, result: "line\nbreak\t\u{1}",
            metadata: ExecutionMetadata(executionTime: 1.25, tokensUsed: 1200, agentCalls: 7), updatedAt: "u",
            completedAt: "c"),
        ExecutionStatusResponse(
            executionId: "exec_c", status: .failed, progress: 3,
            error: APIError(code: "execution_error", message: "m", details: .object(["node_id": .string("node_0_1")])),
            updatedAt: "u", failedAt: "f"),
        ExecutionStatusResponse(executionId: "exec_d", status: .cancelled, progress: 0, updatedAt: "u", cancelledAt: "x"),
    ]

    @Test(arguments: 0..<shapes.count)
    func theBytesAreJSONEncodersBytes(_ index: Int) throws {
        let status = Self.shapes[index]
        #expect(status.body(requestID: "req_0123456789abcdef") == Array(try APIJSON.encode(status, requestID: "req_0123456789abcdef")))
    }
}
