import Foundation

/// Every request the mock server received, plus the requests it is holding unanswered.
///
/// Tests wait on it for events ("the server has received 4 requests", "3 requests are held")
/// instead of sleeping.
public final class RequestJournal: @unchecked Sendable {
    /// What a wait can look at.
    public struct Snapshot: Sendable {
        /// Every request received so far, in arrival order.
        public var requests: [MockChatRequest]
        /// How many requests are being held unanswered right now.
        public var held: Int
    }

    private let lock = NSLock()
    private var requests: [MockChatRequest] = []
    private var malformed = 0
    private var nextID: UInt64 = 0
    private var waiters: [UInt64: (predicate: @Sendable (Snapshot) -> Bool, continuation: CheckedContinuation<Void, Never>)] = [:]
    private var holds: [UInt64: CheckedContinuation<Void, Never>] = [:]
    private var cancelled: Set<UInt64> = []

    init() {}

    /// Every request received so far, in arrival order.
    public var all: [MockChatRequest] { lock.withLock { requests } }
    /// How many requests were received.
    public var count: Int { lock.withLock { requests.count } }
    /// How many requests are being held unanswered right now.
    public var heldCount: Int { lock.withLock { holds.count } }
    /// How many bodies were not JSON objects.
    public var malformedCount: Int { lock.withLock { malformed } }

    /// Records a body; `nil` (and counted as malformed) when it is not a JSON object.
    func record(body: String, authorization: String?) -> MockChatRequest? {
        lock.withLock {
            guard let request = MockChatRequest(index: requests.count, body: body, authorization: authorization) else {
                malformed += 1
                return nil
            }
            requests.append(request)
            resumeSatisfiedWaiters()
            return request
        }
    }

    /// Suspends until `predicate` holds (checked now and after every change); returns at once when cancelled.
    public func wait(until predicate: @escaping @Sendable (Snapshot) -> Bool) async {
        let id = lock.withLock { () -> UInt64 in
            nextID += 1
            return nextID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                lock.withLock {
                    if cancelled.remove(id) != nil || predicate(snapshot) {
                        continuation.resume()
                    } else {
                        waiters[id] = (predicate, continuation)
                    }
                }
            }
        } onCancel: {
            lock.withLock {
                if let waiter = waiters.removeValue(forKey: id) { waiter.continuation.resume() } else { cancelled.insert(id) }
            }
        }
    }

    /// Suspends until at least `count` requests were received.
    public func waitForRequests(_ count: Int) async {
        await wait { $0.requests.count >= count }
    }

    /// Suspends until at least `count` requests are being held.
    public func waitForHeld(_ count: Int) async {
        await wait { $0.held >= count }
    }

    /// Answers every held request (with a 503): a test's way to let the client go on.
    public func releaseHeld() {
        lock.withLock {
            for continuation in holds.values { continuation.resume() }
            holds.removeAll()
            resumeSatisfiedWaiters()
        }
    }

    /// Suspends the caller (a request handler) until `releaseHeld()` or cancellation (server shutdown).
    func hold() async {
        let id = lock.withLock { () -> UInt64 in
            nextID += 1
            return nextID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                lock.withLock {
                    if cancelled.remove(id) != nil {
                        continuation.resume()
                    } else {
                        holds[id] = continuation
                        resumeSatisfiedWaiters()
                    }
                }
            }
        } onCancel: {
            lock.withLock {
                if let continuation = holds.removeValue(forKey: id) { continuation.resume() } else { cancelled.insert(id) }
            }
        }
    }

    // Called with the lock held.
    private var snapshot: Snapshot { Snapshot(requests: requests, held: holds.count) }

    // Called with the lock held.
    private func resumeSatisfiedWaiters() {
        let now = snapshot
        for (id, waiter) in waiters where waiter.predicate(now) {
            waiters.removeValue(forKey: id)
            waiter.continuation.resume()
        }
    }
}
