#pragma once
// Recent samples of many time series (queue depths, semaphore values, operation rates), trimmed to a time
// window. Plain data, tested without a GUI.
#include <cstdint>
#include <deque>
#include <map>
#include <utility>
#include <vector>

namespace mpui {

class SeriesHistory {
public:
    using Samples = std::deque<std::pair<double, double>>; // (time, value), time increasing

    explicit SeriesHistory(double keep = 120)
        : keep_(keep) {}

    // A sample of series `key` at time `t`; samples older than `keep` seconds before `t` are dropped, and a
    // series with no sample left is forgotten.
    void add(std::uint64_t key, double t, double v);
    void trim(double now);
    void clear() { series_.clear(); }

    const Samples* samples(std::uint64_t key) const;
    std::vector<std::uint64_t> keys() const;
    // The largest value of a series from time `from` on (0 for none).
    double maxSince(std::uint64_t key, double from) const;

private:
    double keep_;
    std::map<std::uint64_t, Samples> series_;
};

} // namespace mpui
