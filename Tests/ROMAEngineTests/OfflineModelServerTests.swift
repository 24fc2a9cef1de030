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
    @Test("the request bodies of real runs, a body that is not JSON and another path get the mock's answers, byte for byte")
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
        // A body that is not JSON in the middle: neither server counts it, so later `id`s still agree.
        var exchanges = bodies.map { (path: "/v1/chat/completions", body: $0) }
        exchanges.insert((path: "/v1/chat/completions", body: "not json"), at: 5)
        exchanges.insert((path: "/v1/models", body: ""), at: 8)

        // The same exchanges, in the same order, to a fresh mock and to the server: the answers'
        // `id`s count requests from 0 in both.
        let server = try OfflineModelServer.start(latency: .zero)
        defer { server.stop() }
        try await MockOpenAIServer.withServer(MockOpenAIServer.offlineModel) { mock in
            for exchange in exchanges {
                let expected = try await Self.post(exchange.body, path: exchange.path, to: mock.port)
                let answered = try await Self.post(exchange.body, path: exchange.path, to: server.baseURL.port ?? 0)
                #expect(answered.status == expected.status, "\(exchange.path) \(exchange.body.prefix(40))")
                #expect(answered.body == expected.body)
                #expect(answered.contentType == expected.contentType)
            }
        }
        let statuses = try await exchanges.asyncMap { try await Self.post($0.body, path: $0.path, to: server.baseURL.port ?? 0).status }
        #expect(statuses.filter { $0 == 200 }.count == bodies.count)
        #expect(statuses[5] == 400)
        #expect(statuses[8] == 404)
    }

    @Test("a goal served by it runs as on the in-process offline model")
    func sameRun() async throws {
        let server = try OfflineModelServer.start(latency: .zero)
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

    /// One answer: its status, its `Content-Type` and its body, read to its `Content-Length`.
    struct Answer {
        var status: Int
        var contentType: String?
        var body: String
    }

    /// POSTs a body on a loopback port with `Connection: close` and reads the answer, on a thread
    /// of its own (the servers' tasks need the pool). The answer must end where its
    /// `Content-Length` says and the server must then close the connection (10 s at most).
    static func post(_ body: String, path: String, to port: Int) async throws -> Answer {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result { try exchange(body, path: path, port: port) })
            }
        }
    }

    private static func exchange(_ body: String, path: String, port: Int) throws -> Answer {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        guard connected else { throw ExchangeError("cannot connect to port \(port)") }
        let request = Array(
            ("POST \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
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
            if n == 0 { break }  // closed: the whole answer is in
            guard n > 0 else { throw ExchangeError("port \(port) neither finished its answer nor closed the connection") }
            answer += buffer[0..<n]
        }
        let separator = Array("\r\n\r\n".utf8)
        guard let end = (0...max(0, answer.count - 4)).first(where: { Array(answer[$0..<min($0 + 4, answer.count)]) == separator }) else {
            throw ExchangeError("no HTTP head from port \(port)")
        }
        let lines = String(decoding: answer[..<end], as: UTF8.self).components(separatedBy: "\r\n")
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        guard let status = Int(lines[0].split(separator: " ").dropFirst().first ?? "") else {
            throw ExchangeError("no status line from port \(port)")
        }
        let content = Array(answer[(end + 4)...])
        guard Int(headers["content-length"] ?? "") == content.count else {
            throw ExchangeError("port \(port): Content-Length \(headers["content-length"] ?? "none") for \(content.count) bytes")
        }
        return Answer(status: status, contentType: headers["content-type"], body: String(decoding: content, as: UTF8.self))
    }
}

/// A raw exchange with a test server failed.
private struct ExchangeError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

extension Array {
    fileprivate func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var results: [T] = []
        for element in self { results.append(try await transform(element)) }
        return results
    }
}
