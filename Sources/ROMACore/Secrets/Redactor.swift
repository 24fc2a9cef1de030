import Foundation

/// Removes secrets from text before it reaches a file, a log or an event.
///
/// Every writer of the results tree and every line the command line prints goes through one
/// `Redactor`, so a secret is removed whatever carried it there: a provider that echoes the key
/// in an error body, a header value in a tool's output, a webhook token in a message. It knows
/// the configured secrets by value (provider keys, the ROMA key, the values of variables named
/// as secrets) and also removes what looks like a credential whatever its value
/// (`Bearer …`, `sk-…` keys), since a provider may echo a key it was not given by this run.
public struct Redactor: Sendable, Hashable {
    /// What a secret is replaced with.
    public static let mask = "[REDACTED]"

    /// Shorter values are not treated as secrets: redacting every `a` would destroy the text
    /// and protect nothing.
    public static let minimumLength = 6

    /// The secret values, longest first (so a secret containing another is removed whole).
    public private(set) var secrets: [String]
    /// Each secret as it appears in text and as a JSON string escapes it, as bytes, in the order
    /// of `secrets`: computed once, since a server redacts every log line.
    private var needles: [[UInt8]]

    /// A redactor that removes nothing but credential-shaped text.
    public static let none = Redactor(secrets: [])

    /// Creates a redactor for these values (empty and short ones are ignored).
    public init(secrets: some Sequence<String>) {
        let sorted = Set(secrets.filter { $0.utf8.count >= Self.minimumLength }).sorted {
            $0.utf8.count != $1.utf8.count ? $0.utf8.count > $1.utf8.count : $0 < $1
        }
        self.secrets = sorted
        self.needles = sorted.flatMap { secret in
            // The value as it appears in text and as a JSON string escapes it.
            let forms = [secret, Self.jsonEscaped(secret, slashes: true), Self.jsonEscaped(secret, slashes: false)]
            var seen = Set<String>()
            return forms.filter { seen.insert($0).inserted }.map { Array($0.utf8) }
        }
    }

    /// The secrets of an environment: the values of every variable whose name says it holds a
    /// secret (`KEY`, `TOKEN`, `SECRET`, `PASSWORD`, `PASSWD`, `CREDENTIAL`, `AUTH`), plus `extra`
    /// (values taken from variables named in the manifest, such as `api_key_env`).
    public static func fromEnvironment(_ environment: [String: String], extra: [String] = []) -> Redactor {
        let markers = ["KEY", "TOKEN", "SECRET", "PASSWORD", "PASSWD", "CREDENTIAL", "AUTH"]
        var values = extra
        for (name, value) in environment {
            let upper = name.uppercased()
            if markers.contains(where: { upper.contains($0) }) { values.append(value) }
        }
        return Redactor(secrets: values)
    }

    /// A redactor that also removes `more`.
    public func adding(_ more: some Sequence<String>) -> Redactor {
        Redactor(secrets: secrets + Array(more))
    }

    /// The text with every secret replaced by `mask`.
    public func redact(_ text: String) -> String {
        let bytes = Array(text.utf8)
        guard let redacted = redactBytes(bytes) else { return text }
        return String(decoding: redacted, as: UTF8.self)
    }

    /// The bytes with every secret replaced by `mask`; the same `Data` when there is none.
    public func redact(_ data: Data) -> Data {
        guard let redacted = redactBytes(Array(data)) else { return data }
        return Data(redacted)
    }

    /// Nil when nothing was found (the common case costs a scan and no copy).
    private func redactBytes(_ input: [UInt8]) -> [UInt8]? {
        var bytes = input
        var changed = false
        for needle in needles {
            if let replaced = Self.replace(needle, in: bytes) {
                bytes = replaced
                changed = true
            }
        }
        if let masked = Self.maskCredentialShapes(bytes) {
            bytes = masked
            changed = true
        }
        return changed ? bytes : nil
    }

    private static let maskBytes = Array(mask.utf8)

    /// Replaces every occurrence of `needle`; nil when there is none.
    private static func replace(_ needle: [UInt8], in haystack: [UInt8]) -> [UInt8]? {
        guard let first = needle.first, needle.count <= haystack.count else { return nil }
        var output: [UInt8] = []
        var found = false
        var i = 0
        let last = haystack.count - needle.count
        while i < haystack.count {
            if i <= last, haystack[i] == first, haystack[i..<(i + needle.count)].elementsEqual(needle) {
                if !found {
                    output.reserveCapacity(haystack.count)
                    output.append(contentsOf: haystack[0..<i])
                    found = true
                }
                output.append(contentsOf: maskBytes)
                i += needle.count
            } else {
                if found { output.append(haystack[i]) }
                i += 1
            }
        }
        return found ? output : nil
    }

    private static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        case UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"), UInt8(ascii: "+"), UInt8(ascii: "/"),
            UInt8(ascii: "="):
            true
        default: false
        }
    }

    /// Masks the token after `Bearer ` and `sk-…`-style keys (16 or more token bytes), which
    /// providers echo in error messages. Nil when there is none.
    private static func maskCredentialShapes(_ bytes: [UInt8]) -> [UInt8]? {
        let bearer = Array("Bearer ".utf8)
        let sk = Array("sk-".utf8)
        var output: [UInt8] = []
        var found = false
        var i = 0
        func copyUpTo(_ index: Int) {
            if !found {
                output.reserveCapacity(bytes.count)
                output.append(contentsOf: bytes[0..<index])
                found = true
            }
        }
        while i < bytes.count {
            var prefix: [UInt8]?
            if bytes[i] == UInt8(ascii: "B"), bytes[i...].starts(with: bearer) {
                prefix = bearer
            } else if bytes[i] == UInt8(ascii: "s"), bytes[i...].starts(with: sk), i == 0 || !isTokenByte(bytes[i - 1]) {
                prefix = sk
            }
            if let prefix {
                var end = i + prefix.count
                while end < bytes.count, isTokenByte(bytes[end]) { end += 1 }
                let tokenLength = end - i - prefix.count
                let alreadyMasked = bytes[(i + prefix.count)...].starts(with: maskBytes)
                if tokenLength >= (prefix == sk ? 16 : 8) && !alreadyMasked {
                    copyUpTo(i)
                    output.append(contentsOf: prefix)
                    output.append(contentsOf: maskBytes)
                    i = end
                    continue
                }
            }
            if found { output.append(bytes[i]) }
            i += 1
        }
        return found ? output : nil
    }

    /// A string as it appears inside a JSON string literal.
    static func jsonEscaped(_ text: String, slashes: Bool) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "/" where slashes: out += "\\/"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
