#include "mp/errors.hpp"

#include <cerrno>
#include <cstring>
#include <map>
#include <mutex>

namespace mp {

SystemError::SystemError(int err, const std::string& what)
    : OSError(what + ": " + std::strerror(err))
    , errno_(err) {}

void throw_errno(const std::string& what, int err) {
    throw SystemError(err, what);
}
void throw_errno(const std::string& what) {
    throw_errno(what, errno);
}

namespace {

using Thrower = std::function<void(const std::string&)>;

struct ExceptionRegistry {
    std::mutex mutex;
    std::map<std::string, Thrower, std::less<>> throwers;

    ExceptionRegistry() {
        add<Exception>("Exception");
        add<ProcessError>("ProcessError");
        add<TimeoutError>("TimeoutError");
        add<AuthenticationError>("AuthenticationError");
        add<WorkerLostError>("WorkerLostError");
        add<ValueError>("ValueError");
        add<TypeError>("TypeError");
        add<AssertionError>("AssertionError");
        add<OSError>("OSError");
        add<EOFError>("EOFError");
        add<RuntimeError>("RuntimeError");
        add<NotImplementedError>("NotImplementedError");
        add<LookupError>("LookupError");
        add<KeyError>("KeyError");
        add<IndexError>("IndexError");
        add<AttributeError>("AttributeError");
        add<ZeroDivisionError>("ZeroDivisionError");
        add<OverflowError>("OverflowError");
        add<MemoryError>("MemoryError");
        add<BrokenBarrierError>("BrokenBarrierError");
        add<Empty>("Empty");
        add<Full>("Full");
        add<RemoteError>("RemoteError");
        add<StopIteration>("StopIteration");
        add<MaybeEncodingError>("MaybeEncodingError");
        add<UnpicklingError>("UnpicklingError");
        add<PicklingError>("PicklingError");
    }
    template <class E> void add(const char* name) {
        throwers.emplace(name, [](const std::string& message) { throw E(message); });
    }
};

ExceptionRegistry& registry() {
    static ExceptionRegistry instance;
    return instance;
}

} // namespace

void register_exception_thrower(std::string type_name, Thrower thrower) {
    auto& reg = registry();
    std::lock_guard lock(reg.mutex);
    reg.throwers[std::move(type_name)] = std::move(thrower);
}

bool has_exception_type(std::string_view type_name) {
    auto& reg = registry();
    std::lock_guard lock(reg.mutex);
    return reg.throwers.find(type_name) != reg.throwers.end();
}

void throw_by_type_name(std::string_view type_name, const std::string& message) {
    Thrower thrower;
    {
        auto& reg = registry();
        std::lock_guard lock(reg.mutex);
        if (auto it = reg.throwers.find(type_name); it != reg.throwers.end()) thrower = it->second;
    }
    if (thrower) thrower(message);
    throw RemoteError(std::string(type_name) + ": " + message);
}

} // namespace mp
