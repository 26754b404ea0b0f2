// Text and JSON renderings of a snapshot and its diagnoses (report.hpp).
#include "mp/scope/report.hpp"

#include "scope_words.hpp"

#include <charconv>
#include <cstdio>

namespace mp::scope {

namespace {

std::string seconds(double s) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f s", s < 0 ? 0.0 : s);
    return buf;
}

// Shortest text that reads back as the same double: 0.1, 42, 1e+100.
std::string number(double v) {
    char buf[32];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
    return ec == std::errc{} ? std::string(buf, end) : std::string("?");
}

std::string plural(std::uint64_t n, const char* one, const char* many) {
    return std::to_string(n) + " " + (n == 1 ? one : many);
}

std::string process_name(const Snapshot& snap, ProcessId id) {
    if (const ProcessInfo* p = snap.process(id)) return p->name;
    return "process #" + std::to_string(id);
}

std::string object_name(const Snapshot& snap, ObjectId id) {
    if (const ObjectInfo* o = snap.object(id)) return o->name;
    return "object #" + std::to_string(id);
}

// A process that no longer runs, with how it ended: "Process-1 (pid 12, exited with code 1)".
std::string holder_name(const Snapshot& snap, ProcessId id) {
    const ProcessInfo* p = snap.process(id);
    if (!p) return "process #" + std::to_string(id) + " (gone)";
    if (p->alive()) return p->name;
    return p->name + " (pid " + std::to_string(p->pid) + ", " + words::ended_phrase(p->state, p->exitcode) +
           ")";
}

std::string state_words(const ProcessInfo& p) {
    if (p.alive()) return to_string(p.state);
    return words::ended_phrase(p.state, p.exitcode);
}

std::string values_text(const ObjectInfo& o) {
    constexpr std::size_t shown = 8;
    std::string out;
    for (std::size_t i = 0; i < o.data.size() && i < shown; ++i)
        out += (i ? ", " : "") + number(o.data[i]);
    if (o.data.size() > shown) out += ", ...";
    return out;
}

std::string users_text(const Snapshot& snap, const ObjectInfo& o) {
    if (o.users.empty()) return {};
    if (o.users.size() > 4 || !o.users_complete)
        return plural(o.users.size(), "user", "users") + (o.users_complete ? "" : " or more");
    std::vector<std::string> names;
    for (ProcessId u : o.users)
        names.push_back(process_name(snap, u));
    return "used by " + words::join_words(names);
}

} // namespace

std::string describe_wait(const Snapshot& snap, const Wait& w) {
    std::string out;
    if (w.op == "join") {
        out = "joins " + process_name(snap, w.target);
        if (const ProcessInfo* t = snap.process(w.target)) out += " (pid " + std::to_string(t->pid) + ")";
    } else if (const ObjectInfo* o = snap.object(w.object)) {
        const ObjectInfo* lock = o;
        if (w.op == "acquire" && !words::is_lock(o->kind) && o->lock) lock = snap.object(o->lock);
        out = words::wait_phrase(w.op, lock ? lock->kind : o->kind, o->name) + " (" + o->kind;
        if (lock && words::is_lock(lock->kind) && w.op == "acquire")
            out += lock->owner ? ", held by " + holder_name(snap, *lock->owner) : ", free";
        out += ")";
    } else {
        out = words::wait_phrase(w.op, "", object_name(snap, w.object));
    }
    out += " for " + seconds(snap.time - w.since);
    if (w.deadline) out += ", timeout in " + seconds(*w.deadline - snap.time);
    return out;
}

std::string describe_object(const Snapshot& snap, const ObjectInfo& o) {
    std::vector<std::string> parts;
    if (words::is_lock(o.kind)) {
        if (o.owner) {
            std::string held = "held by " + holder_name(snap, *o.owner);
            if (o.owner_thread > 1) held += " (thread " + std::to_string(o.owner_thread) + ")";
            if (o.kind == "RLock") held += ", depth " + std::to_string(o.depth);
            parts.push_back(held);
        } else {
            parts.push_back("free");
        }
    } else if (words::is_semaphore(o.kind)) {
        std::string value = "value " + std::to_string(o.value);
        if (o.kind == "BoundedSemaphore") value += " of " + std::to_string(o.maxvalue);
        parts.push_back(value);
        std::vector<std::string> holders;
        for (const Holder& h : o.holders)
            holders.push_back(process_name(snap, h.process) +
                              (h.units > 1 ? " x" + std::to_string(h.units) : ""));
        if (!holders.empty())
            parts.push_back("units held by " + words::join_words(holders) +
                            (o.holders_complete ? "" : " and others"));
    } else if (o.kind == "Condition") {
        if (o.lock) parts.push_back("lock " + object_name(snap, o.lock));
        parts.push_back(std::to_string(o.sleepers) + " sleeping");
    } else if (o.kind == "Event") {
        parts.push_back(o.flag ? "set" : "not set");
    } else if (o.kind == "Barrier") {
        if (o.barrier_state == "filling" || o.barrier_state.empty())
            parts.push_back(std::to_string(o.n_waiting) + " of " + std::to_string(o.parties) +
                            " parties waiting");
        else
            parts.push_back(o.barrier_state + ", " + plural(o.parties, "party", "parties"));
        parts.push_back("generation " + std::to_string(o.generation));
    } else if (o.kind == "Value" || o.kind == "Array") {
        std::string type =
            o.typecode == 'T' ? "struct (" + o.fields + ")" : "'" + std::string(1, o.typecode) + "'";
        if (o.kind == "Value" && o.typecode != 'T')
            parts.push_back(type + " = " + values_text(o));
        else
            parts.push_back(type + " x " + std::to_string(o.length) + ": [" + values_text(o) + "]");
        parts.push_back(o.lock ? "lock " + object_name(snap, o.lock) : "no lock");
    } else if (words::is_queue(o.kind)) {
        std::string items = plural(o.items, "item", "items") + ", " + std::to_string(o.used_bytes) + " of " +
                            std::to_string(o.capacity_bytes) + " bytes";
        if (o.maxsize) items += ", maxsize " + std::to_string(o.maxsize);
        parts.push_back(items);
        if (o.kind == "JoinableQueue")
            parts.push_back(plural(o.unfinished, "unfinished task", "unfinished tasks"));
    } else if (o.kind == "Pool") {
        parts.push_back(o.pool_state + ", " + plural(o.pool_size, "worker", "workers"));
        std::string tasks =
            std::to_string(o.tasks_queued) + " queued, " + std::to_string(o.tasks_completed) + " done";
        if (o.tasks_lost) tasks += ", " + std::to_string(o.tasks_lost) + " lost";
        parts.push_back(plural(o.results_outstanding, "result", "results") + " outstanding, " + tasks);
        if (o.workers_replaced)
            parts.push_back(plural(o.workers_replaced, "worker replaced", "workers replaced"));
        for (const PoolWorkerInfo& w : o.workers) {
            std::string worker =
                (w.process ? process_name(snap, w.process) : std::string("worker")) + " " + w.state;
            if (!w.task.empty()) worker += " " + w.task + " (job " + std::to_string(w.job) + ")";
            worker += ", " + plural(w.tasks_done, "task", "tasks") + " done";
            parts.push_back(worker);
        }
    }
    if (o.waiters) parts.push_back(plural(o.waiters, "waiter", "waiters"));
    if (o.recovered_from)
        parts.push_back("recovered from " + process_name(snap, *o.recovered_from) + " (pid " +
                        std::to_string(o.recovered_from_pid) + "), which died holding it");
    parts.push_back(plural(o.ops, "op", "ops"));
    if (auto users = users_text(snap, o); !users.empty()) parts.push_back(users);
    std::string out;
    for (const std::string& p : parts)
        out += (out.empty() ? "" : "; ") + p;
    return out;
}

std::string format_report(const Snapshot& snap, const std::vector<Diagnosis>& diagnoses) {
    std::string out;
    const SessionInfo& s = snap.session;
    out += "Session " + s.name + " (creator pid " + std::to_string(s.creator_pid) + ", age " +
           seconds(s.age) + (s.alive ? "" : ", ended") + ")\n";
    out += "Step mode " + std::string(snap.step_mode ? "on" : "off") + ", observation " + snap.observe_level +
           ", " + plural(snap.event_head, "event", "events") + " recorded\n\n";

    out += "Processes (" + std::to_string(snap.processes.size()) + "):\n";
    for (const ProcessInfo& p : snap.processes) {
        out += "  " + p.name + " [" + std::to_string(p.id) + "] pid " + std::to_string(p.pid);
        if (!p.start_method.empty()) out += ", " + p.start_method;
        if (!p.target.empty()) out += ", target " + p.target;
        if (p.parent) out += ", parent " + process_name(snap, p.parent);
        if (p.daemon) out += ", daemon";
        out += ", " + state_words(p);
        if (p.alive()) out += ", cpu " + seconds(p.cpu_seconds);
        out += "\n";
        for (const Wait& w : p.waits) {
            const std::string who =
                &w == p.main_wait() ? "main thread"
                                    : "thread " + std::to_string(w.thread) + (w.internal ? " (library)" : "");
            out += "      " + who + " " + describe_wait(snap, w) + "\n";
        }
        if (p.parked) {
            out += "      parked before " + p.parked->op;
            if (p.parked->object) out += " on " + object_name(snap, p.parked->object);
            out += "\n";
        }
    }

    std::string objects;
    std::size_t shown = 0;
    for (const ObjectInfo& o : snap.objects) {
        if (o.internal) continue;
        ++shown;
        objects += "  " + o.name + " [" + std::to_string(o.id) + "] " + o.kind + ": " +
                   describe_object(snap, o) + "\n";
    }
    out += "\nObjects (" + std::to_string(shown) + "):\n" + objects;

    std::vector<const Diagnosis*> deadlocks, notes;
    for (const Diagnosis& d : diagnoses)
        (d.deadlock() ? deadlocks : notes).push_back(&d);
    if (deadlocks.empty()) {
        out += "\nNo deadlock found.\n";
    } else {
        out += "\nDeadlocks (" + std::to_string(deadlocks.size()) + "):\n";
        for (std::size_t i = 0; i < deadlocks.size(); ++i) {
            const Diagnosis& d = *deadlocks[i];
            out += "  " + std::to_string(i + 1) + ". " + title(d.kind) + ": " + d.text();
            if (d.cause) out += " (see " + std::to_string(*d.cause + 1) + ")";
            out += "\n";
        }
    }
    if (!notes.empty()) {
        out += "\nNotes:\n";
        for (const Diagnosis* d : notes)
            out += "  - " + std::string(title(d->kind)) + ": " + d->text() + "\n";
    }
    return out;
}

std::string format_sessions(const std::vector<SessionInfo>& sessions) {
    if (sessions.empty()) return "No live mpscope session.\n";
    std::size_t width = 7;
    for (const SessionInfo& s : sessions)
        width = std::max(width, s.name.size());
    auto row = [&](const std::string& name, const std::string& pid, const std::string& age,
                   const std::string& main, const std::string& procs) {
        char buf[512];
        std::snprintf(buf, sizeof buf, "%-*s  %8s  %10s  %-16s  %s\n", static_cast<int>(width), name.c_str(),
                      pid.c_str(), age.c_str(), main.c_str(), procs.c_str());
        return std::string(buf);
    };
    std::string out = row("SESSION", "CREATOR", "AGE", "MAIN", "PROCESSES");
    for (const SessionInfo& s : sessions)
        out += row(s.name, std::to_string(s.creator_pid), seconds(s.age),
                   s.main_name.empty() ? "-" : s.main_name,
                   std::to_string(s.live_processes) + " live of " + std::to_string(s.processes) +
                       (s.alive ? "" : " (ended)"));
    return out;
}

// ---- JSON ----------------------------------------------------------------------------------------------

namespace {

template <class T> nlohmann::json optional_json(const std::optional<T>& v) {
    return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

nlohmann::json process_ref_json(const ProcessRef& p) {
    return {{"id", p.id},
            {"name", p.name},
            {"pid", p.pid},
            {"state", to_string(p.state)},
            {"exitcode", optional_json(p.exitcode)}};
}

nlohmann::json process_json(const ProcessInfo& p) {
    nlohmann::json waits = nlohmann::json::array();
    for (const Wait& w : p.waits)
        waits.push_back({{"thread", w.thread},
                         {"op", w.op},
                         {"object", w.object},
                         {"target", w.target},
                         {"since", w.since},
                         {"deadline", optional_json(w.deadline)},
                         {"main_thread", &w == p.main_wait()},
                         {"internal", w.internal}});
    nlohmann::json parked = nullptr;
    if (p.parked) parked = {{"op", p.parked->op}, {"object", p.parked->object}, {"thread", p.parked->thread}};
    return {{"id", p.id},
            {"pid", p.pid},
            {"parent", p.parent},
            {"name", p.name},
            {"start_method", p.start_method},
            {"target", p.target},
            {"state", to_string(p.state)},
            {"alive", p.alive()},
            {"exitcode", optional_json(p.exitcode)},
            {"daemon", p.daemon},
            {"main", p.main},
            {"created", p.created},
            {"started", p.started},
            {"ended", optional_json(p.ended)},
            {"cpu_seconds", p.cpu_seconds},
            {"waits", std::move(waits)},
            {"parked", std::move(parked)}};
}

nlohmann::json object_json(const ObjectInfo& o) {
    nlohmann::json j = {{"id", o.id},
                        {"kind", o.kind},
                        {"name", o.name},
                        {"internal", o.internal},
                        {"creator", o.creator},
                        {"created", o.created},
                        {"ops", o.ops},
                        {"users", o.users},
                        {"users_complete", o.users_complete}};
    auto holders = [&] {
        nlohmann::json h = nlohmann::json::array();
        for (const Holder& x : o.holders)
            h.push_back({{"process", x.process}, {"units", x.units}});
        j["holders"] = std::move(h);
        j["holders_complete"] = o.holders_complete;
        j["waiters"] = o.waiters;
        j["recovered_from"] = optional_json(o.recovered_from);
        j["recovered_from_pid"] = o.recovered_from_pid;
    };
    if (words::is_lock(o.kind)) {
        j["owner"] = optional_json(o.owner);
        j["owner_thread"] = o.owner_thread;
        j["depth"] = o.depth;
        holders();
    } else if (words::is_semaphore(o.kind)) {
        j["value"] = o.value;
        j["maxvalue"] = o.maxvalue;
        holders();
    } else if (o.kind == "Condition") {
        j["lock"] = o.lock;
        j["sleepers"] = o.sleepers;
    } else if (o.kind == "Event") {
        j["flag"] = o.flag;
        j["waiters"] = o.waiters;
    } else if (o.kind == "Barrier") {
        j["parties"] = o.parties;
        j["n_waiting"] = o.n_waiting;
        j["broken"] = o.broken;
        j["generation"] = o.generation;
        j["state"] = o.barrier_state;
    } else if (o.kind == "Value" || o.kind == "Array") {
        j["typecode"] = std::string(1, o.typecode);
        j["length"] = o.length;
        j["itemsize"] = o.itemsize;
        j["fields"] = o.fields;
        j["data"] = o.data;
        j["lock"] = o.lock;
        nlohmann::json recent = nlohmann::json::array();
        for (const RecentWrite& w : o.recent_writes)
            recent.push_back({{"index", w.index}, {"process", w.process}, {"time", w.time}});
        j["recent_writes"] = std::move(recent);
    } else if (words::is_queue(o.kind)) {
        j["items"] = o.items;
        j["maxsize"] = o.maxsize;
        j["capacity_bytes"] = o.capacity_bytes;
        j["used_bytes"] = o.used_bytes;
        j["free_slots"] = o.free_slots;
        j["unfinished"] = o.unfinished;
    } else if (o.kind == "Pool") {
        j["state"] = o.pool_state;
        j["pool_size"] = o.pool_size;
        j["maxtasksperchild"] = o.maxtasksperchild;
        j["tasks_queued"] = o.tasks_queued;
        j["tasks_completed"] = o.tasks_completed;
        j["tasks_lost"] = o.tasks_lost;
        j["results_outstanding"] = o.results_outstanding;
        j["workers_started"] = o.workers_started;
        j["workers_replaced"] = o.workers_replaced;
        nlohmann::json workers = nlohmann::json::array();
        for (const PoolWorkerInfo& w : o.workers) {
            nlohmann::json worker = {{"process", w.process},       {"pid", w.pid},
                                     {"state", w.state},           {"generation", w.generation},
                                     {"tasks_done", w.tasks_done}, {"startup", w.startup},
                                     {"waiting", w.waiting},       {"working", w.working}};
            if (!w.task.empty()) worker["task"] = {{"function", w.task}, {"job", w.job}, {"index", w.index}};
            if (w.last_exitcode) worker["last_exitcode"] = *w.last_exitcode;
            workers.push_back(std::move(worker));
        }
        j["workers"] = std::move(workers);
    }
    return j;
}

} // namespace

nlohmann::json to_json(const SessionInfo& s) {
    return {{"name", s.name},
            {"creator_pid", s.creator_pid},
            {"age", s.age},
            {"created_unix_ns", s.created_unix_ns},
            {"alive", s.alive},
            {"main", s.main_name},
            {"processes", s.processes},
            {"live_processes", s.live_processes}};
}

nlohmann::json to_json(const Diagnosis& d) {
    nlohmann::json steps = nlohmann::json::array();
    for (const Step& s : d.steps) {
        nlohmann::json step = {{"process", process_ref_json(s.process)}, {"relation", to_string(s.relation)}};
        if (s.relation == Relation::Joins) {
            step["target"] = process_ref_json(s.target);
        } else {
            step["object"] = {{"id", s.object.id}, {"kind", s.object.kind}, {"name", s.object.name}};
        }
        if (!s.op.empty()) step["op"] = s.op;
        if (s.relation == Relation::Holds) step["units"] = s.units;
        steps.push_back(std::move(step));
    }
    nlohmann::json gone = nlohmann::json::array();
    for (const ProcessRef& g : d.gone)
        gone.push_back(process_ref_json(g));
    return {{"kind", to_string(d.kind)}, {"title", title(d.kind)},   {"deadlock", d.deadlock()},
            {"text", d.text()},          {"processes", d.processes}, {"objects", d.objects},
            {"steps", std::move(steps)}, {"gone", std::move(gone)},  {"cause", optional_json(d.cause)}};
}

nlohmann::json to_json(const Snapshot& snap, const std::vector<Diagnosis>& diagnoses) {
    nlohmann::json processes = nlohmann::json::array();
    for (const ProcessInfo& p : snap.processes)
        processes.push_back(process_json(p));
    nlohmann::json objects = nlohmann::json::array();
    for (const ObjectInfo& o : snap.objects)
        objects.push_back(object_json(o));
    nlohmann::json diags = nlohmann::json::array();
    bool deadlocked = false;
    for (const Diagnosis& d : diagnoses) {
        diags.push_back(to_json(d));
        deadlocked = deadlocked || d.deadlock();
    }
    return {{"session", to_json(snap.session)}, {"time", snap.time},
            {"step_mode", snap.step_mode},      {"observe_level", snap.observe_level},
            {"event_head", snap.event_head},    {"processes", std::move(processes)},
            {"objects", std::move(objects)},    {"diagnoses", std::move(diags)},
            {"deadlocked", deadlocked}};
}

} // namespace mp::scope
