import Foundation
import Hummingbird

/// How the server writes JSON: sorted keys (stable bodies, so idempotent replays are byte-identical),
/// unescaped slashes, one line.
enum APIJSON {
    /// Encodes a response body.
    static func encode<T: Encodable>(_ value: T) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(value)
    }

    /// A JSON response with the given status and body.
    static func response(status: HTTPResponse.Status, body: Data) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        headers[.contentLength] = String(body.count)
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }

    /// Encodes `value` as a JSON response.
    static func response<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) throws -> Response {
        response(status: status, body: try encode(value))
    }
}
