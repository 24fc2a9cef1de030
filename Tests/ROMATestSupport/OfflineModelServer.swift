import Foundation
internal import NIOCore
internal import NIOHTTP1
internal import NIOPosix
import ROMACore
import ROMAEngine
import Synchronization

/// An OpenAI-compatible server on loopback that answers every chat completion as the offline
/// model does, a fixed latency after the request arrived: the model of `roma-bench scale`.
///
/// `MockOpenAIServer` answers the same bytes (`OfflineModelServerTests` holds them equal), but it
/// is built for tests: Hummingbird's router, a task and a `Task.sleep` per request, every request
/// kept in its journal. In the scale benchmark it used more CPU than the runner it served, on the
/// same two cores, so the runner's measured CPU included the cost of sharing them. Here a request
/// is NIO's HTTP/1 codec and one handler on one event loop; the latency is a timer on that loop.
public final class OfflineModelServer: Sendable {
    /// The API root to give a client: `http://127.0.0.1:PORT/v1`.
    public let baseURL: URL
    private let group: MultiThreadedEventLoopGroup
    private let channel: any Channel

    private init(baseURL: URL, group: MultiThreadedEventLoopGroup, channel: any Channel) {
        self.baseURL = baseURL
        self.group = group
        self.channel = channel
    }

    /// Starts a server on 127.0.0.1, on a free port.
    public static func start(latency: Duration) throws -> OfflineModelServer {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let counter = Counter()
        do {
            let channel = try ServerBootstrap(group: group)
                .serverChannelOption(.backlog, value: 256)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                        try channel.pipeline.syncOperations.addHandler(Handler(latency: TimeAmount(latency), counter: counter))
                    }
                }
                .bind(host: "127.0.0.1", port: 0).wait()
            guard let port = channel.localAddress?.port, let url = URL(string: "http://127.0.0.1:\(port)/v1") else {
                throw MockServerError(message: "the offline model server did not start")
            }
            return OfflineModelServer(baseURL: url, group: group, channel: channel)
        } catch {
            try? group.syncShutdownGracefully()
            throw error
        }
    }

    /// Closes the listening socket and every connection, and stops the event loop.
    public func stop() {
        try? channel.close().wait()
        try? group.syncShutdownGracefully()
    }

    /// The answer to a request body, as `MockOpenAIServer` gives it with its `offlineModel`
    /// script: the offline model's completion (`index`: how many requests were answered so far,
    /// which the answer's `id` carries), or a 400 for a body that is not a JSON object (which the
    /// mock's journal does not count, so neither may the caller).
    public static func answer(body: String, index: Int) -> (status: Int, body: String) {
        guard let request = MockChatRequest(index: index, body: body) else {
            return (400, MockOpenAIServer.errorBody(400, MockOpenAIServer.notJSONMessage))
        }
        let content = OfflineModel.answer(request.chatRequest).content
        return (200, MockOpenAIServer.completion(content, usage: nil, finishReason: "stop", request: request))
    }

    /// How many requests the server has answered (each answer's `id` carries its index). Read and
    /// written on the server's one event loop only.
    private final class Counter: Sendable {
        let requests = Atomic<Int>(0)
    }

    /// Collects a request and answers it once the latency has passed since its head arrived.
    private final class Handler: ChannelInboundHandler {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart

        let latency: TimeAmount
        let counter: Counter
        var arrival = NIODeadline.now()
        var body = ByteBuffer()
        var keepAlive = true
        var path = ""

        init(latency: TimeAmount, counter: Counter) {
            self.latency = latency
            self.counter = counter
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head):
                arrival = .now()
                keepAlive = head.isKeepAlive
                path = head.uri
                body.clear()
            case .body(var chunk):
                body.writeBuffer(&chunk)
            case .end:
                // Only chat completions: another path is a 404 with no body, as the mock's router gives.
                let (status, bytes): (HTTPResponseStatus, String)
                if path.hasSuffix("/chat/completions") {
                    let index = counter.requests.load(ordering: .relaxed)
                    let answer = OfflineModelServer.answer(body: String(buffer: body), index: index)
                    if answer.status == 200 { counter.requests.store(index + 1, ordering: .relaxed) }
                    (status, bytes) = (HTTPResponseStatus(statusCode: answer.status), answer.body)
                } else {
                    (status, bytes) = (.notFound, "")
                }
                let keepAlive = keepAlive
                let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
                context.eventLoop.scheduleTask(deadline: arrival + latency) {
                    let context = bound.value
                    var head = HTTPResponseHead(version: .http1_1, status: status)
                    if !bytes.isEmpty { head.headers.add(name: "Content-Type", value: "application/json") }
                    head.headers.add(name: "Content-Length", value: String(bytes.utf8.count))
                    if !keepAlive { head.headers.add(name: "Connection", value: "close") }
                    context.write(Self.wrapOutboundOut(.head(head)), promise: nil)
                    context.write(Self.wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: bytes)))), promise: nil)
                    let sent = context.writeAndFlush(Self.wrapOutboundOut(.end(nil)))
                    if !keepAlive { sent.whenComplete { _ in bound.value.close(promise: nil) } }
                }
            }
        }
    }
}
