import Foundation
import NIOHTTP1
import ROMACore
import Testing

@testable import ROMAServer

@Suite("GET /executions: pagination, filters, sorting")
struct ListExecutionsTests {
    /// Five executions one minute apart, in every status, and the ids in creation order.
    ///
    /// 0 general completed · 1 fast completed · 2 high_quality failed · 3 general running · 4 fast cancelled
    static func seed(_ server: LiveServer, gate: Gate) async throws -> [String] {
        let bodies = [
            #"{"goal": "alpha topic", "max_depth": 1}"#,
            #"{"goal": "beta topic", "config_profile": "fast", "max_depth": 1}"#,
            #"{"goal": "gamma [fail] topic", "config_profile": "high_quality"}"#,
            #"{"goal": "delta [block] topic"}"#,
            #"{"goal": "epsilon [block] topic", "config_profile": "fast"}"#,
        ]
        var ids: [String] = []
        for body in bodies {
            ids.append(try await server.create(body))
            server.clock.advance(by: 60)
        }
        for id in ids[0...2] { _ = await server.waitUntilFinished(id) }
        await gate.waitForArrivals(2)
        #expect(try await server.request(.POST, "/api/v1/executions/\(ids[4])/cancel", key: server.key).status == 200)
        _ = await server.waitUntilFinished(ids[4])
        return ids
    }

    static func ids(_ response: TestResponse) -> [String] {
        response.json?["data"]?.arrayValue?.compactMap { $0["execution_id"]?.stringValue } ?? []
    }

    @Test func paginationFiltersAndSorting() async throws {
        let gate = Gate()
        try await LiveServer.with(model: ScriptedModel(gate: gate)) { server in
            let ids = try await Self.seed(server, gate: gate)
            func list(_ query: String) async throws -> TestResponse {
                let response = try await server.request(.GET, "/api/v1/executions\(query)", key: server.key)
                #expect(response.status == 200, "\(query): \(response.text)")
                return response
            }

            // Defaults: newest first, limit 20.
            let all = try await list("")
            #expect(Self.ids(all) == ids.reversed())
            #expect(all.json?["pagination"] == .object(["total": .int(5), "limit": .int(20), "offset": .int(0), "has_more": .bool(false)]))
            let first = try #require(all.json?["data"]?.arrayValue?.last)
            #expect(first["initial_goal"]?.stringValue == "alpha topic")
            #expect(first["config_profile"]?.stringValue == "general")
            #expect(first["max_depth"]?.intValue == 1)
            #expect(first["completed_at"] != nil)
            #expect(all.json?["data"]?.arrayValue?.first?["cancelled_at"] != nil)

            // Pagination edges.
            let one = try await list("?limit=1")
            #expect(Self.ids(one) == [ids[4]])
            #expect(one.json?["pagination"]?["has_more"] == .bool(true))
            let second = try await list("?limit=1&offset=1")
            #expect(Self.ids(second) == [ids[3]])
            let last = try await list("?limit=2&offset=4")
            #expect(Self.ids(last) == [ids[0]])
            #expect(last.json?["pagination"]?["has_more"] == .bool(false))
            let past = try await list("?offset=50")
            #expect(Self.ids(past).isEmpty)
            #expect(
                past.json?["pagination"] == .object(["total": .int(5), "limit": .int(20), "offset": .int(50), "has_more": .bool(false)]))
            let hundred = try await list("?limit=100")
            #expect(Self.ids(hundred).count == 5)
            #expect(hundred.json?["pagination"]?["limit"]?.intValue == 100)

            // Filters.
            #expect(Self.ids(try await list("?status=completed")) == [ids[1], ids[0]])
            #expect(Self.ids(try await list("?status=failed")) == [ids[2]])
            #expect(Self.ids(try await list("?status=running")) == [ids[3]])
            #expect(Self.ids(try await list("?status=cancelled")) == [ids[4]])
            #expect(Self.ids(try await list("?profile=fast")) == [ids[4], ids[1]])
            #expect(Self.ids(try await list("?profile=high_quality")) == [ids[2]])
            #expect(Self.ids(try await list("?profile=crypto_agent")).isEmpty)
            #expect(Self.ids(try await list("?status=completed&profile=fast")) == [ids[1]])
            // Created 10:30, 10:31, 10:32, 10:33, 10:34 (UTC) on 2025-11-11.
            #expect(Self.ids(try await list("?created_after=2025-11-11T10:31:30Z")) == [ids[4], ids[3], ids[2]])
            #expect(Self.ids(try await list("?created_before=2025-11-11T10:31:30Z")) == [ids[1], ids[0]])
            #expect(
                Self.ids(try await list("?created_after=2025-11-11T10:30:30Z&created_before=2025-11-11T10:32:30Z")) == [ids[2], ids[1]])
            #expect(Self.ids(try await list("?created_after=2025-11-11T12:31:30%2B02:00")) == [ids[4], ids[3], ids[2]])
            #expect(Self.ids(try await list("?created_before=2025-11-11")).isEmpty)
            #expect(Self.ids(try await list("?created_after=2025-11-11")).count == 5)

            // Sorting.
            #expect(Self.ids(try await list("?order=asc")) == ids)
            #expect(Self.ids(try await list("?sort=created_at&order=desc")) == ids.reversed())
            let byStatus = try await list("?sort=status&order=asc")
            let statuses = byStatus.json?["data"]?.arrayValue?.compactMap { $0["status"]?.stringValue } ?? []
            #expect(statuses == ["cancelled", "completed", "completed", "failed", "running"])
            #expect(Self.ids(byStatus) == [ids[4], ids[0], ids[1], ids[2], ids[3]])
            let byStatusDesc = try await list("?sort=status")
            #expect(byStatusDesc.json?["data"]?.arrayValue?.first?["status"]?.stringValue == "running")
            // The cancelled one was updated last (cancel happened after the others finished).
            let byUpdate = try await list("?sort=updated_at&order=desc&limit=1")
            #expect(byUpdate.json?["data"]?.arrayValue?.count == 1)
            let updatedTimes =
                try await list("?sort=updated_at&order=asc").json?["data"]?.arrayValue?.compactMap { $0["updated_at"]?.stringValue } ?? []
            #expect(updatedTimes == updatedTimes.sorted())

            await gate.open()
            _ = await server.waitUntilFinished(ids[3])
        }
    }

    @Test(arguments: [
        ("limit=0", "limit"), ("limit=101", "limit"), ("limit=abc", "limit"), ("limit=", "limit"),
        ("offset=-1", "offset"), ("offset=2147483648", "offset"), ("offset=x", "offset"), ("status=done", "status"),
        ("profile=turbo", "profile"),
        ("created_after=yesterday", "created_after"), ("created_before=2025-13-45", "created_before"),
        ("sort=goal", "sort"), ("order=up", "order"), ("colour=red", "colour"), ("limit=5&limit=6", "limit"),
    ])
    func badParametersAre400(_ query: String, _ field: String) async throws {
        try await LiveServer.with { server in
            let response = try await server.request(.GET, "/api/v1/executions?\(query)", key: server.key)
            #expect(response.status == 400, "\(query)")
            #expect(response.errorCode == "invalid_request")
            #expect(response.json?["error"]?["details"]?["field"]?.stringValue == field)
        }
    }
}
