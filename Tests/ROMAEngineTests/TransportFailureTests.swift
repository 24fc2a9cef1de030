import Foundation
import ROMAClient
import ROMAEngine
import ROMATestSupport
import Testing

@Suite("A provider that cannot be reached fails the call at once, saying why in a few words")
struct TransportFailureTests {
    @Test func aRefusedConnectionIsOneShortReasonNotATimeout() async throws {
        let base = "http://127.0.0.1:\(try ClosedPort.make())/v1"
        // A long timeout: the client's own retry of the connection would wait it out and report a timeout.
        let model = OpenAIModel(configuration: .init(baseURL: base, timeout: .seconds(600)))
        let request = ChatRequest(model: "m", messages: [ChatMessage(role: "user", content: "hi")], temperature: 0, maxTokens: 10)
        let error = await #expect(throws: LLMError.self) {
            try await model.complete(request, context: CallContext(goalID: "g", nodeID: "n", purpose: "execute"))
        }
        #expect(error?.code == .transport)
        #expect(error?.message == "request to \(base) failed: Connection refused")
    }
}
