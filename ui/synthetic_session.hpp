#pragma once
// A made-up session that changes on every step, for the refresh benchmark and the model tests: processes in a
// tree, objects of every kind with live state (owners, values, queue fills, array writes), waits that come
// and go, events, and - with churn - processes and objects that end and appear. No process is started.
#include <mp/scope/snapshot.hpp>

#include <cstdint>
#include <random>
#include <vector>

namespace mpui {

class SyntheticSession {
public:
    SyntheticSession(int processes, int objects, std::uint32_t seed = 1);

    // Moves the session `dt` seconds on, changing a good part of every table and recording `events` events.
    void step(double dt, int events = 200);
    // With churn, steps also end processes, start new ones, free objects and create new ones.
    void setChurn(bool on) { churn_ = on; }

    const mp::scope::Snapshot& snapshot() const { return snap_; }
    // The events recorded since the last call.
    std::vector<mp::scope::Event> takeEvents();

private:
    mp::scope::ProcessInfo makeProcess(mp::scope::ProcessId parent);
    mp::scope::ObjectInfo makeObject();
    void mutate(mp::scope::ObjectInfo& o);
    mp::scope::ProcessId anyLiveProcess();
    int below(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }

    std::mt19937 rng_;
    mp::scope::Snapshot snap_;
    std::vector<mp::scope::Event> events_;
    std::uint64_t seq_ = 0;
    mp::scope::ProcessId nextProcess_ = 1;
    mp::scope::ObjectId nextObject_ = 1;
    int pid_ = 40000;
    bool churn_ = false;
};

} // namespace mpui
