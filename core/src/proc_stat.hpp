#pragma once
// /proc/<pid>/stat, the one source the inspector trusts for "is this pid still that process".
#include <cstdint>
#include <optional>

namespace mp::detail {

struct ProcStat {
    char state = '?';              // field 3: R, S, D, Z (zombie), X (dead) ...
    std::uint64_t utime = 0;       // field 14, clock ticks
    std::uint64_t stime = 0;       // field 15, clock ticks
    std::uint64_t start_ticks = 0; // field 22: start time in clock ticks after boot
};

// nullopt when the process does not exist (or /proc cannot be read).
std::optional<ProcStat> read_proc_stat(int pid) noexcept;

// `pid` is still the process registered with `start_ticks` (0: not recorded, any start time matches)
// and has not ended (zombies count as ended).
bool same_live_process(const std::optional<ProcStat>& st, std::uint64_t start_ticks) noexcept;

} // namespace mp::detail
