import Foundation
import IntakeCore
import IntakePipeline

extension VisitDecoder {
    /// The demands of one visit as case drafts, one per demand, in the visit's order.
    ///
    /// The ref is `<visit_id>#<n>` with n from 1; the staff member is the requester with
    /// role `field_staff`, so routing knows whom to call back. `attachments` are the visit's
    /// stored attachments, shared by every case of the visit.
    public static func drafts(for visit: VisitRecord, attachments: [Attachment] = []) -> [CaseDraft] {
        let shanghai = Timestamp(timeZone: TimeZone(identifier: "Asia/Shanghai") ?? TimeZone(secondsFromGMT: 8 * 3600)!)
        var shared: [String: JSONValue] = [
            "visit_id": .string(visit.visitID),
            "staff_id": .string(visit.staffID),
        ]
        if !visit.participants.isEmpty { shared["participants"] = .array(visit.participants.map(JSONValue.string)) }
        if let recordedAt = visit.recordedAt { shared["recorded_at"] = .string(shanghai.format(recordedAt)) }
        if let notes = visit.notes {
            if !visit.demandsFromNotes {
                shared["notes"] = .string(notes)
            } else if let preamble = DemandSplitter.parts(notes).preamble {
                // "企业反映以下问题：" is no demand of its own but gives each one its context.
                shared["notes_preamble"] = .string(preamble)
            }
        }
        return visit.demands.enumerated().map { offset, demand in
            var extra = shared
            extra["demand_index"] = .number(Double(offset + 1))
            return CaseDraft(
                ref: "\(visit.visitID)#\(offset + 1)", reportedAt: visit.visitedAt, requesterName: visit.staffName,
                requesterPhone: visit.staffPhone, requesterRole: "field_staff", enterpriseName: visit.enterpriseName,
                enterpriseUSCC: visit.enterpriseUSCC, description: demand.text, sourceCategory: demand.category,
                priority: demand.urgent ? .urgent : .normal, address: visit.enterpriseAddress, attachments: attachments,
                extra: extra)
        }
    }
}
