import Hummingbird
import Logging

/// gzip for clients that send `Accept-Encoding: gzip`, on bodies of at least `minimumBytes`.
///
/// Hummingbird has no response compression of its own and the package links no zlib, so the
/// body is compressed by `Gzip` (pure Swift DEFLATE with fixed Huffman codes).
struct CompressionMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext

    let minimumBytes: Int
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = await ServerError.rendering(requestID: context.requestID, logger: logger) {
            try await next(request, context)
        }
        guard Gzip.isAccepted(by: request.headers[.acceptEncoding]), response.headers[.contentEncoding] == nil,
            response.status != .noContent, response.status != .notModified, request.method != .head
        else { return response }
        response.headers[values: .vary].append("Accept-Encoding")
        if let length = response.body.contentLength, length < minimumBytes { return response }
        let collector = BodyCollector()
        do {
            try await response.body.write(CollectingWriter(collector: collector))
        } catch {
            return ServerError.from(error).response(requestID: context.requestID)
        }
        let plain = collector.bytes
        guard plain.count >= minimumBytes else {
            response.body = ResponseBody(byteBuffer: ByteBuffer(bytes: plain))
            return response
        }
        let compressed = Gzip.compress(plain)
        response.headers[.contentEncoding] = "gzip"
        response.headers[.contentLength] = String(compressed.count)
        response.body = ResponseBody(byteBuffer: ByteBuffer(bytes: compressed))
        return response
    }
}

/// Accumulates a response body so it can be compressed whole.
private final class BodyCollector {
    var bytes: [UInt8] = []
}

private struct CollectingWriter: ResponseBodyWriter {
    let collector: BodyCollector

    mutating func write(_ buffer: ByteBuffer) async throws {
        collector.bytes += buffer.readableBytesView
    }

    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
}
