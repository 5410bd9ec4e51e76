import Foundation

/// A `multipart/form-data` body (RFC 7578): its parts by field name, with the file name a
/// client gave (kept for people only, never used as a path). Parsed with the MIME module's
/// boundary splitter and header reader.
struct FormData {
    struct Part {
        var name: String
        var fileName: String?
        var mediaType: String
        var data: Data
    }

    var parts: [Part]

    enum Failure: Error, CustomStringConvertible {
        case noBoundary
        case malformed(String)

        var description: String {
            switch self {
            case .noBoundary: "multipart/form-data without a boundary parameter"
            case .malformed(let reason): reason
            }
        }
    }

    /// Reads `body` sent with `contentType` (`multipart/form-data; boundary=…`).
    init(body: [UInt8], contentType: String, maxParts: Int = 100) throws(Failure) {
        let type = MIMEParameters(contentType)
        guard let boundary = type["boundary"], !boundary.isEmpty else { throw .noBoundary }
        let (ranges, closed) = MultipartSplitter.split(body, body.startIndex..<body.endIndex, boundary: Array(boundary.utf8))
        guard closed else { throw .malformed("the multipart body has no closing boundary (--\(boundary)--): truncated upload?") }
        guard ranges.count <= maxParts else { throw .malformed("\(ranges.count) parts; at most \(maxParts)") }
        parts = []
        for (index, range) in ranges.enumerated() {
            let header = MIMEHeaderBlock(body[range])
            guard let disposition = header.value("Content-Disposition").map(MIMEParameters.init), disposition.value == "form-data",
                  let name = disposition["name"], !name.isEmpty
            else { throw .malformed("part \(index + 1) has no Content-Disposition: form-data; name=\"…\"") }
            let mediaType = header.value("Content-Type").map { MIMEParameters($0).value } ?? "application/octet-stream"
            parts.append(Part(
                name: name, fileName: disposition["filename"], mediaType: mediaType,
                data: Data(body[header.bodyStart..<header.bodyEnd])))
        }
    }

    func part(_ name: String) -> Part? {
        parts.first { $0.name == name }
    }
}
