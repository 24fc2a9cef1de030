import Foundation
import ROMACore

extension ExecutionQuery {
    /// The query parameters `GET /executions` understands.
    static let parameterNames: Set<String> = [
        "limit", "offset", "status", "profile", "created_after", "created_before", "sort", "order",
    ]

    /// The largest `offset` (2^31 − 1, as `openapi.yaml` says).
    static let maxOffset = Int(Int32.max)

    /// Parses and validates query parameters; any bad or unknown one is a 400 naming it.
    init(parameters: [(key: String, value: String)]) throws(ServerError) {
        self.init()
        var seen: Set<String> = []
        for (key, value) in parameters {
            guard Self.parameterNames.contains(key) else {
                throw ServerError.invalidRequest(
                    "Unknown query parameter '\(key)' (expected one of \(Self.parameterNames.sorted().joined(separator: ", ")))",
                    field: key, issue: "unknown_field")
            }
            guard seen.insert(key).inserted else {
                throw ServerError.invalidRequest("Query parameter '\(key)' is given more than once", field: key, issue: "duplicate")
            }
            switch key {
            case "limit":
                guard let limit = Int(value) else {
                    throw ServerError.invalidRequest("Invalid 'limit': must be an integer from 1 to 100", field: key, issue: "invalid_type")
                }
                guard (1...100).contains(limit) else {
                    throw ServerError.invalidRequest("Invalid 'limit': must be from 1 to 100", field: key, issue: "out_of_range")
                }
                self.limit = limit
            case "offset":
                guard let offset = Int(value) else {
                    throw ServerError.invalidRequest("Invalid 'offset': must be a non-negative integer", field: key, issue: "invalid_type")
                }
                guard (0...Self.maxOffset).contains(offset) else {
                    throw ServerError.invalidRequest(
                        "Invalid 'offset': must be from 0 to \(Self.maxOffset)", field: key, issue: "out_of_range")
                }
                self.offset = offset
            case "status":
                guard let status = ExecutionStatus(rawValue: value) else {
                    throw ServerError.invalidRequest(
                        "Invalid 'status': must be one of \(ExecutionStatus.allCases.map(\.rawValue).joined(separator: ", "))",
                        field: key, issue: "invalid_value")
                }
                self.status = status
            case "profile":
                guard let profile = ConfigProfile(rawValue: value) else {
                    throw ServerError.invalidRequest(
                        "Invalid 'profile': must be one of \(ConfigProfile.names.joined(separator: ", "))", field: key,
                        issue: "invalid_value")
                }
                self.profile = profile
            case "created_after", "created_before":
                guard let date = Self.parseDate(value) else {
                    throw ServerError.invalidRequest(
                        "Invalid '\(key)': must be an ISO 8601 date or date-time (e.g. 2025-11-11T10:30:00Z)", field: key,
                        issue: "invalid_value")
                }
                if key == "created_after" { createdAfter = Timestamp.string(date) } else { createdBefore = Timestamp.string(date) }
            case "sort":
                guard let sort = SortField(rawValue: value) else {
                    throw ServerError.invalidRequest(
                        "Invalid 'sort': must be one of \(SortField.allCases.map(\.rawValue).joined(separator: ", "))",
                        field: key, issue: "invalid_value")
                }
                self.sort = sort
            default:
                guard let order = Order(rawValue: value) else {
                    throw ServerError.invalidRequest("Invalid 'order': must be asc or desc", field: key, issue: "invalid_value")
                }
                self.order = order
            }
        }
    }

    /// `Z` timestamps and bare dates via `Timestamp`; also numeric offsets (`+02:00`) and no zone
    /// at all (read as UTC), as clients' `isoformat()` writes them.
    static func parseDate(_ text: String) -> Date? {
        guard hasValidFields(text) else { return nil }
        if let date = Timestamp.date(text) { return date }
        guard text.count >= 19 else { return nil }
        let utf8 = Array(text.utf8)
        var end = utf8.count
        var offset = 0
        if end >= 6, utf8[end - 3] == UInt8(ascii: ":"), utf8[end - 6] == UInt8(ascii: "+") || utf8[end - 6] == UInt8(ascii: "-") {
            guard let hours = Int(String(decoding: utf8[(end - 5)..<(end - 3)], as: UTF8.self)),
                let minutes = Int(String(decoding: utf8[(end - 2)..<end], as: UTF8.self))
            else { return nil }
            offset = (hours * 3600 + minutes * 60) * (utf8[end - 6] == UInt8(ascii: "-") ? -1 : 1)
            end -= 6
        }
        let local = String(decoding: utf8[0..<end], as: UTF8.self) + "Z"
        return Timestamp.date(local).map { $0.addingTimeInterval(Double(-offset)) }
    }

    /// Month, day, hour, minute and second within their ranges (`timegm` would roll 2025-13-45 over).
    private static func hasValidFields(_ text: String) -> Bool {
        let digits = Array(text.utf8)
        func number(_ from: Int, _ count: Int) -> Int? {
            guard from + count <= digits.count else { return nil }
            return Int(String(decoding: digits[from..<(from + count)], as: UTF8.self))
        }
        guard let month = number(5, 2), (1...12).contains(month), let day = number(8, 2), (1...31).contains(day) else {
            return false
        }
        guard digits.count > 10 else { return true }
        guard let hour = number(11, 2), hour < 24, let minute = number(14, 2), minute < 60, let second = number(17, 2),
            second <= 60
        else { return false }
        return true
    }
}
