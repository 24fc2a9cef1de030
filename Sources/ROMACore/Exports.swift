// The wire types (requests, responses, DAG, JSON values, timestamps) live in ROMAWire, which
// needs nothing but Foundation, so an API client builds without libyaml. ROMACore re-exports
// them: code that imports ROMACore sees them as before.
@_exported import ROMAWire
