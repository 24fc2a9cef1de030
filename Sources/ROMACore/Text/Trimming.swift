extension String {
    /// The text without leading and trailing white space, exactly as
    /// `trimmingCharacters(in: .whitespacesAndNewlines)` trims it (Unicode `White_Space` plus
    /// U+200B ZERO WIDTH SPACE, which Foundation's set also holds), without bridging through
    /// `NSString`, which cost a replayed call more than the rest of its text handling. It must
    /// stay exact: a trimmed answer reaches the parent's prompt, and so its replay key.
    public var trimmedWhitespace: String {
        func isSpace(_ scalar: Unicode.Scalar) -> Bool { scalar.properties.isWhitespace || scalar.value == 0x200B }
        guard let first = unicodeScalars.firstIndex(where: { !isSpace($0) }),
            let last = unicodeScalars.lastIndex(where: { !isSpace($0) })
        else { return "" }
        if first == unicodeScalars.startIndex && unicodeScalars.index(after: last) == unicodeScalars.endIndex { return self }
        return String(unicodeScalars[first...last])
    }
}
