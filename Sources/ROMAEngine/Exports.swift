// Clocks, sleepers, the retry policy, node paths and task types live in ROMAShared, which the
// server uses too without importing the engine for them. The engine re-exports them: code that
// imports ROMAEngine sees them as before.
@_exported import ROMAShared
