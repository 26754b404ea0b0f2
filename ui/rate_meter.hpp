#pragma once
// Counts per second over a sliding window: events/s and refreshes/s in the status bar, operation rates in
// the charts. Plain arithmetic, tested without a GUI.
#include <deque>
#include <utility>

namespace mpui {

class RateMeter {
public:
    explicit RateMeter(double window = 1.0)
        : window_(window) {}
    // `count` things happened at time `t` (seconds, non-decreasing).
    void add(double t, double count = 1);
    // Things per second over the last `window` seconds up to `now` (over less while younger than that).
    double rate(double now) const;
    void clear() { samples_.clear(); }

private:
    double window_;
    std::deque<std::pair<double, double>> samples_;
};

} // namespace mpui
