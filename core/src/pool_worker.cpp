// The body of a pool worker process (Python's multiprocessing.pool.worker): the initializer, then tasks
// from the pool's task channel until the Stop sentinel, maxtasksperchild, the pool's termination or the
// parent's death; each result goes back through the worker's own result channel.
#include "pickle_internal.hpp"
#include "pool_internal.hpp"
#include "process_internal.hpp"
#include "scope_writer.hpp"

#include "mp/pickle.hpp"
#include "mp/process.hpp"

#include <csignal>
#include <cstring>
#include <malloc.h>
#include <unistd.h>

namespace mp::detail::pool {

Object WorkerConfig::to_args(const std::optional<std::string>& initializer) const {
    return Object::tuple(row_index, row_serial, slot, initializer ? Object(*initializer) : Object(), initargs,
                         maxtasks ? Object(*maxtasks) : Object());
}

namespace {

[[noreturn]] void unknown_task(const std::string& name) {
    throw AttributeError("Can't get task '" + name + "' in this program: register it with MP_TASK(" + name +
                         ")");
}

// The worker task spawn and forkserver children (and fork children with a registered initializer) run.
Object worker_task(const Object& args, const Object&) {
    const auto& a = positional_items(args);
    check_arity(kWorkerTask, 6, 6, a.size());
    WorkerConfig config;
    config.row_index = static_cast<std::uint32_t>(a[0].as_int());
    config.row_serial = static_cast<std::uint32_t>(a[1].as_int());
    config.slot = static_cast<std::uint32_t>(a[2].as_int());
    config.initargs = a[4];
    if (!a[5].is_none()) config.maxtasks = a[5].as_int();
    Target initializer;
    if (a[3].is_str()) {
        if (!find_task(a[3].as_str())) unknown_task(a[3].as_str());
        initializer = Target::task(a[3].as_str());
    }
    run_worker(config, initializer);
    return Object();
}

const bool worker_task_registered = [] {
    register_task(kWorkerTask, worker_task);
    return true;
}();

// The slot's state, with the time spent in the previous one added to its total.
class SlotClock {
public:
    explicit SlotClock(L::PoolWorkerSlot& ws)
        : ws_(ws) {}
    void enter(L::PoolWorkerState next) noexcept {
        const std::int64_t now = monotonic_ns();
        const std::int64_t spent = now - ws_.state_since_ns.load(std::memory_order_relaxed);
        switch (static_cast<L::PoolWorkerState>(ws_.state.load(std::memory_order_relaxed))) {
        case L::PoolWorkerState::Idle:
            ws_.waiting_ns.fetch_add(spent, std::memory_order_relaxed);
            break;
        case L::PoolWorkerState::Working:
            ws_.working_ns.fetch_add(spent, std::memory_order_relaxed);
            break;
        default:
            break;
        }
        ws_.state_since_ns.store(now, std::memory_order_relaxed);
        ws_.state.store(static_cast<std::uint32_t>(next), std::memory_order_release);
    }

private:
    L::PoolWorkerSlot& ws_;
};

// Writes the current task's function name for the inspector (under the slot's seqlock).
void show_task(L::PoolWorkerSlot& ws, const std::string& func) noexcept {
    if (std::strncmp(ws.task, func.c_str(), sizeof ws.task) == 0) return;
    ws.task_seq.fetch_add(1, std::memory_order_relaxed);
    std::atomic_thread_fence(std::memory_order_release);
    const std::size_t n = std::min(func.size(), sizeof ws.task - 1);
    for (std::size_t i = 0; i < sizeof ws.task; ++i)
        std::atomic_ref<char>(ws.task[i]).store(i < n ? func[i] : '\0', std::memory_order_relaxed);
    ws.task_seq.fetch_add(1, std::memory_order_release);
}

void clear_current(L::PoolWorkerSlot& ws) noexcept {
    ws.task_seq.fetch_add(1, std::memory_order_relaxed);
    std::atomic_thread_fence(std::memory_order_release);
    ws.current_seq.store(0);
    ws.task_seq.fetch_add(1, std::memory_order_release);
}

// One process's lookups of task functions by name, remembered (a worker usually runs one function).
class TaskCache {
public:
    const TaskFunction& get(const std::string& name) {
        if (name != name_ || !fn_) {
            fn_ = find_task(name);
            if (!fn_) unknown_task(name);
            map_ = find_map_function(name);
            name_ = name;
        }
        return *fn_;
    }
    // The map form of the task get() returned last, if it has one.
    const MapFunction* map_function() const noexcept { return map_; }

private:
    std::string name_;
    const TaskFunction* fn_ = nullptr;
    const MapFunction* map_ = nullptr;
};

Object starmap_args(const Object& item, const std::string& func) {
    if (item.is_tuple()) return item;
    try {
        return to_args_tuple(item);
    } catch (const TypeError&) {
        throw TypeError(func + "() argument after * must be an iterable, not " + item.type_name());
    }
}

// Python's str(exc) when non-empty, else just the type.
std::string exception_line(const ExceptionValue& e) {
    return e.message.empty() ? e.type : e.type + ": " + e.message;
}

std::string encode_error(const ExceptionValue& e) {
    return pickle::dumps(Object::tuple(e.type, e.message, e.traceback));
}

// Runs one task; the payload of its result message, and whether it succeeded.
std::string run_task(const TakenTask& task, L::PoolWorkerSlot& ws, TaskCache& tasks, bool& ok) {
    ok = true;
    std::string func;
    Object value;
    try {
        Object args;
        Object kwds;
        std::vector<Object> numbers;
        if (pickle::internal::loads_call(task.payload, func, numbers)) {
            // A chunk of numbers, read without the general unpickler.
            args = Object::tuple(std::move(numbers));
            kwds = Object::dict();
        } else {
            Object message = pickle::loads(task.payload);
            auto& parts = message.items();
            func = parts.at(0).as_str();
            args = std::move(parts.at(1));
            kwds = std::move(parts.at(2));
        }
        show_task(ws, func);
        const TaskFunction& fn = tasks.get(func);
        switch (task.header.kind) {
        case L::PoolTaskKind::Apply:
            value = fn(args, kwds);
            break;
        case L::PoolTaskKind::Map:
        case L::PoolTaskKind::Starmap: {
            const bool star = task.header.kind == L::PoolTaskKind::Starmap;
            static const Object no_kwargs = Object::dict();
            Object single = Object::tuple(Object()); // one argument tuple, refilled for every item
            std::vector<Object>& items = args.items();
            std::vector<Object> out;
            out.reserve(items.size());
            if (const MapFunction* map = tasks.map_function(); map && !star) {
                (*map)(items, out);
                value = Object::list(std::move(out));
                break;
            }
            for (Object& item : items) {
                if (star) {
                    out.push_back(fn(starmap_args(item, func), no_kwargs));
                } else {
                    single[0] = std::move(item);
                    out.push_back(fn(single, no_kwargs));
                }
            }
            value = Object::list(std::move(out));
            break;
        }
        case L::PoolTaskKind::Stop:
            break;
        }
    } catch (const SystemExit&) {
        throw; // mp::exit() ends the worker; the pool reports the task as lost
    } catch (const KeyboardInterrupt&) {
        throw;
    } catch (...) {
        ExceptionValue e = ExceptionValue::current();
        if (e.traceback.empty())
            e.traceback = "Traceback (most recent call last):\n  task " + (func.empty() ? "?" : func) +
                          ", in " + current_process().name() + " (pid " + std::to_string(::getpid()) + ")\n" +
                          exception_line(e) + "\n";
        ok = false;
        return encode_error(e);
    }
    try {
        return pickle::dumps(value);
    } catch (...) {
        // Python's MaybeEncodingError: the worker survives and the caller learns why.
        const ExceptionValue reason = ExceptionValue::current();
        ok = false;
        return encode_error(
            {"MaybeEncodingError",
             "Error sending result: '" + value.repr() + "'. Reason: '" + Object(reason).repr() + "'", ""});
    }
}

} // namespace

void run_worker(const WorkerConfig& config, const Target& initializer) {
    (void)worker_task_registered;
    // A Ctrl-C in the terminal is the parent's to handle: it terminates the pool.
    ::signal(SIGINT, SIG_IGN);
    // Tasks and results of a map come in chunks of similar size: keep freed memory for the next one
    // instead of returning it to the kernel and faulting it in again every time.
    ::mallopt(M_TRIM_THRESHOLD, 256 << 20);
    ::mallopt(M_MMAP_THRESHOLD, 64 << 20);
    Segment* segment = scope::session();
    if (!segment || config.row_index == 0 || config.row_index >= segment->object_capacity() ||
        segment->object_at(config.row_index).serial.load(std::memory_order_acquire) != config.row_serial)
        throw RuntimeError("pool worker: the pool's row is not in this process's session");
    const View v = View::of(*segment, segment->object_at(config.row_index));
    L::PoolWorkerSlot& ws = v.workers[config.slot];
    ws.process.store(scope::self(), std::memory_order_relaxed);
    ws.pid.store(static_cast<std::int32_t>(::getpid()), std::memory_order_relaxed);
    Process* parent = parent_process();
    const KeepWaiting keep_waiting = [&] {
        return v.st->state.load(std::memory_order_relaxed) !=
                   static_cast<std::uint32_t>(L::PoolRunState::Terminate) &&
               (!parent || parent->is_alive());
    };
    SlotClock clock(ws);
    if (initializer) initializer(config.initargs, Object::dict());
    ws.ready_ns.store(monotonic_ns(), std::memory_order_relaxed);
    clock.enter(L::PoolWorkerState::Idle);
    TaskCache tasks;
    for (std::int64_t completed = 0; !config.maxtasks || completed < *config.maxtasks; ++completed) {
        std::optional<TakenTask> task = take_task(v, config.slot, keep_waiting);
        if (!task || task->header.kind == L::PoolTaskKind::Stop) break;
        clock.enter(L::PoolWorkerState::Working);
        ResultHeader header{task->seq, task->header.job, task->header.index, true};
        const std::string payload = run_task(*task, ws, tasks, header.ok);
        if (!write_result(v, config.slot, header, payload, keep_waiting)) break;
        clear_current(ws);
        ws.tasks_done.fetch_add(1, std::memory_order_relaxed);
        clock.enter(L::PoolWorkerState::Idle);
    }
    clock.enter(L::PoolWorkerState::Exited);
}

} // namespace mp::detail::pool
