// Contexts and the default start method (SPEC §1).
#include "process_exec.hpp"
#include "process_internal.hpp"

#include "mp/context.hpp"

#include <array>
#include <memory>
#include <mutex>

namespace mp {

namespace detail {

struct ContextRegistry {
    std::array<Context, 3> concrete{Context("fork", "ForkProcess"), Context("spawn", "SpawnProcess"),
                                    Context("forkserver", "ForkServerProcess")};
    std::mutex mutex;
    Context* actual = nullptr; // the default context's choice; nullptr while unset

    static ContextRegistry& instance() {
        static ContextRegistry registry;
        return registry;
    }

    Context& lookup(std::string_view method) {
        for (auto& c : concrete)
            if (c.start_method() == method) return c;
        throw ValueError("cannot find context for " + py_repr(std::string(method)));
    }

    // Python's default on Linux (3.11-3.13).
    Context& default_context() { return concrete[0]; }
};

std::string resolve_start_method() {
    return get_start_method(false).value();
}

void force_start_method(const std::string& method) {
    auto& r = ContextRegistry::instance();
    Context& c = r.lookup(method);
    std::lock_guard lock(r.mutex);
    r.actual = &c;
}

void context_reset_after_fork() {
    std::construct_at(&ContextRegistry::instance().mutex);
}

void exec_reset_after_fork();

} // namespace detail

using detail::ContextRegistry;

Context::Context(std::string method, std::string process_class)
    : method_(std::move(method))
    , process_class_(std::move(process_class)) {}

mp::Process Context::Process(Target target, Object args, Object kwargs, std::optional<std::string> name,
                             std::optional<bool> daemon) const {
    return Process(ProcessOptions{Object(), std::move(target), std::move(name), std::move(args),
                                  std::move(kwargs), daemon});
}

mp::Process Context::Process(ProcessOptions options) const {
    return mp::Process(*this, std::move(options));
}

Context& Context::get_context(std::optional<std::string_view> method) {
    if (!method) return *this;
    return ContextRegistry::instance().lookup(*method);
}

std::optional<std::string> Context::get_start_method(bool) const {
    return method_;
}

void Context::set_start_method(std::optional<std::string_view>, bool) {
    throw ValueError("cannot set start method of concrete context");
}

std::vector<std::string> Context::get_all_start_methods() const {
    return mp::get_all_start_methods();
}
void Context::set_executable(std::string path) const {
    mp::set_executable(std::move(path));
}
mp::Process& Context::current_process() const {
    return mp::current_process();
}
mp::Process* Context::parent_process() const {
    return mp::parent_process();
}
std::vector<mp::Process> Context::active_children() const {
    return mp::active_children();
}
int Context::cpu_count() const {
    return mp::cpu_count();
}

Context& get_context(std::optional<std::string_view> method) {
    auto& r = ContextRegistry::instance();
    if (method) return r.lookup(*method);
    std::lock_guard lock(r.mutex);
    if (!r.actual) r.actual = &r.default_context();
    return *r.actual;
}

void set_start_method(std::optional<std::string_view> method, bool force) {
    auto& r = ContextRegistry::instance();
    Context* chosen = method ? &r.lookup(*method) : nullptr;
    std::lock_guard lock(r.mutex);
    if (r.actual && !force) throw RuntimeError("context has already been set");
    if (!method && force) {
        r.actual = nullptr;
        return;
    }
    r.actual = chosen ? chosen : &r.default_context();
}

std::optional<std::string> get_start_method(bool allow_none) {
    auto& r = ContextRegistry::instance();
    std::lock_guard lock(r.mutex);
    if (!r.actual) {
        if (allow_none) return std::nullopt;
        r.actual = &r.default_context();
    }
    return r.actual->start_method();
}

std::vector<std::string> get_all_start_methods() {
    return {"fork", "spawn", "forkserver"};
}

void set_executable(std::string path) {
    detail::set_executable_path(std::move(path));
}

} // namespace mp
