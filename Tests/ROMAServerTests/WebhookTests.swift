import Foundation
import NIOHTTP1
import ROMACore
import Testing

@testable import ROMAServer

@Suite("Completion webhooks")
struct WebhookTests {
    @Test func theTerminalStatusIsDeliveredAndAFailedAttemptIsRetriedWithBackoff() async throws {
        try await WebhookReceiver.with(failures: 1) { url, receiver in
            let sleeper = RecordingSleeper()
            try await LiveServer.with(sleeper: sleeper) { server in
                let id = try await server.create(
                    #"{"goal": "Summarise the news", "max_depth": 1, "metadata": {"webhook_url": "\#(url)", "webhook_token": "tok_secret_123", "team": "research"}}"#
                )
                let deliveries = await receiver.wait(for: 2)
                #expect(deliveries.map(\.answered) == [500, 200])
                for delivery in deliveries {
                    #expect(delivery.token == "tok_secret_123")
                    let body = try #require(delivery.body)
                    #expect(body["execution_id"]?.stringValue == id)
                    #expect(body["status"]?.stringValue == "completed")
                    #expect(body["result"]?.stringValue?.contains("[synthetic]") == true)
                    #expect(body["metadata"]?["webhook_token"]?.stringValue == "tok_secret_123")
                }
                #expect(sleeper.durations == [.seconds(1)])

                // The token never comes back out of the API.
                for path in [
                    "/api/v1/executions/\(id)", "/api/v1/executions/\(id)/status", "/api/v1/executions/\(id)/dag", "/api/v1/executions",
                ] {
                    let response = try await server.request(.GET, path, key: server.key)
                    #expect(response.status == 200)
                    #expect(!response.text.contains("tok_secret_123"), "\(path) leaks the webhook token")
                }
                let details = try await server.request(.GET, "/api/v1/executions/\(id)", key: server.key)
                #expect(details.json?["metadata"]?["user_metadata"] == .object(["team": .string("research"), "webhook_url": .string(url)]))
                let keyID = try #require(try await server.store.keys(prefix: APIKeySecret.prefix(of: server.key)).first?.id)
                let stored = try #require(try await server.store.execution(id: id, keyID: keyID))
                #expect(stored.request.metadata["webhook_token"] == nil)
                #expect(stored.webhookToken == "tok_secret_123")
            }
        }
    }

    @Test func aWebhookThatAlwaysFailsIsGivenUpWithoutAffectingTheExecution() async throws {
        try await WebhookReceiver.with(failures: 100) { url, receiver in
            let sleeper = RecordingSleeper()
            try await LiveServer.with(sleeper: sleeper) { server in
                let id = try await server.create(#"{"goal": "Quick one", "max_depth": 1, "metadata": {"webhook_url": "\#(url)"}}"#)
                let deliveries = await receiver.wait(for: 5)
                #expect(deliveries.count == 5)
                #expect(deliveries.allSatisfy { $0.token == nil })
                #expect(sleeper.durations == [.seconds(1), .seconds(2), .seconds(4), .seconds(8)])
                let status = try await server.request(.GET, "/api/v1/executions/\(id)/status", key: server.key)
                #expect(status.json?["status"]?.stringValue == "completed")
            }
        }
    }

    @Test func cancelledExecutionsAreDeliveredToo() async throws {
        let gate = Gate()
        try await WebhookReceiver.with(failures: 0) { url, receiver in
            try await LiveServer.with(model: GateModel(gate: gate)) { server in
                let id = try await server.create(#"{"goal": "Long one", "metadata": {"webhook_url": "\#(url)", "webhook_token": "t"}}"#)
                await gate.waitForArrivals(1)
                #expect(try await server.request(.POST, "/api/v1/executions/\(id)/cancel", key: server.key).status == 200)
                let delivery = try #require(await receiver.wait(for: 1).first?.body)
                #expect(delivery["status"]?.stringValue == "cancelled")
                #expect(delivery["result"] == .null)
            }
        }
    }

    @Test(arguments: ["ftp://example.test/h", "file:///etc/passwd", "not a url", "http://"])
    func onlyHTTPAndHTTPSURLsAreAccepted(_ url: String) {
        #expect(!WebhookDispatcher.isAllowed(url))
    }

    @Test func redactedTargetsKeepNoPathOrQuery() {
        #expect(WebhookDispatcher.redacted("https://hooks.example:8443/secret/path?token=abc") == "https://hooks.example:8443")
    }
}
