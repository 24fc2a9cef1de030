import Foundation

/// ISO 8601 UTC timestamps, as the API writes them (`2025-11-11T10:30:00Z`, or with milliseconds).
public enum Timestamp {
    /// Formats a date with millisecond precision: `2025-11-11T10:30:00.123Z`.
    public static func string(_ date: Date) -> String {
        let millis = Int64((date.timeIntervalSince1970 * 1000).rounded())
        let seconds = millis >= 0 ? millis / 1000 : (millis - 999) / 1000
        let ms = millis - seconds * 1000
        var t = time_t(seconds)
        var parts = tm()
        gmtime_r(&t, &parts)
        let year = Int(parts.tm_year) + 1900
        // A year outside 0...9999 keeps all its digits (an ISO 8601 expanded year, as before).
        guard (0...9999).contains(year) else {
            return String(year) + Self.rest(parts, milliseconds: Int(ms))
        }
        // Written digit by digit into the string's storage: `String(format:)` cost more than the
        // rest of a replayed call, and a model call writes two of these.
        return String(unsafeUninitializedCapacity: 24) { out in
            var index = 0
            func put(_ value: Int, _ width: Int) {
                var value = value
                for offset in stride(from: width - 1, through: 0, by: -1) {
                    out[index + offset] = UInt8(ascii: "0") + UInt8(value % 10)
                    value /= 10
                }
                index += width
            }
            func put(_ byte: Unicode.Scalar) {
                out[index] = UInt8(ascii: byte)
                index += 1
            }
            put(year, 4)
            put("-")
            put(Int(parts.tm_mon) + 1, 2)
            put("-")
            put(Int(parts.tm_mday), 2)
            put("T")
            put(Int(parts.tm_hour), 2)
            put(":")
            put(Int(parts.tm_min), 2)
            put(":")
            put(Int(parts.tm_sec), 2)
            put(".")
            put(Int(ms), 3)
            put("Z")
            return index
        }
    }

    /// `-MM-DDTHH:MM:SS.fffZ`, after a year of any length.
    private static func rest(_ parts: tm, milliseconds: Int) -> String {
        func pad(_ value: Int, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "-\(pad(Int(parts.tm_mon) + 1, 2))-\(pad(Int(parts.tm_mday), 2))T\(pad(Int(parts.tm_hour), 2)):"
            + "\(pad(Int(parts.tm_min), 2)):\(pad(Int(parts.tm_sec), 2)).\(pad(milliseconds, 3))Z"
    }

    /// Parses `YYYY-MM-DDTHH:MM:SS[.fff]Z` (also a bare date `YYYY-MM-DD`).
    public static func date(_ text: String) -> Date? {
        let s = Array(text.utf8)
        func number(_ from: Int, _ count: Int) -> Int? {
            guard from + count <= s.count else { return nil }
            var n = 0
            for b in s[from..<(from + count)] {
                guard b >= 48 && b <= 57 else { return nil }
                n = n * 10 + Int(b - 48)
            }
            return n
        }
        guard let year = number(0, 4), s.count >= 10, s[4] == 45, let month = number(5, 2), s[7] == 45,
            let day = number(8, 2)
        else { return nil }
        var hour = 0
        var minute = 0
        var second = 0
        var fraction = 0.0
        if s.count > 10 {
            guard s.count >= 19, s[10] == 84 || s[10] == 32, let h = number(11, 2), let m = number(14, 2),
                let sec = number(17, 2)
            else { return nil }
            (hour, minute, second) = (h, m, sec)
            var i = 19
            if i < s.count, s[i] == 46 {
                i += 1
                var scale = 0.1
                while i < s.count, s[i] >= 48 && s[i] <= 57 {
                    fraction += Double(s[i] - 48) * scale
                    scale /= 10
                    i += 1
                }
            }
            guard i < s.count, s[i] == 90, i == s.count - 1 else { return nil }
        }
        var parts = tm()
        parts.tm_year = Int32(year - 1900)
        parts.tm_mon = Int32(month - 1)
        parts.tm_mday = Int32(day)
        parts.tm_hour = Int32(hour)
        parts.tm_min = Int32(minute)
        parts.tm_sec = Int32(second)
        let seconds = timegm(&parts)
        return Date(timeIntervalSince1970: Double(seconds) + fraction)
    }
}
