import PostgresNIO
import ROMAClient
import ROMAEngine

extension PostgresExecutionStore {
    /// Why the database could not be used, in one line a user can act on: the server's own
    /// message ("password authentication failed for user …", "database … does not exist"), or
    /// the connection's failure ("Connection refused"), never a dump of the driver's error.
    public static func reason(_ error: any Error) -> String {
        guard let error = error as? PSQLError else { return TransportFailure.describe(error) }
        if let message = error.serverInfo?[.message] { return message }
        if let underlying = error.underlying { return reason(underlying) }
        switch error.code {
        case .serverClosedConnection: return "the server closed the connection"
        case .sslUnsupported: return "the server does not support TLS"
        case .authMechanismRequiresPassword: return "the server asks for a password and the URL has none"
        case .unsupportedAuthMechanism: return "the server asks for an authentication method roma does not support"
        default: return "\(error.code)"
        }
    }
}
