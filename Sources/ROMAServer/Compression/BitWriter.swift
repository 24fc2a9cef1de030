/// Packs bits least-significant first, as DEFLATE requires.
struct BitWriter {
    private var bytes: [UInt8] = []
    private var buffer: UInt64 = 0
    private var count = 0

    mutating func reserve(_ capacity: Int) { bytes.reserveCapacity(capacity) }

    /// Appends the low `bits` bits of `value`, least significant first (extra bits, headers).
    mutating func write(_ value: UInt32, bits: Int) {
        buffer |= UInt64(value) << UInt64(count)
        count += bits
        while count >= 8 {
            bytes.append(UInt8(truncatingIfNeeded: buffer))
            buffer >>= 8
            count -= 8
        }
    }

    /// Appends a Huffman code, which DEFLATE stores most significant bit first.
    mutating func writeCode(_ code: Int, bits: Int) {
        var reversed: UInt32 = 0
        var value = UInt32(code)
        for _ in 0..<bits {
            reversed = reversed << 1 | value & 1
            value >>= 1
        }
        write(reversed, bits: bits)
    }

    /// Pads to a byte boundary and returns the bytes.
    mutating func finish() -> [UInt8] {
        if count > 0 { bytes.append(UInt8(truncatingIfNeeded: buffer)) }
        buffer = 0
        count = 0
        return bytes
    }
}
