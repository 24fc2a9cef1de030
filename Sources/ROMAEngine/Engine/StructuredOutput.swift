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
        var text = text
        let found: JSONValue? = text.withUTF8 { bytes in
            var start = 0
            while let open = bytes[start...].firstIndex(where: { $0 == UInt8(ascii: "{") || $0 == UInt8(ascii: "[") }) {
                if let (value, _) = try? JSONParser.parsePrefix(bytes, from: open) { return value }
                start = open + 1
            }
            return nil
        }
        if let found { return found }
        let preview = text.count > 120 ? String(text.prefix(120)) + "…" : text
        throw Failure(message: "the answer contains no valid JSON object (it began: \(preview.debugDescription))")
    }
}
