extension String {
    /// The text without leading and trailing white space (Unicode `White_Space`: spaces, tabs,
    /// line breaks), as `trimmingCharacters(in: .whitespacesAndNewlines)` but without bridging
    /// through `NSString`, which cost a replayed call more than the rest of its text handling.
    public var trimmedWhitespace: String {
        guard let first = unicodeScalars.firstIndex(where: { !$0.properties.isWhitespace }),
            let last = unicodeScalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        if first == unicodeScalars.startIndex && unicodeScalars.index(after: last) == unicodeScalars.endIndex { return self }
        return String(unicodeScalars[first...last])
    }
}
