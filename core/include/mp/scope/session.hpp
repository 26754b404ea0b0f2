#pragma once
// Attaching to a session arena from outside (mpscope-inspect, the GUI) or inside, and reading it: plain
// snapshots, the event ring, and the step-mode controls.
#include "mp/scope/snapshot.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace mp::detail {
class Segment;
}

namespace mp::scope {

struct AttachOptions {
    // Register as an inspector that wants every operation as an event (ObserveLevel::Full) for as long
    // as this Session lives.
    bool inspect = false;
};

class Session {
public:
    // Every readable arena in /dev/shm (mpscope-*), oldest first; ones that fail to open or have another
    // layout are skipped. Ended sessions are included with alive = false.
    static std::vector<SessionInfo> list();
    // `name_or_pid`: a session name (mpscope-<pid>-<random>, "/dev/shm/" optional) or the pid of a live
    // process registered in a session. OSError when the named session cannot be opened, ValueError when
    // no live session has that pid.
    static Session attach(std::string_view name_or_pid, AttachOptions options = {});
    // Wraps an open segment (the writer's own session, tests).
    explicit Session(std::unique_ptr<detail::Segment> segment, AttachOptions options = {});

    ~Session();
    Session(Session&& other) noexcept;
    Session& operator=(Session&& other) noexcept;
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    const std::string& name() const noexcept;
    SessionInfo info() const;
    // Some process of the session still runs and its tracker has not ended it.
    bool alive() const;

    // Each process and object slot is read consistently (seqlocks, serial re-check), a bounded number
    // of retries per slot; the slots are not one atomic picture of the whole session.
    Snapshot snapshot() const;

    // Events from `seq` on, at most `max`. Events overwritten before they were read are counted in
    // `dropped`; reading stops before an event that is still being written (read on from `next`).
    Events events_since(std::uint64_t seq, std::size_t max = 4096) const;
    std::uint64_t event_head() const noexcept;

    // Step mode: with it on, every gated operation parks until released. Turning it off releases every
    // parked process.
    void set_step_mode(bool on);
    bool step_mode() const noexcept;
    // Lets a parked process do its next operation. ValueError when the session has no such process.
    void release(ProcessId process);
    // The counter bumped whenever a process parks or is released.
    std::uint32_t park_seq() const noexcept;
    // Waits up to `timeout` seconds for park_seq to differ from `seen_park_seq`; true (and seen updated)
    // when it did.
    bool wait_for_change(std::uint32_t& seen_park_seq, double timeout) const;

    bool inspecting() const noexcept { return inspecting_; }

private:
    std::unique_ptr<detail::Segment> segment_;
    bool inspecting_ = false;
};

} // namespace mp::scope
