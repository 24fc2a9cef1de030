import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// A bare TCP connection to the server, for what an HTTP client library will not send (malformed
/// requests) or will not keep (idle sockets). Collects every byte the server sends.
struct RawConnection: Sendable {
    let channel: any Channel
    private let collector: Collector

    /// Connects to 127.0.0.1:`port`.
    static func open(port: Int) async throws -> RawConnection {
        let collector = Collector()
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in channel.pipeline.addHandler(collector) }
            .connect(host: "127.0.0.1", port: port).get()
        return RawConnection(channel: channel, collector: collector)
    }

    /// Sends raw bytes.
    func send(_ text: String) async throws {
        try await channel.writeAndFlush(ByteBuffer(string: text)).get()
    }

    /// Waits until the server closes the connection, then returns all it sent.
    func receiveUntilClosed() async throws -> String {
        try await channel.closeFuture.get()
        return collector.text
    }

    /// Closes from this side.
    func close() async { try? await channel.close().get() }

    private final class Collector: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        private let received = NIOLockedValueBox<[UInt8]>([])

        var text: String { String(decoding: received.withLockedValue { $0 }, as: UTF8.self) }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let buffer = unwrapInboundIn(data)
            received.withLockedValue { $0 += buffer.readableBytesView }
        }
    }
}
