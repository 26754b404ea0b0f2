#pragma once
// Start methods and contexts (SPEC §1): the default context behind the module-level functions and the
// concrete fork / spawn / forkserver contexts, each exposing the API bound to its method.
#include "mp/process.hpp"

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mp {

namespace detail {
struct ContextRegistry;
}

class Lock;
class RLock;
class Semaphore;
class BoundedSemaphore;
class Condition;
class Event;
class Barrier;
class Queue;
class JoinableQueue;
class SimpleQueue;
class Value;
class Array;
class CType;
class LockOption;
class Pool;

// A concrete context: every process it creates uses its start method and is named after its class
// (ForkProcess-3, SpawnProcess-1, ForkServerProcess-2).
class Context {
public:
    Context(const Context&) = delete;
    Context& operator=(const Context&) = delete;

    // "fork", "spawn" or "forkserver".
    const std::string& start_method() const noexcept { return method_; }
    // Class name of its processes: "ForkProcess", "SpawnProcess", "ForkServerProcess".
    const std::string& process_class_name() const noexcept { return process_class_; }

    mp::Process Process(Target target = {}, Object args = Object::tuple(), Object kwargs = Object::dict(),
                        std::optional<std::string> name = std::nullopt,
                        std::optional<bool> daemon = std::nullopt) const;
    mp::Process Process(ProcessOptions options) const;

    // Primitives bound to this context (mp/synchronize.hpp): ctx.Lock() ... Objects made in a fork
    // context cannot be passed to spawn or forkserver children, as in Python.
    mp::Lock Lock() const;
    mp::RLock RLock() const;
    mp::Semaphore Semaphore(std::int64_t value = 1) const;
    mp::BoundedSemaphore BoundedSemaphore(std::int64_t value = 1) const;
    mp::Condition Condition() const;
    mp::Condition Condition(const mp::Lock& lock) const;
    mp::Condition Condition(const mp::RLock& lock) const;
    mp::Event Event() const;
    mp::Barrier Barrier(std::int64_t parties, Target action = {},
                        std::optional<double> timeout = std::nullopt) const;

    // Shared ctypes bound to this context (mp/sharedctypes.hpp): ctx.Value('i', 7), ctx.Array('d', 10) ...
    // Their default lock is an RLock of this context.
    mp::Value Value(CType type) const;
    mp::Value Value(CType type, Object init) const;
    mp::Value Value(CType type, Object init, LockOption lock) const;
    mp::Array Array(CType type, const Object& size_or_initializer) const;
    mp::Array Array(CType type, const Object& size_or_initializer, LockOption lock) const;
    mp::Array Array(CType type, std::initializer_list<Object> init) const;
    mp::Array Array(CType type, std::initializer_list<Object> init, LockOption lock) const;
    mp::Value RawValue(CType type) const;
    mp::Value RawValue(CType type, Object init) const;
    mp::Array RawArray(CType type, const Object& size_or_initializer) const;

    // Queues bound to this context (mp/queues.hpp).
    mp::Queue Queue(std::int64_t maxsize = 0) const;
    mp::JoinableQueue JoinableQueue(std::int64_t maxsize = 0) const;
    mp::SimpleQueue SimpleQueue() const;

    // A pool whose workers this context starts (mp/pool.hpp): ctx.Pool(4).
    mp::Pool Pool(std::optional<int> processes = std::nullopt, Target initializer = {},
                  Object initargs = Object::tuple(),
                  std::optional<std::int64_t> maxtasksperchild = std::nullopt) const;

    // nullopt: this context; otherwise the concrete context for `method`.
    Context& get_context(std::optional<std::string_view> method = std::nullopt);
    std::optional<std::string> get_start_method(bool allow_none = false) const;
    // Always ValueError('cannot set start method of concrete context').
    [[noreturn]] void set_start_method(std::optional<std::string_view> method, bool force = false);
    std::vector<std::string> get_all_start_methods() const;
    void set_executable(std::string path) const;

    mp::Process& current_process() const;
    mp::Process* parent_process() const;
    std::vector<mp::Process> active_children() const;
    int cpu_count() const;

private:
    friend struct detail::ContextRegistry;
    Context(std::string method, std::string process_class);
    std::string method_;
    std::string process_class_;
};

// The concrete context for `method` (nullopt: the default, fixing it if unset). ValueError("cannot find
// context for 'x'") for unknown names.
Context& get_context(std::optional<std::string_view> method = std::nullopt);
// Fixes the default start method. RuntimeError('context has already been set') when it was fixed already
// (explicitly, or implicitly by get_start_method()/get_context()/starting a process) unless force;
// force with nullopt un-fixes it.
void set_start_method(std::optional<std::string_view> method, bool force = false);
// The default start method, fixing it ("fork") if unset; allow_none returns nullopt while unset.
std::optional<std::string> get_start_method(bool allow_none = false);
// {"fork", "spawn", "forkserver"}.
std::vector<std::string> get_all_start_methods();
// The program spawn children and the forkserver execute (default: this program, /proc/self/exe). It must
// begin main() with mp::freeze_support(argc, argv) and register the same tasks.
void set_executable(std::string path);

} // namespace mp
