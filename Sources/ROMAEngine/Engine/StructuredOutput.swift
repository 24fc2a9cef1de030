import Foundation
import ROMACore

/// Finds and parses the JSON in a model's answer, tolerating code fences and prose around it.
enum StructuredOutput {
    /// Why an answer could not be used.
    struct Failure: Error, Sendable, CustomStringConvertible {
        var message: String
        var description: String { message }
    }

    /// Extracts the first complete JSON object or array from `text`.
    static func extractJSON(_ text: String) throws(Failure) -> JSONValue {
        let bytes = Array(text.utf8)
        var start = 0
        while start < bytes.count {
            guard let open = bytes[start...].firstIndex(where: { $0 == UInt8(ascii: "{") || $0 == UInt8(ascii: "[") }) else {
                break
            }
            if let end = matchingClose(bytes, from: open),
                let value = try? JSONDecoder().decode(JSONValue.self, from: Data(bytes[open...end]))
            {
                return value
            }
            start = open + 1
        }
        let preview = text.count > 120 ? String(text.prefix(120)) + "…" : text
        throw Failure(message: "the answer contains no valid JSON object (it began: \(preview.debugDescription))")
    }

    /// The index of the bracket closing the one at `open`, skipping strings; nil if unbalanced.
    private static func matchingClose(_ bytes: [UInt8], from open: Int) -> Int? {
        var depth = 0
        var inString = false
        var escaped = false
        for i in open..<bytes.count {
            let c = bytes[i]
            if inString {
                if escaped { escaped = false } else if c == UInt8(ascii: "\\") { escaped = true } else if c == UInt8(ascii: "\"") { inString = false }
                continue
            }
            switch c {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
                if depth == 0 { return i }
            default: break
            }
        }
        return nil
    }
}
