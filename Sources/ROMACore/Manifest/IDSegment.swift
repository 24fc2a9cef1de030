/// The pieces an expanded goal's id is built from: `price.coin-BTC.fast.gpt-4o-mini`.
///
/// A segment depends only on its own dimension's name and value, so adding a value to a list
/// adds ids and changes none of the others.
enum IDSegment {
    /// The longest a value's slug may be before it is cut and a short hash of the whole value
    /// is added, so long values still give distinct, bounded folder names.
    static let maxValueLength = 40
    /// The longest an expanded goal id may be (folder names are limited to 255 bytes).
    static let maxIDLength = 200

    /// A value as folder-safe text: ASCII letters, digits, `.`, `_` and `-` kept (case too);
    /// every other run of characters becomes one `-`.
    static func slug(_ value: String) -> String {
        var out = ""
        var pendingDash = false
        for scalar in value.unicodeScalars {
            let kept =
                scalar.isASCII
                && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "." || scalar == "_" || scalar == "-")
            if kept {
                if pendingDash && !out.isEmpty { out += "-" }
                pendingDash = false
                out.unicodeScalars.append(scalar)
            } else {
                pendingDash = true
            }
        }
        while let first = out.first, first == "." || first == "-" { out.removeFirst() }
        while let last = out.last, last == "." || last == "-" { out.removeLast() }
        let hash = String(SHA256.hex(value).prefix(6))
        if out.isEmpty { return "v" + hash }
        if out.count > maxValueLength { return String(out.prefix(maxValueLength - 7)) + "-" + hash }
        return out
    }

    /// The segment of one dimension's value: `coin-BTC` for a template variable, the bare value
    /// for a profile or model, `max-depth-3` for a number (a bare number would not say what it is).
    static func segment(name: String, value: String, isVariable: Bool) -> String {
        if isVariable { return "\(name)-\(slug(value))" }
        if GoalOrigin.labelledKeys.contains(name) { return name.replacingOccurrences(of: "_", with: "-") + "-" + slug(value) }
        return slug(value)
    }
}
