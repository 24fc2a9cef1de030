/// An error found while reading YAML text: syntax, structure or a safety limit.
public struct YAMLError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of problem it is; extensible without breaking `switch`.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        enum Base: String, Sendable, Hashable {
            case syntax, duplicateKey, undefinedAlias, multipleDocuments, tooDeep, tooLarge, aliasExpansion
            case invalidEncoding, unsupported
        }
        let base: Base
        /// A YAML syntax error reported by libyaml.
        public static let syntax = Code(base: .syntax)
        /// A mapping has the same key twice.
        public static let duplicateKey = Code(base: .duplicateKey)
        /// An alias names an anchor that was never defined.
        public static let undefinedAlias = Code(base: .undefinedAlias)
        /// The stream holds more than one document where one was expected.
        public static let multipleDocuments = Code(base: .multipleDocuments)
        /// Collections nested deeper than the limit.
        public static let tooDeep = Code(base: .tooDeep)
        /// The input is larger than the limit.
        public static let tooLarge = Code(base: .tooLarge)
        /// Aliases expand to more nodes than the limit (an "alias bomb").
        public static let aliasExpansion = Code(base: .aliasExpansion)
        /// The input is not valid UTF-8 / UTF-16 text.
        public static let invalidEncoding = Code(base: .invalidEncoding)
        /// A construct this loader does not accept (e.g. a non-scalar mapping key).
        public static let unsupported = Code(base: .unsupported)
        public var description: String { base.rawValue }
    }

    /// The kind of problem.
    public var code: Code
    /// What is wrong, in words.
    public var message: String
    /// Where it was found (1-based); `.none` when unknown.
    public var mark: YAMLMark
    /// A second position the message refers to (for a duplicate key, the first occurrence).
    public var relatedMark: YAMLMark?
    /// The key path of the offending node, where the parser knows it (duplicate keys).
    public var keyPath: String

    /// Creates an error.
    public init(code: Code, message: String, mark: YAMLMark, relatedMark: YAMLMark? = nil, keyPath: String = "") {
        self.code = code
        self.message = message
        self.mark = mark
        self.relatedMark = relatedMark
        self.keyPath = keyPath
    }

    public var description: String { "\(mark): \(message)" }
}
