import Foundation
import IntakeCore
import IntakePipeline

/// `make bench`: classification accuracy (5-fold cross-validation on the training examples,
/// the grid the model's two constants were chosen from, and the held-out file, per
/// category) and phone-number agreement with libphonenumber's test vectors.
enum FidelityBenchmark {
    static func classification(taxonomyPath: String, examplesPath: String, heldoutPath: String) throws {
        let taxonomy = try Taxonomy.load(path: taxonomyPath)
        let training = try ClassificationExample.load(path: examplesPath, taxonomy: taxonomy)
        let heldout = try ClassificationExample.load(path: heldoutPath, taxonomy: taxonomy)
        let codes = taxonomy.categories.map(\.code)
        print("classification: \(training.count) training examples (\(examplesPath)), \(heldout.count) held out (\(heldoutPath))")

        let keywordsOnly = Classifier(taxonomy: taxonomy)
        print(String(format: "  keywords only:            training %.3f, held out %.3f",
                     accuracy(keywordsOnly, training).overall, accuracy(keywordsOnly, heldout).overall))

        // The grid the defaults were chosen from: cross-validation on the training file only.
        print("  5-fold cross-validation on the training examples (keyword weight × smoothing):")
        var best = (accuracy: 0.0, weight: 0.0, smoothing: 0.0)
        for weight in [0.0, 1.0, 2.0, 3.0, 4.0, 6.0, 8.0, 12.0] {
            var line = String(format: "    weight %.1f:", weight)
            for smoothing in [0.1, 0.3, 1.0, 2.0, 4.0] {
                let cv = crossValidated(taxonomy, training, weight: weight, smoothing: smoothing).overall
                line += String(format: "  α=%.1f %.3f", smoothing, cv)
                if cv > best.accuracy { best = (cv, weight, smoothing) }
            }
            print(line)
        }
        print(String(format: "    best: weight %.1f, α=%.1f (%.3f); in use: weight %.1f, α=%.1f",
                     best.weight, best.smoothing, best.accuracy, Classifier.defaultKeywordWeight, ExampleModel.smoothing))

        let cv = crossValidated(taxonomy, training, weight: Classifier.defaultKeywordWeight, smoothing: ExampleModel.smoothing)
        let model = Classifier(taxonomy: taxonomy, examples: training)
        let held = accuracy(model, heldout)
        print(String(format: "  examples model + keywords: cross-validated %.3f, held out %.3f (goal ≥ 0.85)", cv.overall, held.overall))
        print("  per category        cross-validated   held out")
        for code in codes {
            let c = cv.byCategory[code] ?? (0, 0)
            let h = held.byCategory[code] ?? (0, 0)
            print("    " + code.padding(toLength: 12, withPad: " ", startingAt: 0)
                + String(format: "  %3d/%3d %.3f    %3d/%3d %.3f", c.correct, c.total, ratio(c), h.correct, h.total, ratio(h)))
        }
        let started = Date()
        for example in heldout { _ = model.classify(sourceCategory: nil, subject: nil, description: example.text) }
        print(String(format: "  %.1f µs per classification", Date().timeIntervalSince(started) / Double(max(heldout.count, 1)) * 1e6))
    }

    struct Accuracy {
        var overall: Double
        var byCategory: [String: (correct: Int, total: Int)]
    }

    static func ratio(_ value: (correct: Int, total: Int)) -> Double {
        value.total == 0 ? 0 : Double(value.correct) / Double(value.total)
    }

    static func accuracy(_ classifier: Classifier, _ examples: [ClassificationExample]) -> Accuracy {
        var byCategory: [String: (correct: Int, total: Int)] = [:]
        var correct = 0
        for example in examples {
            let chosen = classifier.classify(sourceCategory: nil, subject: nil, description: example.text).category.code
            let right = chosen == example.category
            if right { correct += 1 }
            byCategory[example.category, default: (0, 0)].total += 1
            if right { byCategory[example.category, default: (0, 0)].correct += 1 }
        }
        return Accuracy(overall: Double(correct) / Double(max(examples.count, 1)), byCategory: byCategory)
    }

    /// Each fold classified by a model trained on the other four; folds by position (every
    /// fifth example), so each category is spread over all of them.
    static func crossValidated(_ taxonomy: Taxonomy, _ examples: [ClassificationExample], weight: Double, smoothing: Double, folds: Int = 5) -> Accuracy {
        var byCategory: [String: (correct: Int, total: Int)] = [:]
        var correct = 0
        for fold in 0..<folds {
            let train = examples.enumerated().filter { $0.offset % folds != fold }.map(\.element)
            let test = examples.enumerated().filter { $0.offset % folds == fold }.map(\.element)
            let result = accuracy(Classifier(taxonomy: taxonomy, examples: train, keywordWeight: weight, smoothing: smoothing), test)
            correct += Int((result.overall * Double(test.count)).rounded())
            for (code, value) in result.byCategory {
                byCategory[code, default: (0, 0)].correct += value.correct
                byCategory[code, default: (0, 0)].total += value.total
            }
        }
        return Accuracy(overall: Double(correct) / Double(max(examples.count, 1)), byCategory: byCategory)
    }

    /// Agreement with the vectors (`bench/make_phone_vectors.py`, Python's port of
    /// libphonenumber as the oracle): the same E.164 (or none) and the same extension.
    static func phones(_ path: String, defaultAreaCode: String = "022") throws {
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").dropFirst()
        var agree = 0, invented = 0, total = 0
        var byShape: [String: (agree: Int, total: Int)] = [:]
        var examples: [String] = []
        for line in lines {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard fields.count >= 4 else { continue }
            total += 1
            let phone = PhoneNumber(fields[0], defaultAreaCode: defaultAreaCode)
            let expected = fields[1].isEmpty ? nil : fields[1]
            let expectedExtension = fields[2].isEmpty ? nil : fields[2]
            let shape = fields.count > 4 ? fields[4] : "-"
            let same = phone.e164 == expected && phone.extensionDigits == expectedExtension
            if same { agree += 1 } else if examples.count < 12 {
                examples.append("    \(fields[0]) → \(phone.e164 ?? "kept") \(phone.extensionDigits ?? "")  (oracle: \(expected ?? "invalid") \(expectedExtension ?? ""), \(shape))")
            }
            if phone.e164 != nil, expected == nil { invented += 1 }
            byShape[shape, default: (0, 0)].total += 1
            if same { byShape[shape, default: (0, 0)].agree += 1 }
        }
        print(String(format: "phones: %d vectors, agreement with libphonenumber %.4f (goal ≥ 0.995), %d numbers the oracle calls invalid given an E.164 (goal 0)",
                     total, Double(agree) / Double(max(total, 1)), invented))
        for (shape, value) in byShape.sorted(by: { $0.key < $1.key }) where value.agree < value.total {
            print("  \(shape): \(value.agree)/\(value.total)")
        }
        for example in examples { print(example) }
    }
}
