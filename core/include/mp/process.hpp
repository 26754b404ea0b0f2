#pragma once
// Process: Python's multiprocessing.Process in real OS processes (SPEC §2-3), the task registry that
// lets spawn and forkserver children find their target by name, and the process-wide functions
// current_process(), parent_process(), active_children(), cpu_count(), exit() and freeze_support().
#include "mp/errors.hpp"
#include "mp/object.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <typeinfo>
#include <utility>
#include <variant>
#include <vector>

namespace mp {

// The type-erased form of every target: Python's target(*args, **kwargs).
using TaskFunction = std::function<Object(const Object& args_tuple, const Object& kwargs_dict)>;

class Process;
class Context;

namespace detail {

template <class T> struct IsOptional : std::false_type {};
template <class T> struct IsOptional<std::optional<T>> : std::true_type {};

template <class T> struct CallableTraits;
template <class R, class... A> struct CallableTraits<R (*)(A...)> {
    using Return = R;
    using Args = std::tuple<A...>;
};
template <class R, class... A> struct CallableTraits<R (*)(A...) noexcept> : CallableTraits<R (*)(A...)> {};
#define MP_DETAIL_MEMBER_TRAITS(qualifiers)                                                                  \
    template <class C, class R, class... A>                                                                  \
    struct CallableTraits<R (C::*)(A...) qualifiers> : CallableTraits<R (*)(A...)> {};                       \
    template <class C, class R, class... A>                                                                  \
    struct CallableTraits<R (C::*)(A...) qualifiers noexcept> : CallableTraits<R (*)(A...)> {};
MP_DETAIL_MEMBER_TRAITS()
MP_DETAIL_MEMBER_TRAITS(const)
MP_DETAIL_MEMBER_TRAITS(&)
MP_DETAIL_MEMBER_TRAITS(const&)
#undef MP_DETAIL_MEMBER_TRAITS

// A class type with exactly one, non-template operator() (a non-generic lambda, std::function ...).
template <class F>
concept HasUniqueCallOperator = requires {
    &F::operator();
};

template <class Traits>
constexpr bool is_raw_signature = std::is_same_v<typename Traits::Return, Object>&&
    std::is_same_v<typename Traits::Args, std::tuple<const Object&, const Object&>>;

// Parameters that must be supplied: trailing std::optional<T> parameters may be left out, like
// Python parameters with a default of None.
template <class... A> constexpr std::size_t required_parameter_count() {
    constexpr bool optional[] = {IsOptional<std::remove_cvref_t<A>>::value..., false};
    std::size_t n = sizeof...(A);
    while (n > 0 && optional[n - 1])
        --n;
    return n;
}

// TypeError texts as Python words them ("f() takes 1 positional argument but 2 were given").
void check_no_kwargs(std::string_view name, const Object& kwargs);
void check_arity(std::string_view name, std::size_t min, std::size_t max, std::size_t given);
const std::vector<Object>& positional_items(const Object& args);

template <class T> T convert_argument(std::span<const Object> items, std::size_t i) {
    if constexpr (IsOptional<T>::value) {
        if (i >= items.size()) return T{};
    }
    return from_object<T>(items[i]);
}

template <class R, class... A, class F, std::size_t... I>
Object invoke_converted(F& fn, [[maybe_unused]] std::span<const Object> items, std::index_sequence<I...>) {
    // Braced initialisation converts the arguments left to right, as Python evaluates them.
    std::tuple<std::remove_cvref_t<A>...> converted{convert_argument<std::remove_cvref_t<A>>(items, I)...};
    if constexpr (std::is_void_v<R>) {
        std::invoke(fn, static_cast<A&&>(std::get<I>(converted))...);
        return Object();
    } else {
        return to_object(std::invoke(fn, static_cast<A&&>(std::get<I>(converted))...));
    }
}

// Adapts a callable with typed parameters to TaskFunction: each argument goes through
// from_object<ParamT>, the result through to_object (void -> None).
template <class R, class... A, class F>
TaskFunction make_typed_task(std::string name, F fn, std::tuple<A...>*) {
    return [name = std::move(name), fn = std::move(fn)](const Object& args, const Object& kwargs) mutable {
        check_no_kwargs(name, kwargs);
        const auto& items = positional_items(args);
        check_arity(name, required_parameter_count<A...>(), sizeof...(A), items.size());
        return invoke_converted<R, A...>(fn, items, std::index_sequence_for<A...>{});
    };
}

// A typed task applied to each item of a Pool.map chunk as its only argument: `out` gets the results in
// order. One call per chunk, with no argument tuple per item; it raises what the task would for the first
// item that fails.
using MapFunction = std::function<void(const std::vector<Object>& items, std::vector<Object>& out)>;

template <class R, class... A, class F>
MapFunction make_map_function(std::string name, F fn, std::tuple<A...>*) {
    return [name = std::move(name), fn = std::move(fn)](const std::vector<Object>& items,
                                                        std::vector<Object>& out) mutable {
        check_arity(name, required_parameter_count<A...>(), sizeof...(A), 1); // the same for every item
        for (const Object& item : items)
            out.push_back(invoke_converted<R, A...>(fn, std::span<const Object>(&item, 1),
                                                    std::index_sequence_for<A...>{}));
    };
}

template <class Fn> TaskFunction adapt_function_pointer(std::string name, Fn fn) {
    using Traits = CallableTraits<Fn>;
    if constexpr (is_raw_signature<Traits>) {
        return TaskFunction(fn);
    } else {
        return make_typed_task<typename Traits::Return>(std::move(name), fn,
                                                        static_cast<typename Traits::Args*>(nullptr));
    }
}

template <class F> TaskFunction adapt_callable(std::string name, F fn) {
    if constexpr (HasUniqueCallOperator<F>) {
        using Traits = CallableTraits<decltype(&F::operator())>;
        if constexpr (is_raw_signature<Traits>) {
            return TaskFunction(std::move(fn));
        } else {
            return make_typed_task<typename Traits::Return>(std::move(name), std::move(fn),
                                                            static_cast<typename Traits::Args*>(nullptr));
        }
    } else if constexpr (std::is_invocable_r_v<Object, F&, const Object&, const Object&>) {
        return TaskFunction(std::move(fn));
    } else {
        static_assert(std::is_invocable_v<F&>,
                      "a Process target must be a function, a callable with one operator(), a callable "
                      "taking (const mp::Object& args, const mp::Object& kwargs), or a callable taking no "
                      "arguments");
        return make_typed_task<std::invoke_result_t<F&>>(std::move(name), std::move(fn),
                                                         static_cast<std::tuple<>*>(nullptr));
    }
}

template <class Fn> std::uintptr_t function_key(Fn fn) noexcept {
    static_assert(sizeof(Fn) == sizeof(std::uintptr_t));
    return reinterpret_cast<std::uintptr_t>(fn);
}

// The map form of a typed function, or nothing for a function taking (args, kwargs) as they are.
template <class Fn> MapFunction map_function_of(const char* name, Fn fn) {
    using Traits = CallableTraits<Fn>;
    if constexpr (is_raw_signature<Traits>) {
        return {};
    } else {
        return make_map_function<typename Traits::Return>(name, fn,
                                                          static_cast<typename Traits::Args*>(nullptr));
    }
}

void register_task(std::string name, TaskFunction fn, std::uintptr_t key, MapFunction map = {});
// The map form of the task called `name`, if it has one (MP_TASK of a typed function).
const MapFunction* find_map_function(std::string_view name);
std::optional<std::string> task_name_by_key(std::uintptr_t key);
std::string function_display_name(std::uintptr_t key);

struct TaskRegistrar {
    template <class R, class... A> TaskRegistrar(const char* name, R (*fn)(A...)) {
        register_task(name, adapt_function_pointer(name, fn), function_key(fn), map_function_of(name, fn));
    }
    template <class R, class... A> TaskRegistrar(const char* name, R (*fn)(A...) noexcept) {
        register_task(name, adapt_function_pointer(name, fn), function_key(fn), map_function_of(name, fn));
    }
};

using ProcessFactory = std::function<std::unique_ptr<Process>()>;
void register_process_class(const std::type_info& type, std::string name, ProcessFactory factory);

template <class C> struct ProcessClassRegistrar {
    explicit ProcessClassRegistrar(const char* name) {
        static_assert(std::is_base_of_v<Process, C>,
                      "MP_PROCESS_CLASS needs a class derived from mp::Process");
        static_assert(std::is_default_constructible_v<C>,
                      "MP_PROCESS_CLASS needs a default constructor (spawn children rebuild the object, "
                      "then hand it its state through set_state())");
        register_process_class(typeid(C), name,
                               [] { return std::unique_ptr<Process>(std::make_unique<C>()); });
    }
};

struct ProcessState;
struct ProcessAccess;

} // namespace detail

#define MP_DETAIL_CONCAT_(a, b) a##b
#define MP_DETAIL_CONCAT(a, b) MP_DETAIL_CONCAT_(a, b)

// Registers the free function `fn` as the task named "fn" (at static-initialisation time), so that spawn
// and forkserver children, Pool and managers can call it by name. Parameters convert with
// mp::from_object<ParamT>, the result with mp::to_object (void -> None); trailing std::optional<T>
// parameters may be omitted. A function `mp::Object fn(const mp::Object& args, const mp::Object& kwargs)`
// is registered as is and receives the argument tuple and keyword dict unchanged.
// clang-format off
#define MP_TASK(fn) \
    static const ::mp::detail::TaskRegistrar MP_DETAIL_CONCAT(mp_task_registrar_, __COUNTER__)(#fn, fn)
// clang-format on

// Registers a Process subclass that overrides run(), so spawn and forkserver children can rebuild it: it
// needs a default constructor, and get_state()/set_state() when it carries data of its own.
// clang-format off
#define MP_PROCESS_CLASS(Class) \
    static const ::mp::detail::ProcessClassRegistrar<Class> MP_DETAIL_CONCAT(mp_process_class_, __COUNTER__)(#Class)
// clang-format on

// Registers a task at run time under `name` (MP_TASK is the usual way).
void register_task(std::string name, TaskFunction fn);
// The registered task called `name`, or nullptr.
const TaskFunction* find_task(std::string_view name);
// The name a function was registered under with MP_TASK, if it was.
template <class R, class... A> std::optional<std::string> task_name_of(R (*fn)(A...)) {
    return detail::task_name_by_key(detail::function_key(fn));
}
template <class R, class... A> std::optional<std::string> task_name_of(R (*fn)(A...) noexcept) {
    return detail::task_name_by_key(detail::function_key(fn));
}

// Lets the owner of a Handle kind refuse a start method: start() calls `check` for every Handle of that
// kind in the arguments (and, for spawn and forkserver, in a subclass's get_state()) with the method about
// to be used; an exception thrown there propagates from start() and no child is started. E.g. a lock made
// in a fork context refuses "spawn" with Python's RuntimeError. A check must not use the Process itself.
void register_handle_check(std::string kind,
                           std::function<void(const Handle&, std::string_view method)> check);

// What a Process runs: a function (registered with MP_TASK for spawn and forkserver), or under fork any
// callable. Empty means run() does nothing, like target=None.
class Target {
public:
    Target() = default;
    Target(std::nullptr_t) {}
    template <class R, class... A>
    Target(R (*fn)(A...))
        : call_(detail::adapt_function_pointer(detail::function_display_name(detail::function_key(fn)), fn))
        , key_(detail::function_key(fn)) {}
    template <class R, class... A>
    Target(R (*fn)(A...) noexcept)
        : call_(detail::adapt_function_pointer(detail::function_display_name(detail::function_key(fn)), fn))
        , key_(detail::function_key(fn)) {}
    template <class F>
    requires(std::is_class_v<std::remove_cvref_t<F>> && !std::is_same_v<std::remove_cvref_t<F>, Target>)
        Target(F&& callable)
        : call_(detail::adapt_callable("<lambda>", std::decay_t<F>(std::forward<F>(callable)))) {}

    // The registered task called `name`; KeyError when there is none.
    static Target task(std::string_view name);

    explicit operator bool() const noexcept { return static_cast<bool>(call_); }
    // The name it can be found under in another process: the MP_TASK name, if any.
    std::optional<std::string> task_name() const;
    // How errors refer to it: the task name, the function's symbol, or "<lambda>".
    std::string description() const;
    Object operator()(const Object& args, const Object& kwargs) const;

private:
    TaskFunction call_;
    std::uintptr_t key_ = 0;          // function identity, 0 for other callables
    std::optional<std::string> name_; // set when built from a task name
};

// The keyword form: mp::Process p({.target = f, .args = mp::args("bob"), .daemon = true}).
struct ProcessOptions {
    // Every member has a default member initializer so that designated initialisers may omit any of them.
    Object group = None; // must be None, as in Python
    Target target = {};
    std::optional<std::string> name = std::nullopt;
    Object args = Object::tuple(); // a tuple, or any iterable Object (a list ...)
    Object kwargs = Object::dict();
    std::optional<bool> daemon = std::nullopt; // default: the creating process's daemon flag
};

// Python's sys.exit(code) inside a child: unwinds to the child's bootstrap, which exits with the code.
// Not derived from std::exception, like Python's SystemExit is not an Exception.
class SystemExit {
public:
    explicit SystemExit(std::variant<std::monostate, std::int64_t, std::string> code)
        : code_(std::move(code)) {}
    const std::variant<std::monostate, std::int64_t, std::string>& code() const noexcept { return code_; }

private:
    std::variant<std::monostate, std::int64_t, std::string> code_;
};

// sys.exit(): exit code 0. In a child the stack unwinds to the bootstrap; in the main process the exit
// sequence (SPEC §3) runs and the program ends.
[[noreturn]] void exit();
// sys.exit(n): the exit status is n as the OS truncates it (256 -> 0, -1 -> 255).
[[noreturn]] void exit(std::int64_t code);
// sys.exit("message"): prints the message to stderr, exit status 1.
[[noreturn]] void exit(std::string_view message);

// Process objects represent activity run in a separate process. Movable, not copyable: the object is
// the parent's handle to one child. Subclass and override run() to customise; register the subclass with
// MP_PROCESS_CLASS for spawn and forkserver.
class Process {
public:
    Process();
    explicit Process(Target target, Object args = Object::tuple(), Object kwargs = Object::dict(),
                     std::optional<std::string> name = std::nullopt,
                     std::optional<bool> daemon = std::nullopt);
    explicit Process(ProcessOptions options);
    Process(Process&&) noexcept;
    Process& operator=(Process&&) noexcept;
    Process(const Process&) = delete;
    Process& operator=(const Process&) = delete;
    virtual ~Process();

    // The child's activity: calls target(*args, **kwargs). Override in subclasses.
    virtual void run();

    void start();
    // timeout: nullopt waits for ever, <= 0 polls. Returns either way; check exitcode() or is_alive().
    void join(std::optional<double> timeout = std::nullopt);
    bool is_alive() const;
    std::optional<int> exitcode() const;
    std::optional<int> pid() const;
    std::optional<int> ident() const { return pid(); }
    int sentinel() const;
    void terminate();
    void kill();
    void close();

    std::string name() const;
    // AssertionError('name must be a string') unless name is a str.
    void set_name(const Object& name);
    bool daemon() const;
    void set_daemon(bool daemonic);
    std::string authkey() const;
    void set_authkey(std::string key);
    std::vector<int> identity() const; // Python's _identity: (1,), (1, 2) ...

    // <Process name='Process-1' pid=123 parent=122 started daemon>
    std::string repr() const;
    friend std::ostream& operator<<(std::ostream& out, const Process& p) { return out << p.repr(); }

    // Data a registered subclass carries to spawn and forkserver children (handles included).
    virtual Object get_state() const;
    virtual void set_state(const Object& state);

protected:
    // For subclasses bound to a concrete context (Python: subclassing ctx.Process).
    Process(const Context& context, ProcessOptions options);

private:
    friend class Context;
    friend Process& current_process();
    friend Process* parent_process();
    friend std::vector<Process> active_children();
    friend struct detail::ProcessAccess;
    struct FromState {};
    Process(FromState, std::shared_ptr<detail::ProcessState> state);
    std::string class_name() const;

    std::shared_ptr<detail::ProcessState> state_;
};

// The Process object of the calling process: MainProcess in the main process.
Process& current_process();
// The parent of a child process (name, pid, is_alive(), join()); nullptr in the main process.
Process* parent_process();
// The started children of this process that are still running; reaps the others.
std::vector<Process> active_children();
// Number of CPUs; NotImplementedError when the OS cannot tell.
int cpu_count();

// First statement of main(): when this program was started as a spawn child or as the forkserver, runs
// that role and never returns; otherwise returns at once.
void freeze_support(int argc, char** argv);

namespace forkserver {
// Starts the forkserver now unless one of this process is running (it is otherwise started lazily).
void ensure_running();
// pid of the running forkserver of this process, if any.
std::optional<int> server_pid();
} // namespace forkserver

} // namespace mp
