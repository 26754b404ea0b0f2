#include "rate_meter.hpp"

#include <algorithm>

namespace mpui {

void RateMeter::add(double t, double count) {
    samples_.emplace_back(t, count);
    // Keep one sample older than the window: it marks where the window's span begins.
    while (samples_.size() > 2 && samples_[1].first <= t - window_)
        samples_.pop_front();
}

double RateMeter::rate(double now) const {
    if (samples_.empty()) return 0;
    double sum = 0;
    for (const auto& [t, c] : samples_)
        if (t > now - window_) sum += c;
    // While younger than the window, divide by the time actually covered (at least a tenth of the window, so
    // that the first sample does not read as a huge rate).
    const double span = std::clamp(now - samples_.front().first, window_ / 10, window_);
    return sum / span;
}

} // namespace mpui
