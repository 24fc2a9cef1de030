import Foundation
import ROMACore
import ROMAEngine
import Testing

@testable import ROMAServer

/// A provider that echoes the key: in every answer, and in the error of a refused call.
private struct EchoingModel: LanguageModel {
    let secret: String
    let base = OfflineModel()

    var providerName: String { "offline" }

    func complete(_ request: ChatRequest, context: CallContext) async throws -> ChatResponse {
        let text = request.messages.map(\.content).joined(separator: "\n")
        if text.contains("[refuse]") {
            throw LLMError(code: .unauthorized, message: "Incorrect API key provided: \(secret)", status: 401)
        }
        var response = try await base.complete(request, context: context)
        if request.responseSchema == nil { response.content += " (answered for key \(secret))" }
        return response
    }
}

@Suite("roma serve keeps no secret a provider echoes: not in its store, its answers or its journal")
struct SecretRedactionTests {
    @Test func anEchoedKeyIsRemovedBeforeAnythingIsStored() async throws {
        let secret = "sk-live-Qm7Secret0123456789abcdef"
        var configuration = ServerConfiguration()
        configuration.redactor = Redactor.fromEnvironment(["OPENAI_API_KEY": secret])
        let database = try await TestDatabase.make()
        defer { database.remove() }
        try await LiveServer.with(configuration: configuration, model: EchoingModel(secret: secret), database: database) { server in
            let answered = try await server.create(#"{"goal": "Compare two ways to brew tea", "max_depth": 2}"#)
            let refused = try await server.create(#"{"goal": "[refuse] this one", "max_depth": 1}"#)
            #expect(await server.waitUntilFinished(answered).status == .completed)
            #expect(await server.waitUntilFinished(refused).status == .failed)

            var served = ""
            for id in [answered, refused] {
                for path in ["", "/status", "/dag"] {
                    served += try await server.request(.GET, "/api/v1/executions/\(id)\(path)", key: server.key).text
                }
            }
            served += try await server.request(.GET, "/api/v1/executions", key: server.key).text
            #expect(!served.contains("Qm7Secret"))
            // The answers and the refusal are there, with the key masked.
            #expect(served.contains("answered for key [REDACTED]"))
            #expect(served.contains("Incorrect API key provided: [REDACTED]"))
        }
        // Nor in the database, its write-ahead log or the call journal kept in it.
        for suffix in ["", "-wal"] {
            let bytes = FileManager.default.contents(atPath: database.path + suffix) ?? Data()
            #expect(bytes.range(of: Data("Qm7Secret".utf8)) == nil, "the key is in \(database.path + suffix)")
        }
        let stored = FileManager.default.contents(atPath: database.path) ?? Data()
        let wal = FileManager.default.contents(atPath: database.path + "-wal") ?? Data()
        #expect((stored + wal).range(of: Data("[REDACTED]".utf8)) != nil, "the masked answers were stored")
    }
}
