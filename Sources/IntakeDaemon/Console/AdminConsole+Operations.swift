import Foundation
import Hummingbird
import IntakeCore
import IntakeStore

extension AdminConsole {
    /// `/dead` with replay, `/quarantine` with reprocess, `/hotline` with its error reports.
    func addOperations(to router: Router<ConsoleRequestContext>) {
        page(router, "/dead") { [self] request, _, viewer in
            let letters = try database.deadLetters()
            let rows: [[String: Any]] = try letters.map { letter in
                var row: [String: Any] = [
                    "id": letter.outboxID, "deadAt": shown(letter.deadAt), "caseID": letter.caseID, "shortCase": Self.short(letter.caseID),
                    "origin": "\(Self.channelLabel(letter.channel)) · \(letter.source)", "event": letter.event, "key": letter.idempotencyKey,
                    "attempts": letter.attempts, "heldBack": letter.heldBack, "reason": String((letter.lastError ?? "—").prefix(300)),
                ]
                if letter.heldBack > 0 { row["heldEvents"] = try database.heldBack(behind: letter).joined(separator: "、") }
                return row
            }
            let values: [String: Any] = ["letters": rows, "hasLetters": !rows.isEmpty, "canReplay": viewer.user.role.allows(.operator)]
            return pages.render("dead", values, frame: ConsoleFrame(title: "死信", nav: "dead", viewer: viewer, flash: sessions.takeFlash(token: viewer.token)))
        }
        action(router, "/dead/replay", needs: .operator) { [self] _, _, viewer, form in
            let ids: [Int64]
            if form["all"] != nil {
                ids = try database.deadLetters().map(\.outboxID)
            } else if let one = form["one"].flatMap(Int64.init) {
                ids = [one]
            } else {
                ids = form.all("id").compactMap(Int64.init)
            }
            guard !ids.isEmpty else { return done("未选择死信。", then: "/dead", viewer: viewer) }
            let replayed = try await database.replayDeadLetters(ids, actor: viewer.actor)
            if !replayed.isEmpty { onQueued() }
            logger.info("console replayed dead letters", metadata: ["intake.console.user": "\(viewer.user.name)", "intake.count": "\(replayed.count)"])
            return done("已重放 \(replayed.count) 条死信：" + replayed.map(String.init).joined(separator: ", "), then: "/dead", viewer: viewer)
        }
        page(router, "/quarantine") { [self] request, _, viewer in
            let showResolved = request.uri.queryParameters["all"] != nil
            let entries = try database.quarantined(includeResolved: showResolved)
            let rows: [[String: Any]] = entries.map { entry in
                let header = entry.header ?? []
                let fields = entry.fields ?? []
                var row: [String: Any] = [
                    "id": entry.id ?? 0, "origin": "\(Self.channelLabel(entry.channel.rawValue)) · \(entry.source)", "fileName": entry.fileName,
                    "where": entry.kind == .file ? "整个文件" : "第 \(entry.line) 行", "since": shown(entry.createdAt), "reason": entry.reason,
                    "cells": (0..<max(header.count, fields.count)).map { index in
                        ["column": index + 1, "header": index < header.count ? header[index] : "", "value": index < fields.count ? fields[index] : ""] as [String: Any]
                    },
                    "hasCells": !fields.isEmpty,
                ]
                if entry.resolvedAt != nil {
                    row["resolved"] = true
                    row["resolvedAt"] = shown(entry.resolvedAt)
                    row["resolvedBy"] = entry.resolvedBy ?? ""
                    row["resolution"] = entry.resolution ?? ""
                }
                return row
            }
            let values: [String: Any] = [
                "entries": rows, "hasEntries": !rows.isEmpty, "canReprocess": viewer.user.role.allows(.operator), "showResolved": showResolved,
            ]
            return pages.render(
                "quarantine", values, frame: ConsoleFrame(title: "隔离", nav: "quarantine", viewer: viewer, flash: sessions.takeFlash(token: viewer.token)))
        }
        action(router, "/quarantine/reprocess", needs: .operator) { [self] _, _, viewer, form in
            let all = form["all"] != nil
            let ids = all ? [] : (form["one"].flatMap(Int64.init).map { [$0] } ?? form.all("id").compactMap(Int64.init))
            guard all || !ids.isEmpty else { return done("未选择条目。", then: "/quarantine", viewer: viewer) }
            let admin = HotlineAdmin(configuration: configuration, database: database, blobs: blobs)
            let outcomes = try await admin.reprocess(ids: ids, all: all, actor: viewer.actor)
            if outcomes.contains(where: \.resolved) { onQueued() }
            logger.info("console reprocessed quarantine", metadata: ["intake.console.user": "\(viewer.user.name)", "intake.count": "\(outcomes.count)"])
            let resolved = outcomes.filter(\.resolved).count
            let text = "重新处理 \(outcomes.count) 条，\(resolved) 条已通过：" + outcomes.map { "#\($0.id) \($0.message)" }.joined(separator: "；")
            return done(String(text.prefix(1500)), then: "/quarantine", viewer: viewer)
        }
        page(router, "/hotline") { [self] _, _, viewer in
            let files = try database.hotlineFiles()
            let rows: [[String: Any]] = files.map { file in
                var row: [String: Any] = [
                    "at": shown(file.at), "source": file.source, "name": file.name, "sha": file.rawSHA256,
                    "sourceParam": Self.queryEscaped(file.source), "nameParam": Self.queryEscaped(file.name),
                    "hasReport": (file.counts?["rejected"] ?? 0) > 0,
                ]
                for key in ["rows", "created", "duplicates", "updated", "repeats", "rejected"] { row[key] = file.counts?[key].map(String.init) ?? "—" }
                if let reason = file.quarantinedReason { row["quarantined"] = reason }
                if let path = file.path { row["archived"] = path }
                return row
            }
            return pages.render("hotline", ["files": rows, "hasFiles": !rows.isEmpty], frame: ConsoleFrame(title: "热线文件", nav: "hotline", viewer: viewer))
        }
        page(router, "/hotline/report") { [self] request, _, viewer in
            let parameters = request.uri.queryParameters
            guard let sha = parameters["sha"].map(String.init), let name = parameters["name"].map(String.init),
                let file = try database.hotlineFiles(limit: 1000).first(where: { $0.rawSHA256 == sha && $0.name == name && $0.source == parameters["source"].map(String.init) })
            else { return message(.notFound, "没有此文件", "找不到这个热线文件。", viewer: viewer, back: "/hotline") }
            let reportName = file.name + ".errors.csv"
            // The report the spool archived beside the file (its path comes from the trace,
            // not from the request); else the same lines from the quarantined rows.
            if let path = file.path, let bytes = FileManager.default.contents(atPath: path + ".errors.csv") {
                return Self.download(bytes, name: reportName, mediaType: "text/csv; charset=utf-8")
            }
            let rows = try database.quarantinedRows(rawSHA256: file.rawSHA256, fileName: file.name)
            var csv = "\u{FEFF}line,reason,row\r\n"
            for row in rows { csv += [String(row.line), row.reason, row.text ?? (row.fields ?? []).joined(separator: ",")].map(Self.csvField).joined(separator: ",") + "\r\n" }
            return Self.download(Data(csv.utf8), name: reportName, mediaType: "text/csv; charset=utf-8")
        }
    }

    static func csvField(_ text: String) -> String {
        // A leading =, +, - or @ would be a formula in Excel: quoted and prefixed.
        let guarded = text.first.map { "=+-@".contains($0) } == true ? "'" + text : text
        return "\"" + guarded.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
