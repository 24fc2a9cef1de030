import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import ROMACore
import Testing

@testable import ROMAServer

@Suite("CORS, request ids, gzip, OpenAPI document")
struct HTTPFeatureTests {
    @Test func preflightNeedsNoKeyAndEveryResponseHasCORSHeaders() async throws {
        try await LiveServer.with { server in
            let preflight = try await server.request(
                .OPTIONS, "/api/v1/executions",
                headers: [("Origin", "https://app.example"), ("Access-Control-Request-Method", "POST")])
            #expect(preflight.status == 204)
            #expect(preflight.header("Access-Control-Allow-Origin") == "*")
            #expect(preflight.header("Access-Control-Allow-Methods") == "GET, POST, OPTIONS")
            #expect(preflight.header("Access-Control-Allow-Headers") == "Content-Type, X-API-Key, X-Idempotency-Key")
            #expect(preflight.header("Access-Control-Max-Age") == "86400")
            #expect(preflight.body.isEmpty)
            for response in [
                try await server.request(.GET, "/api/v1/executions", key: server.key),
                try await server.request(.GET, "/api/v1/executions"),
            ] {
                #expect(response.header("Access-Control-Allow-Origin") == "*")
                #expect(response.header("Access-Control-Expose-Headers")?.contains("X-RateLimit-Remaining") == true)
            }
        }
    }

    @Test func everyResponseHasAUniqueRequestID() async throws {
        try await LiveServer.with { server in
            var seen: Set<String> = []
            for response in [
                try await server.request(.GET, "/api/v1/executions", key: server.key),
                try await server.request(.GET, "/api/v1/executions"),
                try await server.request(.OPTIONS, "/api/v1/executions"),
                try await server.request(.GET, "/nowhere", key: server.key),
                try await server.request(.GET, "/openapi.yaml"),
            ] {
                let id = try #require(response.header("X-Request-ID"))
                #expect(id.wholeMatch(of: /req_[a-z0-9]{16}/) != nil)
                #expect(seen.insert(id).inserted)
                if response.status >= 400 { #expect(response.json?["request_id"]?.stringValue == id) }
            }
        }
    }

    @Test func responsesAreGzippedWhenTheClientAcceptsIt() async throws {
        try await LiveServer.with { server in
            let plain = try await server.request(.GET, "/openapi.yaml")
            #expect(plain.header("Content-Encoding") == nil)
            #expect(plain.text == OpenAPIDocument.yaml)

            let zipped = try await server.request(.GET, "/openapi.yaml", headers: [("Accept-Encoding", "gzip, deflate")])
            #expect(zipped.header("Content-Encoding") == "gzip")
            #expect(zipped.header("Vary") == "Accept-Encoding")
            #expect(Array(zipped.body.prefix(2)) == [0x1F, 0x8B])
            #expect(zipped.body.count < plain.body.count / 2)
            #expect(zipped.header("Content-Length") == String(zipped.body.count))

            // An independent inflater (zlib, through AsyncHTTPClient) gets the document back.
            let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(decompression: .enabled(limit: .none)))
            do {
                var request = HTTPClientRequest(url: "http://127.0.0.1:\(server.port)/openapi.yaml")
                request.headers.add(name: "Accept-Encoding", value: "gzip")
                let response = try await client.execute(request, timeout: .seconds(30))
                let body = try await response.body.collect(upTo: 8 << 20)
                #expect(String(buffer: body) == OpenAPIDocument.yaml)
            } catch {
                try await client.shutdown()
                throw error
            }
            try await client.shutdown()

            // Small bodies and clients that refuse gzip stay plain.
            let small = try await server.request(.GET, "/api/v1/executions", key: server.key, headers: [("Accept-Encoding", "gzip")])
            #expect(small.header("Content-Encoding") == nil)
            #expect(small.json?["pagination"] != nil)
            let refused = try await server.request(.GET, "/openapi.yaml", headers: [("Accept-Encoding", "gzip;q=0, identity")])
            #expect(refused.header("Content-Encoding") == nil)
        }
    }

    @Test func theOpenAPIDocumentIsServedWithoutAKeyAndMatchesTheRepository() async throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let file = try String(contentsOf: root.appendingPathComponent("openapi.yaml"), encoding: .utf8)
        #expect(file == OpenAPIDocument.yaml, "the served document is not the repository's openapi.yaml")
        try await LiveServer.with { server in
            let response = try await server.request(.GET, "/openapi.yaml")
            #expect(response.status == 200)
            #expect(response.header("Content-Type")?.hasPrefix("application/yaml") == true)
            #expect(response.text == file)
        }
    }
}
