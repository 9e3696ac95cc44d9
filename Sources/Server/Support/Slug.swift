import Foundation

/// File-name fragments made from product titles ("Ceramic Mug 350ml" → "ceramic-mug-350ml").
/// Letters of any script are kept, so Chinese titles stay readable; everything else becomes a
/// single hyphen. Never contains "/", "." or control characters.
public enum Slug {
    public static func make(_ title: String, maxLength: Int = 40, fallback: String = "video") -> String {
        var out = ""
        var pendingHyphen = false
        for ch in title.lowercased() {
            if ch.isLetter || ch.isNumber, ch.unicodeScalars.allSatisfy({ !$0.properties.isDefaultIgnorableCodePoint }) {
                if pendingHyphen && !out.isEmpty { out.append("-") }
                pendingHyphen = false
                out.append(ch)
                if out.count >= maxLength { break }
            } else {
                pendingHyphen = true
            }
        }
        return out.isEmpty ? fallback : out
    }
}
