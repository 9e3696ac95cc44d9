/// Plain-text table of a `ModelInspector.Report`.
extension ModelInspector.Report {
    public func formatted() -> String {
        var lines: [String] = []
        var title = path
        if let pipelineClass {
            title += " (\(pipelineClass)" + (diffusersVersion.map { ", diffusers \($0)" } ?? "") + ")"
        }
        lines.append(title)
        let header = ["component", "class", "weights", "dtype", "parameters", "size"]
        var rows: [[String]] = []
        for c in components {
            let dtypes = c.parametersByDType.keys.map(\.rawValue).sorted().joined(separator: "+")
            let hasWeights = !c.weightFiles.isEmpty
            rows.append([
                c.name, c.className ?? "?", hasWeights ? c.weightFiles.joined(separator: ", ") : "-",
                dtypes.isEmpty ? "-" : dtypes,
                hasWeights ? Self.count(c.parameterCount) : "-",
                hasWeights ? Self.bytes(c.byteCount) : "-",
            ])
        }
        let total = ["total", "", "", "", Self.count(totalParameters), Self.bytes(totalBytes)]
        let widths = header.indices.map { i in ([header, total] + rows).map { $0[i].count }.max() ?? 0 }
        func render(_ row: [String]) -> String {
            row.enumerated().map { i, cell in
                // Numbers align right, text left.
                let pad = String(repeating: " ", count: widths[i] - cell.count)
                return i >= 4 ? pad + cell : cell + pad
            }.joined(separator: "  ").trimmingTrailingSpaces()
        }
        lines.append(render(header))
        lines.append(contentsOf: rows.map(render))
        lines.append(String(repeating: "-", count: widths.reduce(0, +) + 2 * (widths.count - 1)))
        lines.append(render(total))
        for c in components where !c.unusedFiles.isEmpty {
            lines.append("\(c.name): present but not used: \(c.unusedFiles.joined(separator: ", "))")
        }
        return lines.joined(separator: "\n")
    }

    /// `1,234,567 (1.23 M)`.
    static func count(_ n: Int) -> String {
        var digits = String(n)
        var grouped = ""
        while digits.count > 3 {
            grouped = "," + digits.suffix(3) + grouped
            digits.removeLast(3)
        }
        grouped = digits + grouped
        let units: [(Double, String)] = [(1e9, "B"), (1e6, "M"), (1e3, "K")]
        guard let (scale, unit) = units.first(where: { Double(n) >= $0.0 }) else { return grouped }
        return grouped + " (" + String(twoDecimals: Double(n) / scale) + " \(unit))"
    }

    /// Binary units: `2.66 GiB`.
    static func bytes(_ n: Int) -> String {
        let units: [(Double, String)] = [(Double(1 << 30), "GiB"), (Double(1 << 20), "MiB"), (Double(1 << 10), "KiB")]
        guard let (scale, unit) = units.first(where: { Double(n) >= $0.0 }) else { return "\(n) B" }
        return String(twoDecimals: Double(n) / scale) + " " + unit
    }
}

extension String {
    /// Two decimals, independent of the locale.
    init(twoDecimals value: Double) {
        let hundredths = Int((value * 100).rounded())
        let fraction = hundredths % 100
        self = "\(hundredths / 100)." + (fraction < 10 ? "0" : "") + "\(fraction)"
    }

    func trimmingTrailingSpaces() -> String {
        var s = self
        while s.last == " " { s.removeLast() }
        return s
    }
}
