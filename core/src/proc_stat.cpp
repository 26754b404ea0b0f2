// /proc/<pid>/stat parsing (proc_stat.hpp).
#include "proc_stat.hpp"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace mp::detail {

std::optional<ProcStat> read_proc_stat(int pid) noexcept {
    if (pid <= 0) return std::nullopt;
    char path[64];
    std::snprintf(path, sizeof path, "/proc/%d/stat", pid);
    int fd = ::open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return std::nullopt;
    char buf[1024];
    ssize_t n = ::read(fd, buf, sizeof buf - 1);
    ::close(fd);
    if (n <= 0) return std::nullopt;
    buf[n] = '\0';
    // The command name may contain spaces and parentheses: fields restart after the last ')'.
    char* p = std::strrchr(buf, ')');
    if (!p) return std::nullopt;
    ProcStat st;
    int field = 2;
    for (char* tok = p + 1; *tok;) {
        while (*tok == ' ')
            ++tok;
        if (!*tok) break;
        ++field;
        if (field == 3) st.state = *tok;
        if (field == 14) st.utime = std::strtoull(tok, nullptr, 10);
        if (field == 15) st.stime = std::strtoull(tok, nullptr, 10);
        if (field == 22) {
            st.start_ticks = std::strtoull(tok, nullptr, 10);
            return st;
        }
        while (*tok && *tok != ' ')
            ++tok;
    }
    return std::nullopt;
}

bool same_live_process(const std::optional<ProcStat>& st, std::uint64_t start_ticks) noexcept {
    return st && st->state != 'Z' && st->state != 'X' && (start_ticks == 0 || st->start_ticks == start_ticks);
}

} // namespace mp::detail
