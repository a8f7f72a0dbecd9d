import NIOCore
import TributarySession
import TributaryWire

/// Sends on a session from any task and waits until the message's last frame reached the socket;
/// Sendable, so a writer task can send while another task reads the same ``SessionConnection``
/// (the coordinator's per-client writer, which limits how many model transfers are in flight).
public struct SessionSender: Sendable {
    let channel: any Channel

    /// - Throws: ``TransportError``: `notReady` when the session refuses the message,
    ///   `connectionClosed` when the connection is gone.
    public func send(_ message: WireMessage) async throws {
        do {
            try await write(message)
        } catch let error as TransportError {
            throw error
        } catch {
            throw TransportError(.connectionClosed, "cannot send \(message.name): the connection closed (\(error))")
        }
    }

    /// Writes and waits; a session refusal becomes a `TransportError`, a channel error is rethrown as is.
    func write(_ message: WireMessage) async throws {
        do {
            try await channel.writeAndFlush(message).get()
        } catch let error as SessionError {
            throw TransportError(error)
        }
    }
}
