import ROMACore

/// Filters, sorting and paging of `GET /executions`.
public struct ExecutionQuery: Sendable, Hashable {
    /// The sort fields the API documents.
    public enum SortField: String, Sendable, Hashable, CaseIterable {
        case createdAt = "created_at"
        case updatedAt = "updated_at"
        case status
    }

    /// Sort direction.
    public enum Order: String, Sendable, Hashable, CaseIterable {
        case asc, desc
    }

    public var limit: Int
    public var offset: Int
    public var status: ExecutionStatus?
    public var profile: ConfigProfile?
    /// Exclusive lower bound on `created_at` (ISO 8601, as stored).
    public var createdAfter: String?
    /// Exclusive upper bound on `created_at`.
    public var createdBefore: String?
    public var sort: SortField
    public var order: Order

    /// Creates a query with the documented defaults.
    public init(
        limit: Int = 20, offset: Int = 0, status: ExecutionStatus? = nil, profile: ConfigProfile? = nil,
        createdAfter: String? = nil, createdBefore: String? = nil, sort: SortField = .createdAt, order: Order = .desc
    ) {
        self.limit = limit
        self.offset = offset
        self.status = status
        self.profile = profile
        self.createdAfter = createdAfter
        self.createdBefore = createdBefore
        self.sort = sort
        self.order = order
    }
}

extension ExecutionQuery {
    /// The query's filters as SQL comparisons (`column op`) and their values, in a fixed order;
    /// each store appends its own placeholder (`?`, `$n`) and binds the value.
    var sqlFilters: [(comparison: String, value: String)] {
        var filters: [(String, String)] = []
        if let status { filters.append(("status =", status.rawValue)) }
        if let profile { filters.append(("config_profile =", profile.rawValue)) }
        if let createdAfter { filters.append(("created_at >", createdAfter)) }
        if let createdBefore { filters.append(("created_at <", createdBefore)) }
        return filters
    }

    /// The `ORDER BY` terms. Ties are broken by creation, then id, in the same direction, so pages
    /// never overlap.
    var sqlOrder: String {
        let direction = order == .asc ? "ASC" : "DESC"
        return switch sort {
        case .createdAt: "created_at \(direction), id \(direction)"
        case .updatedAt: "updated_at \(direction), created_at \(direction), id \(direction)"
        case .status: "status \(direction), created_at \(direction), id \(direction)"
        }
    }
}
