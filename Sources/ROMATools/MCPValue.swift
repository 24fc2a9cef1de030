import Foundation
import MCP
import ROMACore

/// Conversions between the engine's `JSONValue` and the MCP SDK's `Value`.
enum MCPValue {
    static func value(_ json: JSONValue) -> Value {
        switch json {
        case .null: .null
        case .bool(let b): .bool(b)
        case .int(let i): .int(i)
        case .double(let d): .double(d)
        case .string(let s): .string(s)
        case .array(let items): .array(items.map(value))
        case .object(let members): .object(members.mapValues(value))
        }
    }

    static func json(_ value: Value) -> JSONValue {
        switch value {
        case .null: .null
        case .bool(let b): .bool(b)
        case .int(let i): .int(i)
        case .double(let d): .double(d)
        case .string(let s): .string(s)
        case .data(let mimeType, let data): .string("data:\(mimeType ?? "application/octet-stream");base64,\(data.base64EncodedString())")
        case .array(let items): .array(items.map(json))
        case .object(let members): .object(members.mapValues(json))
        }
    }

    /// A tool result's content as text: text parts as they are, other parts named.
    static func text(_ content: [Tool.Content]) -> String {
        content.map { part -> String in
            switch part {
            case .text(let text, _, _): text
            case .image(_, let mimeType, _, _): "[image: \(mimeType)]"
            case .audio(_, let mimeType, _, _): "[audio: \(mimeType)]"
            case .resource(let resource, _, _): resource.text ?? "[resource: \(resource.uri)]"
            case .resourceLink(let uri, let name, _, _, _, _): "[\(name)](\(uri))"
            }
        }.joined(separator: "\n")
    }
}
