import Foundation
import ROMACore
import ROMAEngine
import Testing

@testable import ROMAServer

/// Replicas of `roma serve` on one PostgreSQL database (issue 16). Needs ROMA_TEST_DATABASE_URL.
@Suite(
    "PostgreSQL replicas: any replica answers, limits hold across them, a dead one's work is taken over",
    .enabled(if: StoreFixture.postgresURL != nil, StoreFixture.postgresSkipReason))
struct PostgreSQLReplicaTests {
    static let body = #"{"goal": "Research AI trends in 2025", "max_depth": 1}"#

    @Test func fiftyConcurrentCreatesWithOneIdempotencyKeyOverThreeReplicasMakeOneExecution() async throws {
        let counter = CallCounter()
        let models = (0..<3).map { _ in CountingModel(counter: counter) }
        try await ReplicaSet.with(models: models) { replicas in
            let responses = try await withThrowingTaskGroup(of: TestResponse.self) { group in
                for index in 0..<50 {
                    group.addTask {
                        try await replicas.request(
                            index % 3, .POST, "/api/v1/executions", key: replicas.key, body: Self.body,
                            headers: [("X-Idempotency-Key", "one-key")])
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(responses.allSatisfy { $0.status == 202 })
            let ids = Set(responses.compactMap { $0.json?["execution_id"]?.stringValue })
            #expect(ids.count == 1)
            let list = try await replicas.request(1, .GET, "/api/v1/executions", key: replicas.key)
            #expect(list.json?["pagination"]?["total"]?.intValue == 1)
        }
    }

    @Test func aDailyLimitOfOneHundredOverThreeReplicasAdmitsExactlyOneHundred() async throws {
        let models = (0..<3).map { _ in CountingModel(counter: CallCounter()) }
        try await ReplicaSet.with(models: models, configuration: ServerConfiguration(dailyRequestLimit: 100)) { replicas in
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<150 {
                    group.addTask { try await replicas.request(index % 3, .GET, "/api/v1/executions", key: replicas.key).status }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == 200 }.count == 100)
            #expect(statuses.filter { $0 == 429 }.count == 50)
        }
    }

    @Test func anyReplicaShowsLiveProgressAndCancelReachesTheReplicaThatRunsIt() async throws {
        let gate = Gate()
        let counter = CallCounter()
        var configuration = ServerConfiguration()
        configuration.heartbeatInterval = .milliseconds(50)
        let models: [any LanguageModel] = [
            CountingModel(counter: counter, gate: gate, answering: 0), CountingModel(counter: counter),
            CountingModel(counter: counter),
        ]
        try await ReplicaSet.with(models: models, configuration: configuration) { replicas in
            let created = try await replicas.request(0, .POST, "/api/v1/executions", key: replicas.key, body: Self.body)
            let id = try #require(created.json?["execution_id"]?.stringValue)
            await gate.waitForArrivals(1)  // replica 0 runs it and waits in its first call
            let status = try await replicas.request(1, .GET, "/api/v1/executions/\(id)/status", key: replicas.key)
            #expect(status.json?["status"]?.stringValue == "running")
            #expect(status.json?["current_step"]?.stringValue == "Research AI trends in 2025")
            let dag = try await replicas.request(2, .GET, "/api/v1/executions/\(id)/dag", key: replicas.key)
            #expect(dag.json?["dag"]?["nodes"]?.arrayValue?.first?["status"]?.stringValue == "running")
            let cancel = try await replicas.request(2, .POST, "/api/v1/executions/\(id)/cancel", key: replicas.key)
            #expect(cancel.status == 200)
            // Replica 0 notices on its next heartbeat, stops its engine and records the outcome.
            let finished = await replicas.finished.wait(for: id)
            #expect(finished.status == .cancelled)
            #expect(await counter.total == 0)
        }
    }

    @Test func aStoppedReplicasExecutionIsTakenOverReplayingItsFinishedCalls() async throws {
        let gate = Gate()
        let counter = CallCounter()
        var configuration = ServerConfiguration()
        // A lease long enough that a heartbeat delayed by a loaded machine (seconds of scheduling
        // delay were seen with parallel suites) does not lapse a healthy replica's own claim.
        configuration.heartbeatInterval = .milliseconds(100)
        configuration.leaseDuration = .seconds(3)
        // Replica 0 answers 3 calls, then hangs in the 4th; replica 1 is healthy.
        let models: [any LanguageModel] = [CountingModel(counter: counter, gate: gate, answering: 3), CountingModel(counter: counter)]
        try await ReplicaSet.with(models: models, configuration: configuration) { replicas in
            let created = try await replicas.request(
                0, .POST, "/api/v1/executions", key: replicas.key, body: #"{"goal": "Compare three databases", "max_depth": 2}"#)
            let id = try #require(created.json?["execution_id"]?.stringValue)
            await gate.waitForArrivals(1)  // replica 0 has let 3 calls through and hangs in the next
            await replicas.stop(0)
            let finished = await replicas.finished.wait(for: id)
            #expect(finished.status == .completed)
            #expect(finished.restarts == 1)
            // No call was answered twice: the three replica 0 finished were replayed.
            let counts = await counter.counts
            #expect(counts.values.allSatisfy { $0 == 1 }, "calls answered twice: \(counts.filter { $0.value > 1 })")
            #expect((finished.metrics?.agentCalls ?? 0) == counts.count)
        }
    }
}
