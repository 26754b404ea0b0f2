#pragma once
// The session's resource tracker (SPEC §14): a helper process that removes named OS objects (the session
// arena, shared memory, files) once the last process of the session is gone, even after kill -9.
//
// Every process of the session holds the write end of the tracker's pipe for its whole life (fork children
// inherit it, spawn and forkserver children receive it from their parent and adopt() it); the tracker sees
// EOF when all of them have ended and then unlinks whatever is still registered. Clients write ASCII lines
// "REGISTER:<name>:<rtype>\n", "UNREGISTER:<name>:<rtype>\n" or "PROBE:0:noop\n", each at most 512 bytes so
// that a write is atomic. rtypes: "session" (the arena's shm segment, removed silently), "shared_memory"
// (shm_unlink, leftovers warned about), "semaphore" (sem_unlink, warned), "file" (unlink, warned), "noop".
#include <optional>
#include <string_view>

namespace mp::detail::resource_tracker {

// Starts the tracker unless this process already holds the write end of a live one. A dead one is
// replaced with a warning, and the registrations this process made are sent to the new one.
void ensure_running();

// The write end of the tracker's pipe (O_CLOEXEC), or -1 when this process has none.
int fd();

// Asks the tracker to remove `name` at the end of the session / to forget it. ValueError("msg too long")
// when the line would exceed 512 bytes; ValueError when name or rtype could break the line format.
// register_resource starts the tracker when needed; a tracker found dead is relaunched (with a warning).
void register_resource(std::string_view name, std::string_view rtype);
void unregister_resource(std::string_view name, std::string_view rtype);

// Child side of spawn and forkserver: use `fd`, received from the parent, as this process's write end.
void adopt(int fd);

// The tracker's pid when this process (or the parent it was forked from) started it; nullopt otherwise
// (also in spawn and forkserver children, which only receive the pipe).
std::optional<int> tracker_pid();

} // namespace mp::detail::resource_tracker
