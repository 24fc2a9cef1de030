import Synchronization

/// Random identifiers of the API.
enum Identifier {
    private static let lowercase = Array("abcdefghijklmnopqrstuvwxyz0123456789")
    private static let mixed = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")

    /// `count` characters drawn uniformly from `alphabet` with the system's CSPRNG.
    static func random(_ count: Int, from alphabet: [Character]) -> String {
        var generator = SystemRandomNumberGenerator()
        return String((0..<count).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] })
    }

    /// `exec_` + 16 lowercase alphanumerics.
    static func executionID() -> String { "exec_" + random(16, from: lowercase) }

    /// `req_` + 16 lowercase alphanumerics, unique within the process and unpredictable enough
    /// to tell requests apart in logs (request ids need to be unique, not secret).
    ///
    /// No system call per request (two `getrandom` calls each were measurable at 10,000 req/s): a
    /// counter, offset by a random seed drawn once per process, goes through SplitMix64's
    /// finaliser, a bijection on 64 bits, and two such values give the 16 characters (about 82
    /// bits). The slight bias of taking 64-bit values modulo 36 does not matter here.
    static func requestID() -> String {
        let count = requestCounter.add(1, ordering: .relaxed).oldValue
        var characters: [UInt8] = Array("req_".utf8)
        characters.reserveCapacity(20)
        for half in 0..<2 as Range<UInt64> {
            var bits = mix(requestSeed &+ count &* 2 &+ half)
            for _ in 0..<8 {
                characters.append(lowercaseBytes[Int(bits % 36)])
                bits /= 36
            }
        }
        return String(decoding: characters, as: UTF8.self)
    }

    private static let lowercaseBytes = Array("abcdefghijklmnopqrstuvwxyz0123456789".utf8)
    private static let requestSeed: UInt64 = {
        var generator = SystemRandomNumberGenerator()
        return generator.next()
    }()
    private static let requestCounter = Atomic<UInt64>(0)

    /// SplitMix64's output function: a bijection that scatters consecutive inputs.
    private static func mix(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// `key_` + 12 lowercase alphanumerics: the public id of an API key.
    static func keyID() -> String { "key_" + random(12, from: lowercase) }

    /// `replica_` + 12 lowercase alphanumerics: one server process's lease owner id (issue-16).
    static func replicaID() -> String { "replica_" + random(12, from: lowercase) }

    /// `sk_live_` + 32 alphanumerics: a new secret API key.
    static func secretKey() -> String { "sk_live_" + random(32, from: mixed) }
}
