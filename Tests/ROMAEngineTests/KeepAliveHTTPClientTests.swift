import Foundation
import NIOCore
import NIOEmbedded
import NIOHTTP1
import NIOPosix
import ROMAClient
import ROMACore
import ROMATestSupport
import Synchronization
import Testing

@testable import ROMAEngine

/// The keep-alive client that carries calls to `http://` endpoints, against a server whose every
/// answer is scripted at the socket: kept and closed connections, chunked bodies, answers that
/// never come.
@Suite("Calls to an http:// endpoint reuse their connections and survive the server closing them")
struct KeepAliveHTTPClientTests {
    static let completion = #"{"choices":[{"message":{"role":"assistant","content":"fine"},"finish_reason":"stop"}]}"#
    static let request = ChatRequest(model: "m", messages: [ChatMessage(role: "user", content: "hi")], temperature: 0, maxTokens: 10)
    static let context = CallContext(goalID: "g", nodeID: "n", purpose: "execute")

    @Test func aConnectionCarriesOneCallAfterAnother() async throws {
        try await ScriptedServer { _ in .answer(Self.completion) }.run { server async throws in
            let model = OpenAIModel(configuration: .init(baseURL: server.baseURL))
            for _ in 0..<3 { #expect(try await model.complete(Self.request, context: Self.context).content == "fine") }
            #expect(server.requests == 3)
            #expect(server.connections == 1)
            #expect(server.paths == Array(repeating: "POST /v1/chat/completions", count: 3))
        }
    }

    @Test func aKeptConnectionTheServerClosedIsReplacedWithoutAnError() async throws {
        // The second request arrives on the kept connection and the server closes it unanswered,
        // as a server does whose idle timeout fires just as the request is sent.
        try await ScriptedServer { index in index == 1 ? .closeUnanswered : .answer(Self.completion) }.run { server async throws in
            let model = OpenAIModel(configuration: .init(baseURL: server.baseURL))
            #expect(try await model.complete(Self.request, context: Self.context).content == "fine")
            #expect(try await model.complete(Self.request, context: Self.context).content == "fine")
            #expect(server.requests == 3)
            #expect(server.connections == 2)
        }
    }

    @Test func aNewConnectionClosedUnansweredIsATransportErrorNotARetry() async throws {
        try await ScriptedServer { _ in .closeUnanswered }.run { server async throws in
            let model = OpenAIModel(configuration: .init(baseURL: server.baseURL))
            let error = await #expect(throws: LLMError.self) { try await model.complete(Self.request, context: Self.context) }
            #expect(error?.code == .transport)
            #expect(error?.message == "request to \(server.baseURL) failed: the server closed the connection without answering")
            #expect(server.requests == 1)
        }
    }

    @Test func anAnswerThatClosesTheConnectionIsNotReused() async throws {
        try await ScriptedServer { _ in .answer(Self.completion, close: true) }.run { server async throws in
            let model = OpenAIModel(configuration: .init(baseURL: server.baseURL))
            for _ in 0..<2 { #expect(try await model.complete(Self.request, context: Self.context).content == "fine") }
            #expect(server.connections == 2)
        }
    }

    @Test func aChunkedAnswerIsJoined() async throws {
        try await ScriptedServer { _ in .chunked(Self.completion) }.run { server async throws in
            let model = OpenAIModel(configuration: .init(baseURL: server.baseURL))
            #expect(try await model.complete(Self.request, context: Self.context).content == "fine")
            #expect(try await model.complete(Self.request, context: Self.context).content == "fine")
            #expect(server.connections == 1)
        }
    }

    @Test func anAnswerCutShortIsATransportError() async throws {
        try await ScriptedServer { _ in .truncated(Self.completion) }.run { server async throws in
            let model = OpenAIModel(configuration: .init(baseURL: server.baseURL))
            let error = await #expect(throws: LLMError.self) { try await model.complete(Self.request, context: Self.context) }
            #expect(error?.message == "request to \(server.baseURL) failed: the connection closed before the answer was complete")
        }
    }

    @Test func anAnswerLargerThanTheLimitIsRefused() async throws {
        try await ScriptedServer { _ in .answer(String(repeating: "x", count: 5000)) }.run { server async throws in
            let client = KeepAliveHTTPClient(maxBodySize: 4096)
            let target = try #require(KeepAliveHTTPClient.Target(URL(string: server.baseURL + "/chat/completions")!))
            await #expect(throws: KeepAliveHTTPClient.Failure.self) {
                _ = try await client.post(target, headers: [:], body: ByteBuffer(string: "{}"), deadline: .now() + .seconds(30))
            }
            #expect(TransportFailure.describe(KeepAliveHTTPClient.Failure.tooLarge(limit: 32 << 20)) == "the answer is larger than 32 MiB")
        }
    }

    @Test func anAnswerThatNeverComesTimesOut() async throws {
        try await ScriptedServer { _ in .silence }.run { server async throws in
            let model = OpenAIModel(configuration: .init(baseURL: server.baseURL, timeout: .milliseconds(200)))
            let error = await #expect(throws: LLMError.self) { try await model.complete(Self.request, context: Self.context) }
            #expect(error?.code == .timeout)
        }
    }

    /// NIO cannot abandon a connect in flight; the call returns at once all the same (a Ctrl-C
    /// used to wait out the connect timeout, 10 s by default), and the late connection is closed.
    @Test(.timeLimit(.minutes(1)))
    func aCallCancelledWhileConnectingReturnsAtOnce() async throws {
        let hanging = try UnansweredPort()
        let client = KeepAliveHTTPClient(connectTimeout: .seconds(120))
        let target = try #require(KeepAliveHTTPClient.Target(URL(string: "http://127.0.0.1:\(hanging.port)/v1/chat/completions")!))
        let call = Task {
            try await client.post(target, headers: [:], body: ByteBuffer(string: "{}"), deadline: .now() + .seconds(120))
        }
        call.cancel()
        await #expect(throws: CancellationError.self) { _ = try await call.value }
        withExtendedLifetime(hanging) {}
    }

    @Test func urlsAreSplitIntoHostPortAndPath() throws {
        let plain = try #require(KeepAliveHTTPClient.Target(URL(string: "http://localhost:8080/v1/chat/completions?x=1")!))
        #expect(plain.host == "localhost")
        #expect(plain.port == 8080)
        #expect(plain.authority == "localhost:8080")
        #expect(plain.path == "/v1/chat/completions?x=1")
        let bare = try #require(KeepAliveHTTPClient.Target(URL(string: "http://models.internal/chat/completions")!))
        #expect(bare.port == 80)
        #expect(bare.authority == "models.internal")
        let v6 = try #require(KeepAliveHTTPClient.Target(URL(string: "http://[::1]:9000/v1")!))
        #expect(v6.host == "::1")
        #expect(v6.authority == "[::1]:9000")
        #expect(KeepAliveHTTPClient.Target(URL(string: "https://api.openai.com/v1/chat/completions")!) == nil)
    }
}

/// A loopback HTTP/1.1 server whose answer to each request (numbered from 0 across connections)
/// is scripted at the byte level.
final class ScriptedServer: Sendable {
    enum Reply: Sendable {
        /// A 200 with a `Content-Length` body; `close`: with `Connection: close`, then closed.
        case answer(String, close: Bool = false)
        /// A 200 whose body is sent in two chunks.
        case chunked(String)
        /// Half the body of a 200 that announced all of it, then the connection closed.
        case truncated(String)
        /// The connection closed, the request unanswered.
        case closeUnanswered
        /// Nothing: the request is never answered.
        case silence
    }

    private struct Counts {
        var requests = 0
        var connections = 0
        var paths: [String] = []
    }

    private let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    private let counts = Mutex(Counts())
    private let script: @Sendable (Int) -> Reply
    private let port = Mutex(0)

    var baseURL: String { "http://127.0.0.1:\(port.withLock { $0 })/v1" }
    var requests: Int { counts.withLock { $0.requests } }
    var connections: Int { counts.withLock { $0.connections } }
    var paths: [String] { counts.withLock { $0.paths } }

    init(script: @escaping @Sendable (Int) -> Reply) { self.script = script }

    /// Runs `body` with this server answering; stops it when `body` returns or throws.
    /// (Stopping waits for the server's event loop without blocking a thread of Swift's pool,
    /// where other suites' servers and engines run.)
    func run<T>(_ body: (ScriptedServer) async throws -> T) async throws -> T {
        do {
            let channel = try await ServerBootstrap(group: group)
                .childChannelInitializer { channel in
                    self.counts.withLock { $0.connections += 1 }
                    return channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(Connection(server: self))
                    }
                }
                .bind(host: "127.0.0.1", port: 0).get()
            port.withLock { $0 = channel.localAddress?.port ?? 0 }
            let value = try await body(self)
            await stop()
            return value
        } catch {
            await stop()
            throw error
        }
    }

    private func stop() async {
        try? await group.shutdownGracefully()
    }

    /// Takes the next request's number and its first line.
    fileprivate func received(_ line: String) -> Reply {
        let index = counts.withLock { counts in
            counts.paths.append(line.split(separator: " ").prefix(2).joined(separator: " "))
            defer { counts.requests += 1 }
            return counts.requests
        }
        return script(index)
    }

    /// Reads requests (head and `Content-Length` body) and writes their scripted replies.
    private final class Connection: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer

        let server: ScriptedServer
        var pending = ByteBuffer()

        init(server: ScriptedServer) { self.server = server }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var bytes = unwrapInboundIn(data)
            pending.writeBuffer(&bytes)
            while let text = pending.getString(at: pending.readerIndex, length: pending.readableBytes),
                let end = text.range(of: "\r\n\r\n")
            {
                let head = String(text[..<end.lowerBound])
                let length =
                    head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-length:") }
                    .flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) } ?? 0
                let size = text.utf8.distance(from: text.startIndex, to: end.upperBound) + length
                guard pending.readableBytes >= size else { return }
                pending.moveReaderIndex(forwardBy: size)
                reply(server.received(String(head.prefix { $0 != "\r" })), context: context)
            }
        }

        private func reply(_ reply: Reply, context: ChannelHandlerContext) {
            func send(_ text: String) { context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: text)), promise: nil) }
            switch reply {
            case .answer(let body, let close):
                let connection = close ? "Connection: close\r\n" : ""
                send("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\(connection)Content-Length: \(body.utf8.count)\r\n\r\n\(body)")
                if close { context.close(promise: nil) }
            case .chunked(let body):
                let half = body.index(body.startIndex, offsetBy: body.count / 2)
                let parts = [String(body[..<half]), String(body[half...])]
                send(
                    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + parts.map { String($0.utf8.count, radix: 16) + "\r\n" + $0 + "\r\n" }.joined() + "0\r\n\r\n")
            case .truncated(let body):
                send("HTTP/1.1 200 OK\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body.prefix(body.count / 2))")
                context.close(promise: nil)
            case .closeUnanswered:
                context.close(promise: nil)
            case .silence:
                break
            }
        }
    }
}

@Suite("A request's body is the chat completions JSON, keys sorted")
struct RequestBodyTests {
    /// The body as the provider built it before it was written directly: dictionaries of
    /// `JSONValue`s in the API's shape, written canonically.
    static func expected(_ request: ChatRequest, format: ResponseFormatNegotiator.Mode) -> [UInt8] {
        var body: [String: JSONValue] = [
            "model": .string(request.model), "temperature": .double(request.temperature), "max_tokens": .int(request.maxTokens),
            "messages": .array(
                request.messages.map { message in
                    var object: [String: JSONValue] = ["role": .string(message.role), "content": .string(message.content)]
                    if let calls = message.toolCalls {
                        object["tool_calls"] = .array(
                            calls.map {
                                .object([
                                    "id": .string($0.id), "type": .string("function"),
                                    "function": .object(["name": .string($0.name), "arguments": .string($0.arguments)]),
                                ])
                            })
                    }
                    if let id = message.toolCallID { object["tool_call_id"] = .string(id) }
                    return .object(object)
                }),
        ]
        if let tools = request.tools {
            body["tools"] = .array(
                tools.map {
                    .object([
                        "type": .string("function"),
                        "function": .object([
                            "name": .string($0.name), "description": .string($0.description), "parameters": $0.inputSchema,
                        ]),
                    ])
                })
        }
        if let schema = request.responseSchema, format != .plain {
            body["response_format"] =
                format == .jsonSchema
                ? .object([
                    "type": .string("json_schema"),
                    "json_schema": .object(["name": .string(schema.name), "schema": schema.schema, "strict": .bool(false)]),
                ])
                : .object(["type": .string("json_object"), "schema": schema.schema])
        }
        return JSONValue.object(body).canonicalLine
    }

    static let schema = ResponseSchema(
        name: "plan", schema: .object(["type": .string("object"), "properties": .object(["x": .object(["type": .string("string")])])]))
    static let tools = [
        ToolDefinition(
            server: "s", tool: "fetch", description: "Fetches \"a\" URL\n", inputSchema: .object(["type": .string("object")]))
    ]
    static let messages = [
        ChatMessage(role: "system", content: "You plan.\n\t\u{1}é 😀 </tags>"),
        ChatMessage(role: "assistant", content: "", toolCalls: [ToolCall(id: "call_0", name: "fetch", arguments: #"{"url":"x"}"#)]),
        ChatMessage(role: "tool", content: "result", toolCallID: "call_0"),
    ]

    @Test(arguments: ResponseFormatNegotiator.Mode.allCases)
    func theBodyIsWhatTheAPIsShapeWrittenCanonicallyIs(format: ResponseFormatNegotiator.Mode) {
        let requests = [
            ChatRequest(model: "m", messages: Self.messages, temperature: 0.7, maxTokens: 2000),
            ChatRequest(model: "m", messages: Self.messages, temperature: 0, maxTokens: 1, responseSchema: Self.schema),
            ChatRequest(model: "gpt-4o", messages: Self.messages, temperature: 1.25, maxTokens: 9, tools: Self.tools),
            ChatRequest(model: "m", messages: [], temperature: 0, maxTokens: 0, responseSchema: Self.schema, tools: Self.tools),
        ]
        for request in requests {
            #expect(OpenAIModel.body(request, format: format) == Self.expected(request, format: format))
        }
    }
}

/// A connection's deadlines on a virtual clock: one timer per connection, re-armed for the
/// exchange in flight.
@Suite("A kept connection times each exchange out at that exchange's own deadline")
struct ExchangeDeadlineTests {
    typealias Handler = KeepAliveHTTPClient.ExchangeHandler

    let channel = EmbeddedChannel(handler: Handler(maxBodySize: 1 << 20))
    var loop: EmbeddedEventLoop { channel.embeddedEventLoop }

    init() throws {
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 8080)).wait()
    }

    /// Writes an exchange due `after` from now; its answer's future.
    func send(dueIn after: TimeAmount) throws -> EventLoopFuture<KeepAliveHTTPClient.Answer> {
        let answer = loop.makePromise(of: KeepAliveHTTPClient.Answer.self)
        let head = HTTPRequestHead(version: .http1_1, method: .POST, uri: "/v1/chat/completions")
        try channel.writeOutbound(
            KeepAliveHTTPClient.Exchange(head: head, body: ByteBuffer(string: "{}"), answer: answer, deadline: loop.now + after))
        return answer.futureResult
    }

    func answer() throws {
        try channel.writeInbound(HTTPClientResponsePart.head(HTTPResponseHead(version: .http1_1, status: .ok)))
        try channel.writeInbound(HTTPClientResponsePart.body(ByteBuffer(string: "{}")))
        try channel.writeInbound(HTTPClientResponsePart.end(nil))
    }

    /// The exchange's outcome, nil while it is in flight.
    func outcome(_ future: EventLoopFuture<KeepAliveHTTPClient.Answer>) -> Result<Int, any Error>? {
        var result: Result<Int, any Error>?
        future.whenComplete { result = $0.map(\.status) }
        return result
    }

    func timedOut(_ outcome: Result<Int, any Error>?) -> Bool {
        guard case .failure(KeepAliveHTTPClient.Failure.timedOut) = outcome else { return false }
        return true
    }

    @Test func aLaterDeadlineIsKeptByReArmingTheTimer() throws {
        let first = try send(dueIn: .seconds(10))
        try answer()
        #expect(try outcome(first)?.get() == 200)
        loop.advanceTime(by: .seconds(5))
        let second = try send(dueIn: .seconds(10))  // due at 15 s; the timer is set for 10 s
        loop.advanceTime(by: .seconds(5))
        #expect(outcome(second) == nil, "the first exchange's deadline must not end the second")
        #expect(channel.isActive)
        loop.advanceTime(by: .milliseconds(4999))
        #expect(outcome(second) == nil)
        loop.advanceTime(by: .milliseconds(1))
        #expect(timedOut(outcome(second)))
        #expect(!channel.isActive)
    }

    @Test func aSoonerDeadlineIsKeptThoughATimerIsSetLater() throws {
        let first = try send(dueIn: .seconds(600))
        try answer()
        #expect(try outcome(first)?.get() == 200)
        let second = try send(dueIn: .seconds(1))
        loop.advanceTime(by: .milliseconds(999))
        #expect(outcome(second) == nil)
        loop.advanceTime(by: .milliseconds(1))
        #expect(timedOut(outcome(second)))
    }

    @Test func anIdleConnectionOutlivesItsLastDeadline() throws {
        let first = try send(dueIn: .seconds(1))
        try answer()
        #expect(try outcome(first)?.get() == 200)
        loop.advanceTime(by: .seconds(60))
        #expect(channel.isActive)
        let second = try send(dueIn: .seconds(1))
        try answer()
        #expect(try outcome(second)?.get() == 200)
    }
}
