#pragma once
// Time <-> pixel along one axis: the charts' sliding window and the pool's time bars. Plain arithmetic,
// tested without a GUI.
#include <vector>

namespace mpui {

// The smallest 1, 2 or 5 x 10^k that is >= `rough` (> 0): tick spacing people read at a glance.
double niceStep(double rough);

struct TimeScale {
    double t0 = 0, t1 = 1; // visible time, seconds (t1 > t0)
    double x0 = 0, x1 = 1; // the pixels they map to (x1 may be < x0 for a reversed axis)

    double toPixel(double t) const { return x0 + (t - t0) * (x1 - x0) / (t1 - t0); }
    double toTime(double x) const { return t0 + (x - x0) * (t1 - t0) / (x1 - x0); }
    double pixelsPerSecond() const { return (x1 - x0) / (t1 - t0); }

    // The last `span` seconds up to `now`; while now < span, the first `span` seconds, so that a young
    // session's data starts at the left edge and grows to the right rather than being squeezed.
    static TimeScale window(double now, double span, double x0, double x1);
    // A scale over [0, max(t, minimum)]: the pool bars' "everything so far" axis.
    static TimeScale upTo(double t, double minimum, double x0, double x1);

    // Tick spacing: the nicest step whose ticks lie at least `minGap` pixels apart.
    double tickStep(double minGap) const;
    // The multiples of tickStep(minGap) inside [t0, t1].
    std::vector<double> ticks(double minGap) const;
};

} // namespace mpui
