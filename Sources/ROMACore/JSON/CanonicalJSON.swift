import Foundation

/// Canonical JSON for files that live in git: sorted keys, two-space indentation, no escaped
/// slashes, a trailing newline. The same value always gives the same bytes.
public enum CanonicalJSON {
    /// Encodes a value canonically.
    public static func encode<T: Encodable>(_ value: T) throws -> Data {
        var data = try encoder.encode(value)
        data.append(UInt8(ascii: "\n"))
        return data
    }

    /// Encodes a value on one line (for JSON Lines), sorted keys, no trailing newline.
    public static func encodeLine<T: Encodable>(_ value: T) throws -> Data {
        try lineEncoder.encode(value)
    }

    /// Decodes JSON written by `encode` (or any JSON).
    public static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        try JSONDecoder().decode(type, from: data)
    }

    private static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return encoder
    }

    private static var lineEncoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}
