/// Paging figures of a list.
struct Pagination: Sendable, Hashable, Encodable {
    var total: Int
    var limit: Int
    var offset: Int
    var hasMore: Bool

    enum CodingKeys: String, CodingKey {
        case total, limit, offset
        case hasMore = "has_more"
    }
}
