/// `{{name}}` placeholders of goal templates.
///
/// A placeholder is `{{`, optional spaces, a name of letters, digits and `_` (not starting with
/// a digit), optional spaces, `}}`. Any other `{{` is plain text. Environment references
/// (`${VAR}`) are expanded before placeholders are looked at; the two never mix.
public enum Placeholder {
    /// The names referenced in `text`, in order of first use.
    public static func names(in text: String) -> [String] {
        var names: [String] = []
        forEach(in: text) { name, _ in
            if !names.contains(name) { names.append(name) }
        }
        return names
    }

    /// `text` with every placeholder replaced by its value; names without a value are left as written.
    public static func substitute(_ text: String, values: [String: String]) -> String {
        guard text.contains("{{") else { return text }
        var out = ""
        var last = text.startIndex
        forEach(in: text) { name, range in
            guard let value = values[name] else { return }
            out += text[last..<range.lowerBound]
            out += value
            last = range.upperBound
        }
        out += text[last...]
        return out
    }

    /// Whether `name` may name a template variable.
    public static func isValidName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, !("0"..."9").contains(first) else { return false }
        return name.unicodeScalars.allSatisfy(isNameScalar)
    }

    private static func isNameScalar(_ s: Unicode.Scalar) -> Bool {
        s.isASCII && (s.properties.isAlphabetic || ("0"..."9").contains(s) || s == "_")
    }

    /// Calls `body` with each placeholder's name and range, left to right.
    private static func forEach(in text: String, _ body: (String, Range<String.Index>) -> Void) {
        var index = text.startIndex
        while let open = text[index...].range(of: "{{") {
            var cursor = open.upperBound
            while cursor < text.endIndex, text[cursor] == " " { cursor = text.index(after: cursor) }
            let nameStart = cursor
            while cursor < text.endIndex, text[cursor].unicodeScalars.count == 1,
                let scalar = text[cursor].unicodeScalars.first, isNameScalar(scalar)
            {
                cursor = text.index(after: cursor)
            }
            let name = String(text[nameStart..<cursor])
            while cursor < text.endIndex, text[cursor] == " " { cursor = text.index(after: cursor) }
            if isValidName(name), text[cursor...].hasPrefix("}}") {
                let end = text.index(cursor, offsetBy: 2)
                body(name, open.lowerBound..<end)
                index = end
            } else {
                index = text.index(after: open.lowerBound)
            }
        }
    }
}
