import Logging
import ROMACore

/// A log handler that removes secrets from every message and metadata value before the
/// wrapped handler sees them: the one place `roma serve`'s logs go through.
struct RedactingLogHandler: LogHandler {
    var wrapped: any LogHandler
    let redactor: Redactor

    var logLevel: Logger.Level {
        get { wrapped.logLevel }
        set { wrapped.logLevel = newValue }
    }

    var metadata: Logger.Metadata {
        get { wrapped.metadata }
        set { wrapped.metadata = newValue }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { wrapped[metadataKey: key] }
        set { wrapped[metadataKey: key] = newValue }
    }

    func log(event: LogEvent) {
        var event = event
        event.message = Logger.Message(stringLiteral: redactor.redact(event.message.description))
        event.metadata = event.metadata?.mapValues { .string(redactor.redact($0.description)) }
        wrapped.log(event: event)
    }
}
