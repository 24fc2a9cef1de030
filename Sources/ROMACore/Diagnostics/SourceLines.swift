/// The lines of a source file, found only when a diagnostic needs one.
///
/// A valid manifest never pays for this: the bytes are scanned for line breaks on the first
/// excerpt, and only the lines asked for are decoded (the last one is kept, so many diagnostics
/// on one long line decode it once).
struct SourceLines {
    private let bytes: [UInt8]
    /// Byte offset of the start of each line, found on first use.
    private var starts: [Int]?
    /// The last line decoded, as Unicode scalars.
    private var decoded: (line: Int, scalars: [Unicode.Scalar])?

    init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// The excerpt of 1-based `line` for a diagnostic at `column`, or `nil` when there is no such line.
    mutating func excerpt(line: Int, column: Int) -> SourceExcerpt? {
        guard line >= 1 else { return nil }
        if let decoded, decoded.line == line {
            return SourceExcerpt(scalars: decoded.scalars[...], column: column)
        }
        let starts = lineStarts()
        guard line <= starts.count else { return nil }
        let start = starts[line - 1]
        var end = line < starts.count ? starts[line] - 1 : bytes.count  // before the "\n"
        // A CRLF file's lines end in "\r\n"; the "\r" is not part of the line.
        if end > start, bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        let scalars = Array(String(decoding: bytes[start..<end], as: UTF8.self).unicodeScalars)
        decoded = (line, scalars)
        return SourceExcerpt(scalars: scalars[...], column: column)
    }

    private mutating func lineStarts() -> [Int] {
        if let starts { return starts }
        var found = [0]
        for (index, byte) in bytes.enumerated() where byte == UInt8(ascii: "\n") { found.append(index + 1) }
        starts = found
        return found
    }
}
