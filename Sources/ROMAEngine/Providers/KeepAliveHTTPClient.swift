import Foundation
internal import NIOCore
internal import NIOHTTP1
internal import NIOPosix
import ROMAClient
import Synchronization

/// A keep-alive HTTP/1.1 client for model endpoints on plain `http://`: local model servers
/// (vLLM, llama.cpp, Ollama, LiteLLM) and the mock, where a batch makes hundreds of calls a
/// second. `https://` endpoints keep AsyncHTTPClient (TLS, proxies, redirects).
///
/// Why not AsyncHTTPClient on this path (measured, `perf` of a 2,000-goal `roma-bench scale`,
/// release): its own code (request and connection-pool state machines, the request bag, task and
/// delegate) was 9.5 % of the runner's CPU and the NIO pipeline work it drives another 5 %; and
/// it wrote a request's head and body with two `write(2)`s, so every call cost two TCP segments.
/// Here a call is NIO's HTTP/1 codec plus one handler that collects the answer: the head and body
/// leave in one `writev(2)`, and the answer completes a promise on the connection's event loop.
///
/// Connections are kept per host and port and reused; one on the calling task's event loop is
/// preferred, so with the event loops as the executor (`roma run`) a call's task, its connection
/// and its answer stay on one thread. A kept connection that the server closed while it was idle
/// fails before any answer; the request is then sent again on another connection at once (the
/// server never answered it). Nothing else is retried here: the engine's retry policy decides.
final class KeepAliveHTTPClient: Sendable {
    /// Where a request goes.
    struct Target: Sendable, Hashable {
        var host: String
        var port: Int
        /// The `Host` header: `host`, or `host:port` for a port other than 80.
        var authority: String
        /// The path and query of the URL.
        var path: String

        /// An `http://` URL's parts; nil for any other scheme or a URL without a host.
        init?(_ url: URL) {
            guard url.scheme?.lowercased() == "http", let host = url.host, !host.isEmpty else { return nil }
            self.host = host
            port = url.port ?? 80
            let bracketed = host.contains(":") ? "[\(host)]" : host
            authority = url.port.map { "\(bracketed):\($0)" } ?? bracketed
            let query = url.query.map { "?\($0)" } ?? ""
            path = (url.path.isEmpty ? "/" : url.path) + query
        }
    }

    /// A host and port: what a connection is kept for.
    struct Origin: Hashable {
        var host: String
        var port: Int
    }

    /// A whole answer.
    struct Answer: Sendable {
        var status: Int
        var headers: HTTPHeaders
        var body: ByteBuffer
        /// Whether the connection may carry another request.
        var reusable: Bool
    }

    /// Why an exchange failed, beyond the socket's own errors.
    enum Failure: Error {
        /// The connection closed or broke before an answer's head arrived (the cause, if the
        /// socket gave one). On a kept connection: the server closed it while it was idle.
        case unanswered((any Error)?)
        /// The connection closed before the answer's body was complete.
        case truncated
        /// The deadline passed.
        case timedOut
        /// The answer's body is larger than the limit.
        case tooLarge(limit: Int)
    }

    /// The process-wide client.
    static let shared = KeepAliveHTTPClient()

    private let group: any EventLoopGroup
    /// The group's loops: a connection is opened on the caller's loop only if it is one of them
    /// (a loop of another group, such as a server's, may shut down with its group).
    private let loops: [any EventLoop]
    /// The largest answer body taken.
    private let maxBodySize: Int
    /// How long a connection may take to open (the call's deadline, if sooner).
    private let connectTimeout: TimeAmount
    /// Idle connections per host and port, most recently used last.
    private let idle = Mutex<[Origin: [any Channel]]>([:])
    /// At most this many idle connections are kept per host and port; more are closed.
    private let maxIdle = 256

    init(
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, maxBodySize: Int = 32 << 20,
        connectTimeout: TimeAmount = .seconds(10)
    ) {
        self.group = group
        loops = Array(group.makeIterator())
        self.maxBodySize = maxBodySize
        self.connectTimeout = connectTimeout
    }

    /// Sends a POST and waits for the whole answer, or for `deadline`.
    func post(_ target: Target, headers: HTTPHeaders, body: ByteBuffer, deadline: NIODeadline) async throws -> Answer {
        var head = HTTPRequestHead(version: .http1_1, method: .POST, uri: target.path, headers: headers)
        head.headers.add(name: "Host", value: target.authority)
        head.headers.add(name: "Content-Length", value: String(body.readableBytes))
        while true {
            let (channel, kept) = try await connection(to: target, deadline: deadline)
            do {
                let answer = try await exchange(on: channel, head: head, body: body, deadline: deadline)
                if answer.reusable { keep(channel, for: target) }
                return answer
            } catch Failure.unanswered where kept && !Task.isCancelled {
                continue  // the server closed the kept connection while it was idle
            }
        }
    }

    /// An idle connection to `target` (one on the calling thread's event loop if there is one)
    /// or a new one; whether it was kept from an earlier request.
    private func connection(to target: Target, deadline: NIODeadline) async throws -> (any Channel, kept: Bool) {
        let current = MultiThreadedEventLoopGroup.currentEventLoop.flatMap { loop in loops.first { $0 === loop } }
        while let channel = takeIdle(target, preferring: current) {
            if channel.isActive { return (channel, true) }
        }
        let loop = current ?? group.next()
        let timeout = min(connectTimeout, max(.zero, deadline - .now()))
        let maxBodySize = maxBodySize
        let connecting = ClientBootstrap(group: loop)
            .connectTimeout(timeout)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(ExchangeHandler(maxBodySize: maxBodySize))
                }
            }
            .connect(host: target.host, port: target.port)
        // NIO cannot abandon a connect in flight: a cancelled call returns at once instead of
        // waiting out the connect timeout, and a connection that opens later is closed.
        let connected = loop.makePromise(of: (any Channel).self)
        connecting.cascade(to: connected)
        let channel = try await withTaskCancellationHandler {
            try await connected.futureResult.get()
        } onCancel: {
            connected.fail(CancellationError())
            connecting.whenSuccess { $0.close(promise: nil) }
        }
        return (channel, false)
    }

    private func takeIdle(_ target: Target, preferring loop: (any EventLoop)?) -> (any Channel)? {
        let origin = Origin(host: target.host, port: target.port)
        return idle.withLock { pool in
            guard let count = pool[origin]?.count, count > 0 else { return nil }
            let index = loop.flatMap { loop in pool[origin]?.lastIndex { $0.eventLoop === loop } } ?? count - 1
            return pool[origin]?.remove(at: index)
        }
    }

    private func keep(_ channel: any Channel, for target: Target) {
        let origin = Origin(host: target.host, port: target.port)
        let kept = idle.withLock { pool in
            guard pool[origin, default: []].count < maxIdle else { return false }
            pool[origin, default: []].append(channel)
            return true
        }
        if !kept { channel.close(promise: nil) }
    }

    private func exchange(on channel: any Channel, head: HTTPRequestHead, body: ByteBuffer, deadline: NIODeadline)
        async throws -> Answer
    {
        let promise = channel.eventLoop.makePromise(of: Answer.self)
        // A write that never reaches the handler (the channel closed meanwhile) fails the answer too.
        channel.writeAndFlush(Exchange(head: head, body: body, answer: promise, deadline: deadline)).whenFailure { error in
            promise.fail(Failure.unanswered(error))
        }
        return try await withTaskCancellationHandler {
            try await promise.futureResult.get()
        } onCancel: {
            channel.close(promise: nil)
        }
    }

    /// One request and the promise of its answer, as written to a connection.
    struct Exchange: Sendable {
        var head: HTTPRequestHead
        var body: ByteBuffer
        var answer: EventLoopPromise<Answer>
        var deadline: NIODeadline
    }

    /// Writes an exchange's request and collects its answer; one exchange at a time.
    final class ExchangeHandler: ChannelDuplexHandler {
        typealias InboundIn = HTTPClientResponsePart
        typealias OutboundIn = Exchange
        typealias OutboundOut = HTTPClientRequestPart

        private let maxBodySize: Int
        private var answer: EventLoopPromise<Answer>?
        private var head: HTTPResponseHead?
        private var body: ByteBuffer?
        /// When the exchange in flight must have its answer.
        private var deadline: NIODeadline?
        /// The connection's timer, if one is set: it fires at a deadline and, finding the exchange
        /// of that deadline done, re-arms itself for the one in flight, if any. A timer per call,
        /// scheduled and cancelled, was 1.5 % of a batch's CPU; deadlines (minutes) are far longer
        /// than calls (milliseconds), so this one fires about once per deadline.
        private var timer: (task: Scheduled<Void>, time: NIODeadline)?

        init(maxBodySize: Int) { self.maxBodySize = maxBodySize }

        func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
            let exchange = unwrapOutboundIn(data)
            guard answer == nil else {
                // One exchange at a time: the pool never hands out a busy connection.
                exchange.answer.fail(ChannelError.inappropriateOperationForState)
                promise?.fail(ChannelError.inappropriateOperationForState)
                return
            }
            answer = exchange.answer
            deadline = exchange.deadline
            // A timer already set fires first and re-arms for this deadline, unless this one is sooner.
            if timer.map({ exchange.deadline < $0.time }) ?? true {
                timer?.task.cancel()
                arm(at: exchange.deadline, context: context)
            }
            context.write(wrapOutboundOut(.head(exchange.head)), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(exchange.body))), promise: nil)
            context.write(wrapOutboundOut(.end(nil)), promise: promise)
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head):
                self.head = head
            case .body(var part):
                let size = (body?.readableBytes ?? 0) + part.readableBytes
                guard size <= maxBodySize else { return fail(Failure.tooLarge(limit: maxBodySize), context: context) }
                if body == nil { body = part } else { body!.writeBuffer(&part) }
            case .end:
                guard let head, let answer else { return }
                let reply = Answer(
                    status: Int(head.status.code), headers: head.headers, body: body ?? ByteBuffer(), reusable: head.isKeepAlive)
                reset()
                if !reply.reusable { context.close(promise: nil) }
                answer.succeed(reply)
            }
        }

        func channelInactive(context: ChannelHandlerContext) {
            if answer != nil { fail(head == nil ? Failure.unanswered(nil) : Failure.truncated, context: context) }
            context.fireChannelInactive()
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            if head == nil { return fail(Failure.unanswered(error), context: context) }
            // The decoder's word for a body cut short by the end of the connection.
            fail(error as? HTTPParserError == .invalidEOFState ? Failure.truncated : error, context: context)
        }

        /// Fails the exchange in flight, if any, and closes the connection.
        private func fail(_ error: any Error, context: ChannelHandlerContext) {
            let answer = answer
            reset()
            context.close(promise: nil)
            answer?.fail(error)
        }

        private func arm(at time: NIODeadline, context: ChannelHandlerContext) {
            let task = context.eventLoop.assumeIsolatedUnsafeUnchecked().scheduleTask(deadline: time) {
                self.timer = nil
                guard let deadline = self.deadline else { return }
                if deadline <= context.eventLoop.now { return self.fail(Failure.timedOut, context: context) }
                self.arm(at: deadline, context: context)
            }
            timer = (task, time)
        }

        func handlerRemoved(context: ChannelHandlerContext) {
            timer?.task.cancel()
            timer = nil
        }

        private func reset() {
            deadline = nil
            answer = nil
            head = nil
            body = nil
        }
    }
}

extension KeepAliveHTTPClient.Failure: CustomStringConvertible {
    /// In a user's words, as `TransportFailure.describe` gives the socket's errors.
    var description: String {
        switch self {
        case .unanswered(let cause?): TransportFailure.describe(cause)
        case .unanswered(nil): "the server closed the connection without answering"
        case .truncated: "the connection closed before the answer was complete"
        case .tooLarge(let limit): "the answer is larger than \(limit >> 20) MiB"
        case .timedOut: "no answer in time"
        }
    }
}
