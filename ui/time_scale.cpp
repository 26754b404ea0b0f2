#include "time_scale.hpp"

#include <algorithm>
#include <cmath>

namespace mpui {

double niceStep(double rough) {
    if (!(rough > 0) || !std::isfinite(rough)) return 1;
    const double decade = std::pow(10.0, std::floor(std::log10(rough)));
    for (double m : {1.0, 2.0, 5.0, 10.0}) {
        // A little tolerance: 0.30000000000000004 should give 0.5, not 1 after rounding noise.
        if (m * decade >= rough * (1 - 1e-12)) return m * decade;
    }
    return 10 * decade;
}

TimeScale TimeScale::window(double now, double span, double x0, double x1) {
    span = span > 0 ? span : 1;
    const double end = std::max(now, span);
    return {end - span, end, x0, x1};
}

TimeScale TimeScale::upTo(double t, double minimum, double x0, double x1) {
    return {0, std::max({t, minimum, 1e-9}), x0, x1};
}

double TimeScale::tickStep(double minGap) const {
    const double pps = std::abs(pixelsPerSecond());
    if (!(pps > 0)) return t1 - t0;
    return niceStep(std::max(minGap, 1.0) / pps);
}

std::vector<double> TimeScale::ticks(double minGap) const {
    const double step = tickStep(minGap);
    std::vector<double> out;
    // Integer multiples of step, so the labels are round numbers whatever t0 is.
    for (double k = std::ceil(t0 / step - 1e-9); k * step <= t1 + step * 1e-9; ++k)
        out.push_back(k * step);
    return out;
}

} // namespace mpui
