#include "heat_map_math.hpp"

#include <algorithm>
#include <array>
#include <cmath>

namespace mpui {

namespace {

struct Stop {
    double at;
    Rgb colour;
};

Rgb interpolate(const Stop* stops, std::size_t count, double t) {
    t = std::clamp(t, 0.0, 1.0);
    for (std::size_t i = 1; i < count; ++i) {
        if (t > stops[i].at && i + 1 < count) continue;
        const Stop& a = stops[i - 1];
        const Stop& b = stops[i];
        const double f = b.at > a.at ? (t - a.at) / (b.at - a.at) : 0;
        auto mix = [f](std::uint8_t x, std::uint8_t y) {
            return static_cast<std::uint8_t>(std::lround(x + (y - x) * std::clamp(f, 0.0, 1.0)));
        };
        return {mix(a.colour.r, b.colour.r), mix(a.colour.g, b.colour.g), mix(a.colour.b, b.colour.b)};
    }
    return stops[count - 1].colour;
}

// Viridis, sampled: perceptually even and readable by most colour-blind viewers.
constexpr std::array<Stop, 5> kSequential{{{0.0, {68, 1, 84}},
                                           {0.25, {59, 82, 139}},
                                           {0.5, {33, 145, 140}},
                                           {0.75, {94, 201, 98}},
                                           {1.0, {253, 231, 37}}}};
// ColorBrewer RdBu, reversed: negative blue, zero near white, positive red.
constexpr std::array<Stop, 5> kDiverging{{{0.0, {33, 102, 172}},
                                          {0.25, {103, 169, 207}},
                                          {0.5, {247, 247, 247}},
                                          {0.75, {239, 138, 98}},
                                          {1.0, {178, 24, 43}}}};

} // namespace

ColourScale ColourScale::fit(const std::vector<double>& values) {
    ColourScale s;
    bool any = false;
    for (double v : values) {
        if (!std::isfinite(v)) continue;
        s.min = any ? std::min(s.min, v) : v;
        s.max = any ? std::max(s.max, v) : v;
        any = true;
    }
    s.diverging = s.min < 0 && s.max > 0;
    return s;
}

double ColourScale::position(double v) const {
    if (!std::isfinite(v)) return 0.5;
    if (diverging) {
        const double m = std::max(-min, max);
        return std::clamp(0.5 + 0.5 * v / m, 0.0, 1.0);
    }
    if (max <= min) return 0.5;
    return std::clamp((v - min) / (max - min), 0.0, 1.0);
}

Rgb ColourScale::colour(double v) const {
    const double t = position(v);
    return diverging ? interpolate(kDiverging.data(), kDiverging.size(), t)
                     : interpolate(kSequential.data(), kSequential.size(), t);
}

Rgb ColourScale::textOn(Rgb background) {
    // Relative luminance (sRGB weights, without the gamma curve: good enough to pick black or white).
    const double y = 0.2126 * background.r + 0.7152 * background.g + 0.0722 * background.b;
    return y > 140 ? Rgb{0, 0, 0} : Rgb{255, 255, 255};
}

HeatGrid HeatGrid::fit(int count, double width, double maxHeight, double minCell, double maxCell,
                       double gap) {
    HeatGrid g;
    g.count = std::max(count, 0);
    g.gap = gap;
    if (g.count == 0) return g;
    auto columnsFor = [&](double cell) {
        const int c = static_cast<int>((width + gap) / (cell + gap));
        return std::clamp(c, 1, g.count);
    };
    for (double cell = maxCell; cell >= minCell; cell -= 1) {
        g.cell = cell;
        g.columns = columnsFor(cell);
        if (g.height() <= maxHeight) return g;
    }
    g.cell = minCell;
    g.columns = columnsFor(minCell);
    return g;
}

int HeatGrid::indexAt(double x, double y) const {
    if (x < 0 || y < 0 || count == 0) return -1;
    const double pitch = cell + gap;
    const int col = static_cast<int>(x / pitch), row = static_cast<int>(y / pitch);
    if (col >= columns || x - col * pitch > cell || y - row * pitch > cell) return -1;
    const int index = row * columns + col;
    return index < count ? index : -1;
}

double writeEmphasis(double age, double fade) {
    if (!(fade > 0) || age < 0) return age < 0 ? 1 : 0;
    return std::clamp(1 - age / fade, 0.0, 1.0);
}

} // namespace mpui
