#include "series_history.hpp"

#include <algorithm>

namespace mpui {

void SeriesHistory::add(std::uint64_t key, double t, double v) {
    Samples& s = series_[key];
    // Repeated refreshes of an unchanged value at the end only move the last sample's time: a flat line
    // needs two points, not one per refresh.
    if (s.size() >= 2 && s.back().second == v && s[s.size() - 2].second == v)
        s.back().first = t;
    else
        s.emplace_back(t, v);
    while (!s.empty() && s.front().first < t - keep_)
        s.pop_front();
}

void SeriesHistory::trim(double now) {
    for (auto it = series_.begin(); it != series_.end();) {
        Samples& s = it->second;
        while (!s.empty() && s.front().first < now - keep_)
            s.pop_front();
        it = s.empty() ? series_.erase(it) : std::next(it);
    }
}

const SeriesHistory::Samples* SeriesHistory::samples(std::uint64_t key) const {
    auto it = series_.find(key);
    return it == series_.end() ? nullptr : &it->second;
}

std::vector<std::uint64_t> SeriesHistory::keys() const {
    std::vector<std::uint64_t> out;
    for (const auto& [key, s] : series_)
        out.push_back(key);
    return out;
}

double SeriesHistory::maxSince(std::uint64_t key, double from) const {
    const Samples* s = samples(key);
    double best = 0;
    if (!s) return best;
    for (auto it = s->rbegin(); it != s->rend(); ++it) {
        best = std::max(best, it->second);
        if (it->first < from) break; // the sample that was current at `from`
    }
    return best;
}

} // namespace mpui
