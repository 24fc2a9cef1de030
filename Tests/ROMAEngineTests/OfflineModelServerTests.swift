import Foundation
import ROMACore
import ROMAEngine
import ROMATestSupport
import Testing

/// `roma-bench scale`'s model server: it must answer what the tests' mock server answers with
/// the offline model's script, byte for byte, so that a scale run does the same work whichever of
/// the two serves it (the benchmark compares them).
@Suite("Offline model server")
struct OfflineModelServerTests {
    @Test("the request bodies of real runs get the mock's answers, byte for byte")
    func sameBytes() async throws {
        // Real requests: three example goals run against the mock.
        let bodies = try await MockOpenAIServer.withServer(MockOpenAIServer.offlineModel) { mock in
            for request in OfflineModelTests.exampleGoals.prefix(3) {
                let model = OpenAIModel(configuration: .init(baseURL: mock.baseURL.absoluteString, apiKey: "sk-test"))
                #expect(await ExecutionEngine(model: model).run(request).status == .completed)
            }
            return mock.journal.all.map(\.body)
        }
        #expect(bodies.count > 10)

        // The same bodies, in the same order, to a fresh mock and to the server: the answers'
        // `id`s count requests from 0 in both.
        let server = try OfflineModelServer.start(latency: .zero)
        defer { server.stop() }
        try await MockOpenAIServer.withServer(MockOpenAIServer.offlineModel) { mock in
            for body in bodies {
                let expected = try await Self.post(body, to: mock.port)
                let answered = try await Self.post(body, to: server.baseURL.port ?? 0)
                #expect(expected.status == 200)
                #expect(answered.status == 200)
                #expect(answered.body == expected.body)
            }
            let garbage = try await Self.post("not json", to: server.baseURL.port ?? 0)
            #expect(garbage.status == 400)
        }
    }

    @Test("a goal served by it runs as on the in-process offline model")
    func sameRun() async throws {
        let server = try OfflineModelServer.start(latency: .milliseconds(1))
        defer { server.stop() }
        let request = try #require(OfflineModelTests.exampleGoals.first)
        let model = OpenAIModel(configuration: .init(baseURL: server.baseURL.absoluteString, apiKey: "sk-test"))
        let served = await ExecutionEngine(model: model).run(request)
        let offline = await ExecutionEngine(model: OfflineModel()).run(request)
        #expect(served.status == .completed)
        #expect(served.result == offline.result)
        #expect(served.dag.nodes.map(\.id) == offline.dag.nodes.map(\.id))
        #expect(served.calls.map(\.response) == offline.calls.map(\.response))
        #expect(served.calls.map(\.usage) == offline.calls.map(\.usage))
    }

    /// POSTs a body to `/v1/chat/completions` on a loopback port with `Connection: close` and
    /// reads the whole answer, on a thread of its own (the servers' tasks need the pool).
    static func post(_ body: String, to port: Int) async throws -> (status: Int, body: String) {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result { try exchange(body, port: port) })
            }
        }
    }

    private static func exchange(_ body: String, port: Int) throws -> (status: Int, body: String) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        guard connected else { throw ExchangeError("cannot connect to port \(port)") }
        let request = Array(
            ("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                + "Content-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n" + body).utf8)
        var sent = 0
        while sent < request.count {
            let n = request[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
            guard n > 0 else { throw ExchangeError("send failed") }
            sent += n
        }
        var answer: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard n > 0 else { break }
            answer += buffer[0..<n]
        }
        let text = String(decoding: answer, as: UTF8.self)
        guard let split = text.range(of: "\r\n\r\n"), let status = Int(text.split(separator: " ").dropFirst().first ?? "") else {
            throw ExchangeError("no HTTP answer from port \(port)")
        }
        return (status, String(text[split.upperBound...]))
    }
}

/// A raw exchange with a test server failed.
private struct ExchangeError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
