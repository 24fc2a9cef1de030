import Hummingbird
import Logging
internal import NIOCore

/// gzip for clients that send `Accept-Encoding: gzip`, on bodies of at least `minimumBytes`.
///
/// Hummingbird's own compression middleware lives in a package outside the mirror
/// (hummingbird-compression), so the body is compressed whole by zlib through compress-nio
/// (`Gzip`); API bodies are small enough that streaming would gain nothing.
struct ResponseCompression: Sendable {
    let minimumBytes: Int
    let logger: Logger

    /// The response, compressed if the request accepts gzip and the body is large enough.
    func apply(to response: Response, for request: Request, requestID: String) async -> Response {
        var response = response
        guard Gzip.isAccepted(by: request.headers[.acceptEncoding]), response.headers[.contentEncoding] == nil,
            response.status != .noContent, response.status != .notModified, request.method != .head
        else { return response }
        response.headers[values: .vary].append("Accept-Encoding")
        if let length = response.body.contentLength, length < minimumBytes { return response }
        let collector = BodyCollector()
        do {
            try await response.body.write(CollectingWriter(collector: collector))
        } catch {
            return ServerError.from(error).response(requestID: requestID)
        }
        let plain = collector.buffer
        guard plain.readableBytes >= minimumBytes else {
            response.body = ResponseBody(byteBuffer: plain)
            return response
        }
        let compressed: ByteBuffer
        do {
            compressed = try Gzip.compress(plain)
        } catch {
            logger.error("gzip failed; sending the body uncompressed", metadata: ["error": "\(error)"])
            response.body = ResponseBody(byteBuffer: plain)
            return response
        }
        response.headers[.contentEncoding] = "gzip"
        response.headers[.contentLength] = String(compressed.readableBytes)
        response.body = ResponseBody(byteBuffer: compressed)
        return response
    }
}

/// Accumulates a response body so it can be compressed whole.
private final class BodyCollector {
    var buffer = ByteBuffer()
}

private struct CollectingWriter: ResponseBodyWriter {
    let collector: BodyCollector

    mutating func write(_ buffer: ByteBuffer) async throws {
        var buffer = buffer
        collector.buffer.writeBuffer(&buffer)
    }

    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
}
