/// `${VAR}` and `${VAR:-default}` substitution from the environment, for manifest strings.
///
/// `$${` writes a literal `${`. A variable that is unset (or empty, for the `:-` form) and has
/// no default is an error, so a typo never silently becomes an empty goal.
public enum Interpolation {
    /// Why a string could not be expanded.
    public struct Failure: Error, Sendable, Hashable {
        /// What is wrong.
        public var message: String
    }

    /// Expands references in `text` from `environment`.
    public static func expand(_ text: String, environment: [String: String]) -> Result<String, Failure> {
        guard text.contains("$") else { return .success(text) }
        var out = ""
        var scalars = text.unicodeScalars[...]
        while let c = scalars.first {
            scalars = scalars.dropFirst()
            guard c == "$" else {
                out.unicodeScalars.append(c)
                continue
            }
            if scalars.starts(with: "${".unicodeScalars) {
                out += "${"
                scalars = scalars.dropFirst(2)
                continue
            }
            guard scalars.first == "{" else {
                out.unicodeScalars.append(c)
                continue
            }
            guard let close = scalars.firstIndex(of: "}") else {
                return .failure(Failure(message: "unterminated '${' reference"))
            }
            let body = String(scalars[scalars.index(after: scalars.startIndex)..<close])
            scalars = scalars[scalars.index(after: close)...]
            let name: String
            let fallback: String?
            if let range = body.range(of: ":-") {
                name = String(body[..<range.lowerBound])
                fallback = String(body[range.upperBound...])
            } else {
                name = body
                fallback = nil
            }
            guard isValidName(name) else {
                return .failure(Failure(message: "'${\(body)}' is not a valid variable reference"))
            }
            if let value = environment[name], !(fallback != nil && value.isEmpty) {
                out += value
            } else if let fallback {
                out += fallback
            } else {
                return .failure(Failure(message: "environment variable '\(name)' is not set and has no default"))
            }
        }
        return .success(out)
    }

    private static func isValidName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first == "_" || first.properties.isASCIIHexDigit || first.isASCIILetter
        else { return false }
        if first.isASCIIDigit { return false }
        return name.unicodeScalars.allSatisfy { $0 == "_" || $0.isASCIILetter || $0.isASCIIDigit }
    }
}

extension Unicode.Scalar {
    fileprivate var isASCIILetter: Bool { (0x41...0x5A).contains(value) || (0x61...0x7A).contains(value) }
    fileprivate var isASCIIDigit: Bool { (0x30...0x39).contains(value) }
}
