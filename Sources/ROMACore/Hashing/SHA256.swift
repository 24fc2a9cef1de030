import Crypto

/// SHA-256, used for content hashes, request hashes, replay keys and stored API-key hashes.
///
/// A thin face over swift-crypto's `SHA256` (BoringSSL's implementation on Linux, CryptoKit on
/// Apple platforms), kept so callers hash bytes and strings to lowercase hex in one call and
/// the digests (every recording's key) stay exactly what they were.
public struct SHA256: Sendable {
    private var hasher = Crypto.SHA256()

    /// Creates an empty hasher.
    public init() {}

    /// Feeds bytes.
    public mutating func update<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        let fed: Void? = bytes.withContiguousStorageIfAvailable { buffer in
            hasher.update(bufferPointer: UnsafeRawBufferPointer(buffer))
        }
        if fed == nil { hasher.update(data: Array(bytes)) }
    }

    /// Feeds a string's UTF-8 bytes.
    public mutating func update(_ string: String) {
        var string = string
        string.withUTF8 { hasher.update(bufferPointer: UnsafeRawBufferPointer($0)) }
    }

    /// Finishes and returns the 32-byte digest.
    public mutating func finalize() -> [UInt8] { Array(hasher.finalize()) }

    /// The lowercase hex SHA-256 of a string's UTF-8 bytes.
    public static func hex(_ string: String) -> String {
        var hasher = SHA256()
        hasher.update(string)
        return hasher.finalizeHex()
    }

    /// The lowercase hex SHA-256 of bytes.
    public static func hex<Bytes: Sequence>(bytes: Bytes) -> String where Bytes.Element == UInt8 {
        var hasher = SHA256()
        hasher.update(bytes)
        return hasher.finalizeHex()
    }

    /// Finishes and returns the digest in lowercase hex, without an array in between (a replay
    /// key is computed for every model call).
    private mutating func finalizeHex() -> String {
        hasher.finalize().withUnsafeBytes { Hex.lowercase($0) }
    }
}

extension Array where Element == UInt8 {
    /// Lowercase hexadecimal.
    public var hexString: String {
        withUnsafeBytes { Hex.lowercase($0) }
    }
}

/// Lowercase hexadecimal.
enum Hex {
    /// The digit for a value 0...15.
    static func digit(_ value: UInt8) -> UInt8 {
        let digits: StaticString = "0123456789abcdef"
        return digits.utf8Start[Int(value)]
    }

    /// Two digits per byte, written straight into the string's storage.
    static func lowercase(_ bytes: UnsafeRawBufferPointer) -> String {
        String(unsafeUninitializedCapacity: bytes.count * 2) { out in
            for (index, byte) in bytes.enumerated() {
                out[2 * index] = digit(byte >> 4)
                out[2 * index + 1] = digit(byte & 0xF)
            }
            return bytes.count * 2
        }
    }
}
