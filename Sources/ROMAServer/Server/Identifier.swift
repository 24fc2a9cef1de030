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

    /// `req_` + 16 lowercase alphanumerics, from two draws of the system generator (one per
    /// character would cost 16 `getrandom` calls on every request). Request ids need to be
    /// unique, not secret; the slight bias of taking 64-bit draws modulo 36 does not matter.
    static func requestID() -> String {
        var generator = SystemRandomNumberGenerator()
        var characters: [Character] = []
        characters.reserveCapacity(16)
        for _ in 0..<2 {
            var bits = generator.next()
            for _ in 0..<8 {
                characters.append(lowercase[Int(bits % 36)])
                bits /= 36
            }
        }
        return "req_" + String(characters)
    }

    /// `key_` + 12 lowercase alphanumerics: the public id of an API key.
    static func keyID() -> String { "key_" + random(12, from: lowercase) }

    /// `replica_` + 12 lowercase alphanumerics: one server process's lease owner id (issue-16).
    static func replicaID() -> String { "replica_" + random(12, from: lowercase) }

    /// `sk_live_` + 32 alphanumerics: a new secret API key.
    static func secretKey() -> String { "sk_live_" + random(32, from: mixed) }
}
