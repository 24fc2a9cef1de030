import HTTPTypes
import Hummingbird

extension HTTPField.Name {
    // Each literal is a valid header token, so the initialiser cannot fail.
    static let apiKey = Self("X-API-Key")!
    static let idempotencyKey = Self("X-Idempotency-Key")!
    static let requestID = Self("X-Request-ID")!
    static let rateLimitLimit = Self("X-RateLimit-Limit")!
    static let rateLimitRemaining = Self("X-RateLimit-Remaining")!
    static let rateLimitReset = Self("X-RateLimit-Reset")!
    static let webhookToken = Self("X-Webhook-Token")!
    static let idempotentReplayed = Self("Idempotent-Replayed")!
}
