import Foundation
import HTTPTypes
internal import NIOCore
internal import NIOHTTP1
internal import NIOHTTPTypes
import ROMACore

/// Gives the 400 that Hummingbird sends for HTTP it cannot parse the API's error envelope.
///
/// Hummingbird answers a request line or header block that does not parse with an empty 400 and
/// closes the connection; that happens below the router, so no middleware sees it. This channel
/// handler sits between the HTTP codec and Hummingbird: it notes the parser's error on its way
/// in, and when the 400 comes out it adds the envelope (`invalid_request`, `details.field:
/// "http"`), a request id and the JSON content type. Everything else passes through untouched.
final class MalformedRequestHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private var parseFailed = false

    /// The envelope, with `requestID`.
    static func body(requestID: String) -> ByteBuffer {
        let error = APIError(
            code: "invalid_request", message: "The request is not valid HTTP/1.1",
            details: .object(["field": .string("http"), "issue": .string("syntax")]))
        let data = (try? APIJSON.encode(APIErrorEnvelope(error: error, requestId: requestID))) ?? Data()
        return ByteBuffer(bytes: data)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if error is HTTPParserError { parseFailed = true }
        context.fireErrorCaught(error)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard parseFailed, case .head(var head) = unwrapOutboundIn(data), head.status == .badRequest else {
            context.write(data, promise: promise)
            return
        }
        parseFailed = false
        let requestID = Identifier.requestID()
        let body = Self.body(requestID: requestID)
        head.headerFields[.contentType] = "application/json; charset=utf-8"
        head.headerFields[.contentLength] = String(body.readableBytes)
        head.headerFields[.requestID] = requestID
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(body)), promise: promise)
    }
}
