/// A stored API key: never the secret itself, only its SHA-256 and a displayable prefix.
public struct APIKeyRecord: Sendable, Hashable, Codable {
    /// The public id (`key_…`), used by `keys list` and `keys revoke`.
    public var id: String
    /// The secret's first 16 characters (`sk_live_` + 8), to recognise a key and find it fast.
    public var prefix: String
    /// Lowercase hex SHA-256 of the whole secret.
    public var hash: String
    /// When the key was created (ISO 8601).
    public var createdAt: String
    /// When the key was revoked, if it was.
    public var revokedAt: String?
    /// An optional label.
    public var name: String?

    /// Creates a record.
    public init(id: String, prefix: String, hash: String, createdAt: String, revokedAt: String? = nil, name: String? = nil) {
        self.id = id
        self.prefix = prefix
        self.hash = hash
        self.createdAt = createdAt
        self.revokedAt = revokedAt
        self.name = name
    }

    /// Whether the key may still be used.
    public var isActive: Bool { revokedAt == nil }
}
