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

    /// Encodes a success body: `value`'s members plus `request_id`, as the API overview promises
    /// for every response.
    static func encode<T: Encodable>(_ value: T, requestID: String) throws -> Data {
        try encode(RequestStamped(value: value, requestID: requestID))
    }

    /// A JSON response with the given status and body.
    static func response(status: HTTPResponse.Status, body: Data) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        headers[.contentLength] = String(body.count)
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }

    /// A JSON response with the given status and body bytes.
    static func response(status: HTTPResponse.Status, body: [UInt8]) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        headers[.contentLength] = String(body.count)
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }

    /// Encodes `value` (with `request_id`) as a JSON response.
    static func response<T: Encodable>(_ value: T, requestID: String, status: HTTPResponse.Status = .ok) throws -> Response {
        response(status: status, body: try encode(value, requestID: requestID))
    }
}

/// A JSON object body with `request_id` added to its members.
private struct RequestStamped<Value: Encodable>: Encodable {
    let value: Value
    let requestID: String

    private enum Key: String, CodingKey { case requestID = "request_id" }

    func encode(to encoder: any Encoder) throws {
        try value.encode(to: encoder)
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(requestID, forKey: .requestID)
    }
}
