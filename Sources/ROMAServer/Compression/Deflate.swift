/// A small DEFLATE (RFC 1951) compressor: LZ77 with hash chains, one block of fixed Huffman codes.
///
/// Fixed codes keep it short (no code-length tables to build) and still shrink JSON to a third or
/// so; every inflater (zlib, browsers, `gzip -d`) decodes it.
enum Deflate {
    private static let windowSize = 32 * 1024
    private static let minMatch = 3
    private static let maxMatch = 258
    private static let hashBits = 15
    /// How many earlier positions one match search looks at: speed over the last few percent.
    private static let maxChain = 48

    private static let lengthBase: [Int] = [
        3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258,
    ]
    private static let lengthExtra: [Int] = [
        0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
    ]
    private static let distanceBase: [Int] = [
        1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097,
        6145, 8193, 12289, 16385, 24577,
    ]
    private static let distanceExtra: [Int] = [
        0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13,
    ]

    /// Compresses `input` into a raw DEFLATE stream (one final block).
    static func compress(_ input: [UInt8]) -> [UInt8] {
        var out = BitWriter()
        out.reserve(input.count / 2 + 64)
        out.write(1, bits: 1)  // BFINAL
        out.write(1, bits: 2)  // BTYPE = 01, fixed Huffman
        let count = input.count
        var head = [Int32](repeating: -1, count: 1 << hashBits)
        var previous = [Int32](repeating: -1, count: count)
        func hash(_ i: Int) -> Int {
            let value = Int(input[i]) << 10 ^ Int(input[i + 1]) << 5 ^ Int(input[i + 2])
            return ((value &* 2_654_435_761) >> 11) & ((1 << hashBits) - 1)
        }
        func insert(_ i: Int) {
            guard i + minMatch <= count else { return }
            let h = hash(i)
            previous[i] = head[h]
            head[h] = Int32(i)
        }
        var i = 0
        while i < count {
            var bestLength = 0
            var bestDistance = 0
            if i + minMatch <= count {
                var candidate = Int(head[hash(i)])
                var chain = maxChain
                let limit = min(maxMatch, count - i)
                while candidate >= 0, i - candidate <= windowSize, chain > 0 {
                    if input[candidate + bestLength] == input[i + bestLength] || bestLength == 0 {
                        var length = 0
                        while length < limit, input[candidate + length] == input[i + length] { length += 1 }
                        if length > bestLength {
                            bestLength = length
                            bestDistance = i - candidate
                            if length == limit { break }
                        }
                    }
                    candidate = Int(previous[candidate])
                    chain -= 1
                }
            }
            if bestLength >= minMatch {
                writeLength(bestLength, to: &out)
                writeDistance(bestDistance, to: &out)
                for position in i..<(i + bestLength) { insert(position) }
                i += bestLength
            } else {
                writeLiteral(Int(input[i]), to: &out)
                insert(i)
                i += 1
            }
        }
        writeLiteral(256, to: &out)  // end of block
        return out.finish()
    }

    /// Writes a literal/length symbol with its fixed code (RFC 1951 §3.2.6).
    private static func writeLiteral(_ symbol: Int, to out: inout BitWriter) {
        switch symbol {
        case 0...143: out.writeCode(0x30 + symbol, bits: 8)
        case 144...255: out.writeCode(0x190 + symbol - 144, bits: 9)
        case 256...279: out.writeCode(symbol - 256, bits: 7)
        default: out.writeCode(0xC0 + symbol - 280, bits: 8)
        }
    }

    private static func writeLength(_ length: Int, to out: inout BitWriter) {
        var index = lengthBase.count - 1
        while lengthBase[index] > length { index -= 1 }
        writeLiteral(257 + index, to: &out)
        if lengthExtra[index] > 0 { out.write(UInt32(length - lengthBase[index]), bits: lengthExtra[index]) }
    }

    private static func writeDistance(_ distance: Int, to out: inout BitWriter) {
        var index = distanceBase.count - 1
        while distanceBase[index] > distance { index -= 1 }
        out.writeCode(index, bits: 5)
        if distanceExtra[index] > 0 { out.write(UInt32(distance - distanceBase[index]), bits: distanceExtra[index]) }
    }
}
