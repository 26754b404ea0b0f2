// Task and Process-subclass registries, and the argument checks of typed tasks.
#include "process_internal.hpp"

#include "mp/process.hpp"

#include <cxxabi.h>
#include <dlfcn.h>
#include <map>
#include <memory>
#include <mutex>
#include <typeindex>

namespace mp {

namespace {

struct TaskRegistry {
    std::mutex mutex;
    // std::map nodes never move, so find_task can hand out pointers; entries are never removed.
    std::map<std::string, TaskFunction, std::less<>> by_name;
    std::map<std::string, detail::MapFunction, std::less<>> maps; // same stability
    std::map<std::string, std::uintptr_t, std::less<>> key_of_name;
    std::map<std::uintptr_t, std::string> name_of_key;
    std::map<std::type_index, std::string> class_names;
    std::map<std::string, detail::ProcessFactory, std::less<>> class_factories;
    std::map<std::string, std::function<void(const Handle&, std::string_view)>, std::less<>> handle_checks;
};

TaskRegistry& registry() {
    static TaskRegistry instance;
    return instance;
}

std::string demangle(const char* symbol) {
    int status = 0;
    std::unique_ptr<char, void (*)(void*)> out(abi::__cxa_demangle(symbol, nullptr, nullptr, &status),
                                               std::free);
    return status == 0 && out ? std::string(out.get()) : std::string(symbol);
}

// "ns::f(int)" -> "f": Python's __name__ is the bare name.
std::string bare_name(std::string name) {
    static constexpr std::string_view anonymous = "(anonymous namespace)::";
    for (auto pos = name.find(anonymous); pos != std::string::npos; pos = name.find(anonymous))
        name.erase(pos, anonymous.size());
    int depth = 0;
    std::size_t cut = name.size();
    for (std::size_t i = 0; i < name.size(); ++i) {
        if (name[i] == '<') ++depth;
        if (name[i] == '>') --depth;
        if (name[i] == '(' && depth == 0) {
            cut = i;
            break;
        }
    }
    name.resize(cut);
    depth = 0;
    std::size_t start = 0;
    for (std::size_t i = 0; i + 1 < name.size(); ++i) {
        if (name[i] == '<') ++depth;
        if (name[i] == '>') --depth;
        if (depth == 0 && name[i] == ':' && name[i + 1] == ':') start = i + 2;
    }
    return name.substr(start);
}

std::string plural(std::size_t n, const char* word) {
    return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

} // namespace

void register_task(std::string name, TaskFunction fn) {
    detail::register_task(std::move(name), std::move(fn), 0);
}

const TaskFunction* find_task(std::string_view name) {
    auto& reg = registry();
    std::lock_guard lock(reg.mutex);
    auto it = reg.by_name.find(name);
    return it == reg.by_name.end() ? nullptr : &it->second;
}

Target Target::task(std::string_view name) {
    const TaskFunction* fn = find_task(name);
    if (!fn) throw KeyError(detail::py_repr(std::string(name)));
    Target t;
    t.call_ = *fn;
    t.name_ = std::string(name);
    auto& reg = registry();
    std::lock_guard lock(reg.mutex);
    if (auto it = reg.key_of_name.find(name); it != reg.key_of_name.end()) t.key_ = it->second;
    return t;
}

std::optional<std::string> Target::task_name() const {
    if (name_) return name_;
    if (key_ == 0) return std::nullopt;
    return detail::task_name_by_key(key_);
}

std::string Target::description() const {
    if (name_) return *name_;
    if (key_ != 0) return detail::function_display_name(key_);
    return "<lambda>";
}

Object Target::operator()(const Object& args, const Object& kwargs) const {
    if (!call_) return Object();
    return call_(args, kwargs);
}

void register_handle_check(std::string kind,
                           std::function<void(const Handle&, std::string_view method)> check) {
    auto& reg = registry();
    std::lock_guard lock(reg.mutex);
    reg.handle_checks[std::move(kind)] = std::move(check);
}

namespace detail {

void check_handles(const Object& object, std::string_view method) {
    switch (object.kind()) {
    case ObjectKind::Handle: {
        std::function<void(const Handle&, std::string_view)> check;
        {
            auto& reg = registry();
            std::lock_guard lock(reg.mutex);
            if (auto it = reg.handle_checks.find(object.as_handle().kind); it != reg.handle_checks.end())
                check = it->second;
        }
        if (check) check(object.as_handle(), method);
        break;
    }
    case ObjectKind::List:
    case ObjectKind::Tuple:
        for (const auto& item : object.items())
            check_handles(item, method);
        break;
    case ObjectKind::Dict:
        for (const auto& [k, v] : object.as_dict())
            check_handles(v, method);
        break;
    default:
        break;
    }
}

void register_task(std::string name, TaskFunction fn, std::uintptr_t key, MapFunction map) {
    if (name.empty()) throw ValueError("a task needs a name");
    if (!fn) throw ValueError("task '" + name + "' has no function");
    auto& reg = registry();
    std::lock_guard lock(reg.mutex);
    if (auto it = reg.key_of_name.find(name); it != reg.key_of_name.end()) {
        // The same function registered twice (MP_TASK in a header) is harmless; a different one is not.
        if (key != 0 && it->second == key) return;
        throw ValueError("a task named '" + name + "' is already registered");
    }
    reg.by_name.emplace(name, std::move(fn));
    if (map) reg.maps.emplace(name, std::move(map));
    reg.key_of_name.emplace(name, key);
    if (key != 0) reg.name_of_key.emplace(key, name);
}

const MapFunction* find_map_function(std::string_view name) {
    auto& reg = registry();
    std::lock_guard lock(reg.mutex);
    auto it = reg.maps.find(name);
    return it == reg.maps.end() ? nullptr : &it->second;
}

std::optional<std::string> task_name_by_key(std::uintptr_t key) {
    auto& reg = registry();
    std::lock_guard lock(reg.mutex);
    auto it = reg.name_of_key.find(key);
    if (it == reg.name_of_key.end()) return std::nullopt;
    return it->second;
}

std::string function_display_name(std::uintptr_t key) {
    if (auto name = task_name_by_key(key)) return *name;
    Dl_info info{};
    if (::dladdr(reinterpret_cast<void*>(key), &info) != 0 && info.dli_sname &&
        info.dli_saddr == reinterpret_cast<void*>(key))
        return bare_name(demangle(info.dli_sname));
    return "function";
}

const std::vector<Object>& positional_items(const Object& args) {
    if (!args.is_tuple() && !args.is_list())
        throw TypeError("argument after * must be an iterable, not " + args.type_name());
    return args.items();
}

void check_no_kwargs(std::string_view name, const Object& kwargs) {
    if (kwargs.is_none()) return;
    if (!kwargs.is_dict())
        throw TypeError(std::string(name) + "() argument after ** must be a mapping, not " +
                        kwargs.type_name());
    const Dict& d = kwargs.as_dict();
    if (d.size() == 0) return;
    const Object& key = d.begin()->first;
    if (!key.is_str()) throw TypeError("keywords must be strings");
    throw TypeError(std::string(name) + "() got an unexpected keyword argument " + py_repr(key.as_str()));
}

void check_arity(std::string_view name, std::size_t min, std::size_t max, std::size_t given) {
    if (given > max) {
        std::string takes = min == max ? plural(max, "positional argument")
                                       : "from " + std::to_string(min) + " to " + std::to_string(max) +
                                             " positional arguments";
        throw TypeError(std::string(name) + "() takes " + takes + " but " + std::to_string(given) +
                        (given == 1 ? " was" : " were") + " given");
    }
    if (given < min) {
        // C++ keeps no parameter names, so unlike Python the message cannot list them.
        throw TypeError(std::string(name) + "() missing " +
                        plural(min - given, "required positional argument"));
    }
}

void register_process_class(const std::type_info& type, std::string name, ProcessFactory factory) {
    auto& reg = registry();
    std::lock_guard lock(reg.mutex);
    if (auto it = reg.class_factories.find(name); it != reg.class_factories.end()) {
        if (reg.class_names.count(std::type_index(type))) return;
        throw ValueError("a Process class named '" + name + "' is already registered");
    }
    reg.class_names.emplace(std::type_index(type), name);
    reg.class_factories.emplace(std::move(name), std::move(factory));
}

std::optional<std::string> process_class_name(const std::type_info& type) {
    auto& reg = registry();
    std::lock_guard lock(reg.mutex);
    auto it = reg.class_names.find(std::type_index(type));
    if (it == reg.class_names.end()) return std::nullopt;
    return it->second;
}

std::unique_ptr<Process> make_registered_process(const std::string& name) {
    ProcessFactory factory;
    {
        auto& reg = registry();
        std::lock_guard lock(reg.mutex);
        auto it = reg.class_factories.find(name);
        if (it == reg.class_factories.end()) return nullptr;
        factory = it->second;
    }
    return factory();
}

std::string unregistered_class_name(const std::type_info& type) {
    return bare_name(demangle(type.name()));
}

void tasks_reset_after_fork() {
    std::construct_at(&registry().mutex);
}

} // namespace detail
} // namespace mp
