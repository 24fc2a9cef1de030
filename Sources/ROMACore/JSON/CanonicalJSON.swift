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

    /// The bytes `encode` gives for the value (a test compares them with it on random values),
    /// written by hand several times faster. Throws, as `encode` does, on a NaN or infinite double.
    public static func pretty(_ value: some JSONLineWritable, capacity: Int = 8192) throws -> Data {
        var writer = JSONLineWriter(capacity: capacity, pretty: true)
        value.write(to: &writer)
        guard !writer.wroteNonFiniteNumber else {
            throw EncodingError.invalidValue(
                value, EncodingError.Context(codingPath: [], debugDescription: "Unable to encode a NaN or infinite Double in JSON."))
        }
        var data = Data(capacity: writer.bytes.count + 1)
        data.append(contentsOf: writer.bytes)
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
