// Matches CPython Objects/floatobject.c: float_floor_div (_float_div_mod), and int floor division.
import Foundation

/// Python's arithmetic where it differs from the obvious Swift expression.
public enum PythonArithmetic {
    /// `a // b` for Python floats: fmod-based, then snapped to the nearest integral value —
    /// not `floor(a / b)` (e.g. 576 // 0.45 == 1279.0 while floor(576 / 0.45) == 1280).
    /// `b` must be non-zero (Python raises ZeroDivisionError).
    public static func floorDivide(_ a: Double, _ b: Double) -> Double {
        var mod = fmod(a, b)
        var div = (a - mod) / b
        if mod != 0 {
            if (b < 0) != (mod < 0) {
                mod += b
                div -= 1
            }
        }
        if div != 0 {
            var floorDiv = div.rounded(.down)
            if div - floorDiv > 0.5 { floorDiv += 1 }
            return floorDiv
        }
        return (a / b).sign == .minus ? -0.0 : 0.0
    }

    /// `a // b` for Python ints (rounds toward −∞). `b` must be non-zero.
    public static func floorDivide(_ a: Int, _ b: Int) -> Int {
        let q = a / b
        return (a % b != 0) && ((a < 0) != (b < 0)) ? q - 1 : q
    }

    /// Python's `round(x)` for floats: to nearest, ties to even.
    public static func round(_ x: Double) -> Double { x.rounded(.toNearestOrEven) }
}
