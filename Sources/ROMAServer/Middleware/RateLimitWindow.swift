import Foundation
import Hummingbird
import ROMACore

/// The UTC day a request falls in, for the per-key daily limit.
struct RateLimitWindow: Sendable, Hashable {
    /// Requests allowed per day.
    let limit: Int
    /// `YYYY-MM-DD` (UTC): the usage counter's key.
    let day: String
    /// The next UTC midnight: when the counter starts again.
    let reset: Date

    init(now: Date, limit: Int) {
        let dayIndex = (now.timeIntervalSince1970 / 86_400).rounded(.down)
        self.limit = limit
        self.day = String(Timestamp.string(Date(timeIntervalSince1970: dayIndex * 86_400)).prefix(10))
        self.reset = Date(timeIntervalSince1970: (dayIndex + 1) * 86_400)
    }

    /// Epoch seconds of the reset, as `X-RateLimit-Reset` carries it.
    var resetEpochSeconds: Int { Int(reset.timeIntervalSince1970) }

    /// The three `X-RateLimit-*` headers.
    func headers(remaining: Int) -> HTTPFields {
        var headers = HTTPFields()
        headers[.rateLimitLimit] = String(limit)
        headers[.rateLimitRemaining] = String(max(0, remaining))
        headers[.rateLimitReset] = String(resetEpochSeconds)
        return headers
    }

    /// The 429 sent once the day's requests are used up.
    func exceeded(now: Date) -> ServerError {
        ServerError(
            .rateLimitExceeded, status: .tooManyRequests, message: "Daily limit of \(limit) requests exceeded",
            details: .object([
                "limit": .int(limit), "remaining": .int(0),
                "reset_at": .string(Self.secondsTimestamp(reset)),
            ]),
            headers: [.retryAfter: String(max(1, Int(reset.timeIntervalSince(now).rounded(.up))))])
    }

    /// `2025-11-12T00:00:00Z` (whole seconds, as the API documents `reset_at`).
    static func secondsTimestamp(_ date: Date) -> String {
        let text = Timestamp.string(date)
        return String(text.prefix(19)) + "Z"
    }
}
