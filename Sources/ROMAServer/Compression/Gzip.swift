internal import CompressNIO
import Foundation
internal import NIOCore

/// gzip (RFC 1952) through zlib, by compress-nio.
enum Gzip {
    /// Compresses `input` into a complete gzip member.
    static func compress(_ input: ByteBuffer) throws -> ByteBuffer {
        var input = input
        return try input.compress(with: .gzip())
    }

    /// Whether an `Accept-Encoding` value accepts gzip (`gzip` or `*` with a non-zero q-value).
    static func isAccepted(by acceptEncoding: String?) -> Bool {
        guard let acceptEncoding else { return false }
        var gzip: Double?
        var wildcard: Double?
        for item in acceptEncoding.split(separator: ",") {
            let parts = item.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            guard let coding = parts.first else { continue }
            var quality = 1.0
            for parameter in parts.dropFirst() where parameter.hasPrefix("q=") {
                quality = Double(parameter.dropFirst(2)) ?? 0
            }
            if coding == "gzip" || coding == "x-gzip" { gzip = quality }
            if coding == "*" { wildcard = quality }
        }
        return (gzip ?? wildcard ?? 0) > 0
    }
}
