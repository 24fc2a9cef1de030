import Foundation
import ROMACore

/// The secret half of an API key and the operations on it: generation, hashing, comparison.
public enum APIKeySecret {
    /// How many leading characters are stored in clear as the key's prefix.
    public static let prefixLength = 16

    /// A new `sk_live_` + 32 alphanumerics secret.
    public static func generate() -> String { Identifier.secretKey() }

    /// A new secret and the record that stores it (hash and prefix only).
    public static func makeKey(name: String? = nil, now: Date) -> (secret: String, record: APIKeyRecord) {
        let secret = generate()
        let record = APIKeyRecord(
            id: Identifier.keyID(), prefix: prefix(of: secret), hash: hash(secret), createdAt: Timestamp.string(now),
            name: name)
        return (secret, record)
    }

    /// The stored form of a secret.
    public static func hash(_ secret: String) -> String { SHA256.hex(secret) }

    /// The stored prefix of a secret.
    public static func prefix(of secret: String) -> String { String(secret.prefix(prefixLength)) }

    /// Compares two hex digests in time that depends only on their length, not on where they differ.
    public static func constantTimeEquals(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8)
        let y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for index in x.indices { difference |= x[index] ^ y[index] }
        return difference == 0
    }

    /// Whether a presented secret has the shape of one of ours (cheap rejection before any lookup).
    public static func isWellFormed(_ secret: String) -> Bool {
        secret.hasPrefix("sk_live_") && secret.count == 40
            && secret.utf8.allSatisfy {
                $0 == UInt8(ascii: "_") || ($0 < 128 && (($0 >= 48 && $0 <= 57) || ($0 >= 65 && $0 <= 90) || ($0 >= 97 && $0 <= 122)))
            }
    }
}
