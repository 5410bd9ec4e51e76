import Foundation
import IntakeCore

/// One labelled example of `channels/classification_examples.tsv`: a demand as an
/// enterprise wrote it, and the category code it belongs to.
public struct ClassificationExample: Sendable, Hashable {
    public var category: String
    public var text: String
    /// Its line in the file, for messages.
    public var line: Int

    public init(category: String, text: String, line: Int = 0) {
        self.category = category
        self.text = text
        self.line = line
    }

    /// Reads a tab-separated examples file: `#` comments, a header `category<TAB>text`, then
    /// one example per line. Every mistake is reported with its line: an unknown category
    /// code, a line without a tab, an empty text.
    public static func load(path: String, taxonomy: Taxonomy) throws(TaxonomyError) -> [ClassificationExample] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TaxonomyError(issues: [ConfigurationIssue(file: path, option: "", message: "cannot read the examples file")])
        }
        return try parse(String(decoding: data, as: UTF8.self), file: path, taxonomy: taxonomy)
    }

    public static func parse(_ text: String, file: String, taxonomy: Taxonomy) throws(TaxonomyError) -> [ClassificationExample] {
        let codes = Set(taxonomy.categories.map(\.code))
        var examples: [ClassificationExample] = []
        var issues: [ConfigurationIssue] = []
        var sawHeader = false
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.hasSuffix("\r") ? raw.dropLast() : raw
            let number = index + 1
            if line.allSatisfy(\.isWhitespace) || line.hasPrefix("#") { continue }
            let fields = line.split(separator: "\t", maxSplits: 1, omittingEmptySubsequences: false)
            if !sawHeader {
                sawHeader = true
                if fields.first.map({ $0.trimmingCharacters(in: .whitespaces) }) == "category" { continue }
            }
            guard fields.count == 2 else {
                issues.append(ConfigurationIssue(file: file, line: number, option: "", message: "expected `category<TAB>text`"))
                continue
            }
            let code = fields[0].trimmingCharacters(in: .whitespaces)
            let example = TextNormalizer.line(String(fields[1]))
            guard codes.contains(code) else {
                issues.append(ConfigurationIssue(
                    file: file, line: number, option: "", message: "unknown category \"\(code)\"; the taxonomy has \(taxonomy.categories.map(\.code).joined(separator: ", "))"))
                continue
            }
            guard !example.isEmpty else {
                issues.append(ConfigurationIssue(file: file, line: number, option: "", message: "the example's text is empty"))
                continue
            }
            examples.append(ClassificationExample(category: code, text: example, line: number))
        }
        guard issues.isEmpty else { throw TaxonomyError(issues: issues) }
        return examples
    }
}

/// A character n-gram naive Bayes model trained on labelled examples: how enterprises
/// actually word each category, beyond the taxonomy's keywords. Chinese has no spaces, so the
/// features are overlapping character bigrams and trigrams of the text as matching reads it
/// (NFC, full-width and traditional folded, punctuation dropped); each counts once per text
/// (binarised multinomial NB, which suits short texts). Context comes with the n-grams:
/// `人才落户` and `企业落户` are different trigrams.
///
/// Trained at start-up and on SIGHUP (a reload builds a new classifier), in milliseconds for
/// a few thousand examples. `scores` gives a log-likelihood per category; the classifier adds
/// the keyword scores to it as priors.
public struct ExampleModel: Sendable {
    /// Laplace smoothing; chosen by 5-fold cross-validation on the training examples
    /// (`intake-bench --classification`), never on the held-out set.
    public static let smoothing = 0.3

    let categories: Int
    /// Per feature, the log probability of seeing it in a text of each category.
    private let logLikelihood: [UInt64: [Float]]
    /// Log prior per category (its share of the examples, smoothed).
    private let logPrior: [Float]
    public let exampleCount: Int

    /// - Parameter categoryIndex: maps an example's category code to its index in the taxonomy.
    public init(examples: [ClassificationExample], categories: Int, categoryIndex: (String) -> Int?, smoothing: Double = Self.smoothing) {
        self.categories = categories
        var counts: [UInt64: [Float]] = [:]
        var totals = [Double](repeating: 0, count: categories)
        var documents = [Double](repeating: 0, count: categories)
        var used = 0
        for example in examples {
            guard let category = categoryIndex(example.category) else { continue }
            used += 1
            documents[category] += 1
            for feature in Self.features(example.text) {
                counts[feature, default: [Float](repeating: 0, count: categories)][category] += 1
                totals[category] += 1
            }
        }
        exampleCount = used
        let vocabulary = Double(max(counts.count, 1))
        let denominators = totals.map { $0 + smoothing * vocabulary }
        logLikelihood = counts.mapValues { row in
            (0..<categories).map { Float(log((Double(row[$0]) + smoothing) / denominators[$0])) }
        }
        let allDocuments = documents.reduce(0, +)
        logPrior = documents.map { Float(log(($0 + 1) / (allDocuments + Double(categories)))) }
    }

    public var isEmpty: Bool { exampleCount == 0 }

    /// The log-likelihood of `text` under each category (features never seen in training
    /// are left out).
    public func scores(_ text: String) -> [Double] {
        scores(Self.scalars(text))
    }

    /// `scores` of text already reduced to its letters and digits (`scalars`).
    func scores(_ scalars: [UInt32]) -> [Double] {
        var sums = [Float](repeating: 0, count: categories)
        var seen = Set<UInt64>(minimumCapacity: scalars.count * 2)
        for size in 2...3 where scalars.count >= size {
            for start in 0...(scalars.count - size) {
                let key = Self.key(scalars[start..<(start + size)])
                guard seen.insert(key).inserted, let row = logLikelihood[key] else { continue }
                row.withUnsafeBufferPointer { row in
                    for category in 0..<categories { sums[category] += row[category] }
                }
            }
        }
        return (0..<categories).map { Double(logPrior[$0]) + Double(sums[$0]) }
    }

    /// The n-grams of `scalars` that favour `category` over `other` the most, as text.
    func evidence(_ scalars: [UInt32], for category: Int, against other: Int, count: Int = 3) -> [String] {
        var weighed: [(start: Int, size: Int, margin: Float)] = []
        var seen = Set<UInt64>()
        for size in [3, 2] where scalars.count >= size {
            for start in 0...(scalars.count - size) {
                let key = Self.key(scalars[start..<(start + size)])
                guard seen.insert(key).inserted, let row = logLikelihood[key] else { continue }
                let margin = row[category] - row[other]
                if margin > 0 { weighed.append((start, size, margin)) }
            }
        }
        return weighed.sorted { $0.margin > $1.margin }.prefix(count).map { gram in
            String(String.UnicodeScalarView(scalars[gram.start..<(gram.start + gram.size)].compactMap(Unicode.Scalar.init)))
        }
    }

    /// Letters and digits of the text as matching reads it, lower-cased.
    static func scalars(_ text: String) -> [UInt32] {
        let line = TextNormalizer.matchingLine(text)
        var out: [UInt32] = []
        out.reserveCapacity(line.unicodeScalars.count)
        for scalar in line.unicodeScalars {
            let value = scalar.value
            switch value {
            case 0x4E00...0x9FFF, 0x30...0x39, 0x61...0x7A: out.append(value)  // ideographs, digits, a–z: most text
            case 0x41...0x5A: out.append(value + 0x20)
            case 0...0x7F: continue
            default:
                if scalar.properties.isAlphabetic || scalar.properties.numericType != nil {
                    out.append(scalar.properties.lowercaseMapping.unicodeScalars.first?.value ?? value)
                }
            }
        }
        return out
    }

    /// A bigram or trigram packed into 64 bits: 21 bits per scalar, the size in the top bit.
    static func key(_ gram: ArraySlice<UInt32>) -> UInt64 {
        var key: UInt64 = 0
        for scalar in gram { key = key << 21 | UInt64(scalar & 0x1F_FFFF) }
        return gram.count == 3 ? key | 1 << 63 : key
    }

    static func features(_ text: String) -> Set<UInt64> {
        let scalars = scalars(text)
        var features = Set<UInt64>()
        for size in [2, 3] where scalars.count >= size {
            for start in 0...(scalars.count - size) { features.insert(key(scalars[start..<(start + size)])) }
        }
        return features
    }
}
