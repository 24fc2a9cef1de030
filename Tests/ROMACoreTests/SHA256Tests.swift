import ROMACore
import Testing

@Suite("SHA-256")
struct SHA256Tests {
    /// FIPS 180-4 / NIST CAVP test vectors.
    @Test(
        "standard test vectors",
        arguments: [
            ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
            ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
            (
                "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
                "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
            ),
            (
                "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
                "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"
            ),
            (
                "The quick brown fox jumps over the lazy dog",
                "d7a8fbb307d7809469ca9abcb0082e4f8d5651e46d3cdb762d02d0bf37c9e592"
            ),
        ])
    func vectors(_ input: String, _ digest: String) {
        #expect(SHA256.hex(input) == digest)
        #expect(SHA256.hex(bytes: Array(input.utf8)) == digest)
    }

    @Test("one million 'a'")
    func millionA() {
        let digest = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"
        #expect(SHA256.hex(bytes: [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)) == digest)
    }

    /// Lengths around the 55/56/64-byte padding boundaries (expected values from coreutils sha256sum).
    @Test(
        "padding boundaries",
        arguments: [
            (55, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318"),
            (56, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a"),
            (63, "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34"),
            (64, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb"),
            (65, "635361c48bb9eab14198e76ea8ab7f1a41685d6ad62aa9146d301d4f17eb0ae0"),
            (119, "31eba51c313a5c08226adf18d4a359cfdfd8d2e816b13f4af952f7ea6584dcfb"),
            (120, "2f3d335432c70b580af0e8e1b3674a7c020d683aa5f73aaaedfdc55af904c21c"),
            (128, "6836cf13bac400e9105071cd6af47084dfacad4e5e302c94bfed24e013afb73e"),
        ])
    func boundaries(_ length: Int, _ digest: String) {
        #expect(SHA256.hex(String(repeating: "a", count: length)) == digest)
    }

    @Test("feeding in pieces gives the same digest as at once", arguments: [0, 1, 55, 56, 63, 64, 65, 100, 112])
    func incremental(_ split: Int) {
        let bytes = Array(
            "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu"
                .utf8)
        var hasher = SHA256()
        hasher.update(bytes[..<split])
        hasher.update(bytes[split...])
        #expect(hasher.finalize().hexString == "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1")
    }

    @Test("the digest is 32 bytes; hex is 64 lowercase digits")
    func shape() {
        var hasher = SHA256()
        hasher.update("abc")
        let digest = hasher.finalize()
        #expect(digest.count == 32)
        #expect(digest.hexString == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect([UInt8]([0x00, 0x0f, 0xf0, 0xff]).hexString == "000ff0ff")
        #expect([UInt8]().hexString == "")
    }

    @Test("hex of every byte value, and of digests, is the two lowercase digits of each byte")
    func hexDigits() {
        let all = (0...255).map { UInt8($0) }
        let expected = all.map { byte in
            let text = String(byte, radix: 16)
            return byte < 16 ? "0" + text : text
        }
        #expect(all.hexString == expected.joined())
        for text in ["", "a", "roma", String(repeating: "x", count: 1000)] {
            var hasher = SHA256()
            hasher.update(text)
            #expect(SHA256.hex(text) == hasher.finalize().hexString)
            #expect(SHA256.hex(bytes: Array(text.utf8)) == SHA256.hex(text))
        }
    }
}
