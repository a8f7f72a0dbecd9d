import TributaryModelWire
import TributarySecureAggregation
import TributaryWire

/// This edge's part in a secure round (RoundOffer.secure_aggregation): the SecAgg+ client
/// machine, and a masked-input request that arrived while the edge was still training.
struct SecureParticipation: Sendable {
    var roundID: UInt64
    var client: SecAggClient
    var elementBytes: Int
    /// The request came before the input: answered once training gives it.
    var pendingMaskedInput: SecAggServerMessage?
    var inputGiven = false
    /// Fault injection: this edge drops after sharing its keys, before its masked input.
    var drops: Bool
}

/// Secure rounds: keys advertised at the offer, shares while training, the trained Update
/// masked in place of sending it, the unmasking answered. Refusals end this edge's part.
extension EdgeInstance {
    /// Phase 1 at the offer: the client's two public keys (its secrets come from the system's CSPRNG).
    mutating func joinSecureRound(_ offer: RoundOffer, _ parameters: SecureRoundParameters) -> [Action] {
        do {
            var client = try SecAggClient(configuration: parameters.configuration, index: parameters.clientIndex, input: nil)
            let keys = try client.start()
            let participation = SecureParticipation(
                roundID: offer.roundID, client: client, elementBytes: parameters.configuration.layout.bits / 8,
                drops: faults.drops(round: offer.roundID))
            secure = participation
            return [.sendSecure(participation.message(.fromClient(keys)))]
        } catch {
            secure = nil
            return [.emit(.skipped(round: offer.roundID, reason: "secure aggregation: \(error)"))]
        }
    }

    /// A phase request (or the round's abort) from the coordinator.
    mutating func secureReceived(_ message: SecureAggregationMessage) -> [Action] {
        guard var participation = secure, participation.roundID == message.roundID else { return [] }
        switch message.body {
        case .abort(let phase, let code, let reason):
            secure = nil
            return [.emit(.skipped(round: message.roundID, reason: "secure aggregation aborted in \(phase) (\(code)): \(reason)"))]
        case .toClient(let request):
            if case .maskedInput = request {
                if participation.drops {
                    secure = nil
                    return [.emit(.skipped(round: message.roundID, reason: "dropped after sharing its keys (fault injection)")), .close]
                }
                if !participation.inputGiven {
                    participation.pendingMaskedInput = request
                    secure = participation
                    return [.emit(.maskedInputRequested(round: message.roundID))]
                }
            }
            return answerSecure(request, participation)
        case .fromClient, .refusal:
            return []
        }
    }

    /// The round's Update, trained and saved: it becomes this client's masked input (never sent
    /// in the clear), and a masked-input request waiting for it is answered.
    /// - Parameter weight: the weight n to mask (nil: the Update's example count).
    mutating func provideSecureInput(_ update: Update, weight: Int?, examples: Int, loss: Double) -> [Action] {
        guard var participation = secure, participation.roundID == update.roundID else {
            return [.emit(.skipped(round: update.roundID, reason: "the secure round ended before training finished"))]
        }
        do {
            guard let layout = held?.spec.parameterLayout else {
                throw EdgeError(.invalidInput, "no model is held to read round \(update.roundID)'s Update with")
            }
            let delta = try LearningWire.flatten(update.delta, layout: layout, field: "Update.delta")
            let fisher = try update.fisher.map { try LearningWire.flatten($0, layout: layout, field: "Update.fisher") }
            let input = try FisherWeightedInput.segments(
                for: participation.client.configuration.layout, delta: delta, fisher: fisher,
                examples: weight ?? Int(clamping: update.numExamples))
            try participation.client.provideInput(input)
        } catch {
            secure = nil
            return [.emit(.skipped(round: update.roundID, reason: "secure aggregation: \(error)"))]
        }
        participation.inputGiven = true
        writing[update.roundID] = .answer(examples: examples, loss: loss)
        guard let pending = participation.pendingMaskedInput else {
            secure = participation
            return []
        }
        participation.pendingMaskedInput = nil
        return answerSecure(pending, participation)
    }

    private mutating func answerSecure(_ request: SecAggServerMessage, _ participation: SecureParticipation) -> [Action] {
        var participation = participation
        let round = participation.roundID
        do {
            let reply = try participation.client.receive(request)
            var actions: [Action] = [.sendSecure(participation.message(.fromClient(reply)))]
            if case .unmask = reply {
                secure = nil
                actions.append(.emit(.secureRoundAnswered(round: round)))
            } else {
                secure = participation
            }
            if case .maskedInput = reply, case .answer(let examples, let loss)? = writing.removeValue(forKey: round) {
                actions.append(.emit(.maskedInputSent(round: round, examples: examples, loss: loss)))
            }
            return actions
        } catch let error as SecAggError {
            secure = nil
            return [.sendSecure(participation.message(.refusal(client: participation.client.index, code: error.code.name, reason: error.reason))),
                    .emit(.skipped(round: round, reason: "refused secure aggregation: \(error.reason)"))]
        } catch {
            secure = nil
            return [.emit(.skipped(round: round, reason: "secure aggregation: \(error)"))]
        }
    }
}

extension SecureParticipation {
    func message(_ body: SecureAggregationMessage.Body) -> SecureAggregationMessage {
        SecureAggregationMessage(roundID: roundID, body: body, elementBytes: elementBytes)
    }
}
