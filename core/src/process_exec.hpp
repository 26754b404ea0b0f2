#pragma once
// Starting this program (or the one set with set_executable) again in a fresh process for the spawn
// start method and for the forkserver, keeping open exactly the descriptors the new process needs.
#include <string>
#include <sys/types.h>
#include <vector>

namespace mp::detail {

// The program spawn children and the forkserver run, and the argv[0] they are given.
std::string executable_path();
std::string executable_argv0();
void set_executable_path(std::string path);
bool executable_is_self();
void remember_argv0(const char* argv0);
void exec_reset_after_fork();

// vfork + exec of executable_path() with argv (argv[0] included). Only stdin/stdout/stderr and keep_fds
// stay open in the new program, at the same numbers. Throws SystemError when the exec fails.
pid_t spawn_executable(const std::vector<std::string>& argv, const std::vector<int>& keep_fds);

} // namespace mp::detail
