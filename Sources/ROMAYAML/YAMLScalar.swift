/// A scalar as written in the source, plus its value under the YAML 1.2 core schema.
public struct YAMLScalar: Sendable, Hashable {
    /// How the scalar was written; only plain scalars are resolved to non-string types.
    public enum Style: Sendable, Hashable {
        case plain, singleQuoted, doubleQuoted, literal, folded
    }

    /// The scalar's text exactly as libyaml produced it (after unescaping).
    public var text: String
    /// The quoting style the scalar was written in.
    public var style: Style
    /// An explicit tag such as `tag:yaml.org,2002:str`, if one was written.
    public var tag: String?
    /// The resolved value.
    public var value: YAMLValue

    /// Creates a scalar and resolves its value by the core schema.
    public init(text: String, style: Style = .plain, tag: String? = nil) {
        self.text = text
        self.style = style
        self.tag = tag
        self.value = YAMLValue.resolve(text: text, style: style, tag: tag)
    }

    /// Creates a scalar from an already-typed value (used for JSON input).
    public init(value: YAMLValue) {
        self.value = value
        self.style = .plain
        self.tag = nil
        switch value {
        case .null: text = "null"
        case .bool(let b): text = b ? "true" : "false"
        case .int(let i): text = String(i)
        case .float(let d): text = String(d)
        case .string(let s):
            text = s
            style = .doubleQuoted
        }
    }
}

/// The value of a scalar under the YAML 1.2 core schema.
public enum YAMLValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int)
    case float(Double)
    case string(String)

    /// A short name of the type for error messages ("a string", "an integer").
    public var typeDescription: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .int: "an integer"
        case .float: "a number"
        case .string: "a string"
        }
    }

    /// Resolves a scalar's text by the core schema (https://yaml.org/spec/1.2.2/#1023-core-schema).
    static func resolve(text: String, style: YAMLScalar.Style, tag: String?) -> YAMLValue {
        if let tag {
            switch tag {
            case "tag:yaml.org,2002:str": return .string(text)
            case "tag:yaml.org,2002:null": return .null
            case "tag:yaml.org,2002:bool": return resolveBool(text).map(YAMLValue.bool) ?? .string(text)
            case "tag:yaml.org,2002:int": return resolveInt(text).map(YAMLValue.int) ?? .string(text)
            case "tag:yaml.org,2002:float":
                return resolveFloat(text).map(YAMLValue.float) ?? resolveInt(text).map { .float(Double($0)) }
                    ?? .string(text)
            default: break
            }
        }
        guard style == .plain else { return .string(text) }
        switch text {
        case "", "~", "null", "Null", "NULL": return .null
        default: break
        }
        if let b = resolveBool(text) { return .bool(b) }
        if let i = resolveInt(text) { return .int(i) }
        if let d = resolveFloat(text) { return .float(d) }
        return .string(text)
    }

    private static func resolveBool(_ text: String) -> Bool? {
        switch text {
        case "true", "True", "TRUE": true
        case "false", "False", "FALSE": false
        default: nil
        }
    }

    private static func resolveInt(_ text: String) -> Int? {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty else { return nil }
        if bytes.count > 2, bytes[0] == UInt8(ascii: "0"), bytes[1] == UInt8(ascii: "o") || bytes[1] == UInt8(ascii: "x") {
            // Int(_:radix:) accepts a sign; the core schema does not after 0o / 0x.
            let isHex = bytes[1] == UInt8(ascii: "x")
            let digits = bytes.dropFirst(2)
            let valid = digits.allSatisfy { c in
                (c >= 48 && c <= 55) || (!isHex ? false : (c >= 56 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102))
            }
            return valid ? Int(text.dropFirst(2), radix: isHex ? 16 : 8) : nil
        }
        var digits = bytes[...]
        if let first = digits.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+") {
            digits = digits.dropFirst()
        }
        guard !digits.isEmpty, digits.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
        return Int(text)
    }

    private static func resolveFloat(_ text: String) -> Double? {
        switch text {
        case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": return .infinity
        case "-.inf", "-.Inf", "-.INF": return -.infinity
        case ".nan", ".NaN", ".NAN": return .nan
        default: break
        }
        // [-+]? ( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )?
        var i = text.utf8.startIndex
        let u = text.utf8
        func isDigit(_ c: UInt8) -> Bool { c >= 48 && c <= 57 }
        if i < u.endIndex, u[i] == UInt8(ascii: "-") || u[i] == UInt8(ascii: "+") { i = u.index(after: i) }
        var mantissaDigits = 0
        while i < u.endIndex, isDigit(u[i]) {
            i = u.index(after: i)
            mantissaDigits += 1
        }
        if i < u.endIndex, u[i] == UInt8(ascii: ".") {
            i = u.index(after: i)
            while i < u.endIndex, isDigit(u[i]) {
                i = u.index(after: i)
                mantissaDigits += 1
            }
        }
        guard mantissaDigits > 0 else { return nil }
        if i < u.endIndex, u[i] == UInt8(ascii: "e") || u[i] == UInt8(ascii: "E") {
            i = u.index(after: i)
            if i < u.endIndex, u[i] == UInt8(ascii: "-") || u[i] == UInt8(ascii: "+") { i = u.index(after: i) }
            var expDigits = 0
            while i < u.endIndex, isDigit(u[i]) {
                i = u.index(after: i)
                expDigits += 1
            }
            guard expDigits > 0 else { return nil }
        }
        guard i == u.endIndex else { return nil }
        return Double(text)
    }
}
