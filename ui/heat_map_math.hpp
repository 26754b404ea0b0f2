#pragma once
// Value -> colour and the cell grid of the shared-memory heat map, as plain arithmetic tested without a GUI.
#include <cstdint>
#include <vector>

namespace mpui {

struct Rgb {
    std::uint8_t r = 0, g = 0, b = 0;
    bool operator==(const Rgb&) const = default;
};

// Sequential (dark blue -> yellow) for values of one sign; diverging (blue - white - red, white at 0) when
// the values span zero, so that a sign flip is visible at a glance.
struct ColourScale {
    double min = 0, max = 0;
    bool diverging = false;

    static ColourScale fit(const std::vector<double>& values);
    // 0 .. 1 along the ramp (0.5 for a constant array, and for 0 when diverging).
    double position(double v) const;
    Rgb colour(double v) const;
    // Black or white, whichever reads better on `background`.
    static Rgb textOn(Rgb background);
};

// Cells laid out row by row, as large as fits in `maxHeight` (never below minCell; then it scrolls).
struct HeatGrid {
    int count = 0;
    int columns = 1;
    double cell = 16;
    double gap = 2;

    static HeatGrid fit(int count, double width, double maxHeight, double minCell = 12, double maxCell = 40,
                        double gap = 2);
    int rows() const { return count == 0 ? 0 : (count + columns - 1) / columns; }
    double width() const { return columns * (cell + gap) - gap; }
    double height() const { return rows() == 0 ? 0 : rows() * (cell + gap) - gap; }
    // Top-left corner of cell `index`, relative to the grid's own top-left.
    double cellX(int index) const { return (index % columns) * (cell + gap); }
    double cellY(int index) const { return (index / columns) * (cell + gap); }
    // The cell under (x, y), or -1 (outside, or in a gap).
    int indexAt(double x, double y) const;
};

// How strongly a write `age` seconds old is marked: 1 when fresh, fading to 0 at `fade` seconds.
double writeEmphasis(double age, double fade);

} // namespace mpui
