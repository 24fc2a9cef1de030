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
        return hasher.finalize().hexString
    }

    /// The lowercase hex SHA-256 of bytes.
    public static func hex<Bytes: Sequence>(bytes: Bytes) -> String where Bytes.Element == UInt8 {
        var hasher = SHA256()
        hasher.update(bytes)
        return hasher.finalize().hexString
    }
}

extension Array where Element == UInt8 {
    /// Lowercase hexadecimal.
    public var hexString: String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(count * 2)
        for b in self {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0xF)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
