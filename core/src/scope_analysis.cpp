// Wait-for graph and deadlock diagnosis over a Snapshot (analysis.hpp), and the English phrases the
// diagnosis text and the report share (scope_words.hpp).
#include "mp/scope/analysis.hpp"

#include "process_fd.hpp"
#include "scope_words.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>
#include <unordered_set>

namespace mp::scope {

// ---- words ---------------------------------------------------------------------------------------------

namespace words {

std::string wait_phrase(std::string_view op, std::string_view kind, std::string_view object,
                        std::string_view joined) {
    const std::string name(object);
    if (op == "join") return "joins " + std::string(joined);
    if (op == "acquire") return (is_lock(kind) ? "waits for " : "waits to acquire ") + name;
    if (op == "wait") return "waits on condition " + name;
    if (op == "event_wait") return "waits for event " + name;
    if (op == "barrier_wait") return "waits at barrier " + name;
    if (op == "get") return "waits to get from " + name;
    if (op == "put") return "waits to put on " + name;
    if (op == "feeder_flush") return "waits for its feeder to flush " + name;
    if (op == "queue_join") return "waits for the tasks of " + name + " to be done";
    return "waits in " + std::string(op) + " on " + name;
}

std::string ended_phrase(ProcessState state, const std::optional<int>& exitcode) {
    switch (state) {
    case ProcessState::Starting:
        return "is starting";
    case ProcessState::Running:
        return "is running";
    case ProcessState::Exited:
        return "exited with code " + std::to_string(exitcode.value_or(0));
    case ProcessState::Killed: {
        const int sig = -exitcode.value_or(0);
        std::string name = detail::exitcode_to_name(-sig);
        if (name.starts_with("-SIG"))
            return "was killed by signal " + std::to_string(sig) + " (" + name.substr(1) + ")";
        return "was killed by signal " + std::to_string(sig);
    }
    case ProcessState::Vanished:
        break;
    }
    return "vanished without a recorded exit";
}

std::string join_words(const std::vector<std::string>& items) {
    std::string out;
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (i > 0) out += i + 1 == items.size() ? " and " : ", ";
        out += items[i];
    }
    return out;
}

} // namespace words

// ---- names ---------------------------------------------------------------------------------------------

const char* to_string(DiagnosisKind kind) noexcept {
    switch (kind) {
    case DiagnosisKind::LockCycle:
        return "lock_cycle";
    case DiagnosisKind::DeadHolder:
        return "dead_holder";
    case DiagnosisKind::JoinChain:
        return "join_chain";
    case DiagnosisKind::LockChain:
        return "lock_chain";
    case DiagnosisKind::Unsatisfiable:
        return "unsatisfiable";
    case DiagnosisKind::JoinBeforeDrain:
        return "join_before_drain";
    case DiagnosisKind::QueueCycle:
        return "queue_cycle";
    case DiagnosisKind::Recovered:
        return "recovered";
    }
    return "unknown";
}

const char* title(DiagnosisKind kind) noexcept {
    switch (kind) {
    case DiagnosisKind::LockCycle:
        return "Lock cycle";
    case DiagnosisKind::DeadHolder:
        return "Lock held by a dead process";
    case DiagnosisKind::JoinChain:
        return "Join of a stuck process";
    case DiagnosisKind::LockChain:
        return "Lock held by a stuck process";
    case DiagnosisKind::Unsatisfiable:
        return "Unsatisfiable wait";
    case DiagnosisKind::JoinBeforeDrain:
        return "Join before draining a queue";
    case DiagnosisKind::QueueCycle:
        return "Queue cycle";
    case DiagnosisKind::Recovered:
        return "Lock recovered from a dead holder";
    }
    return "Unknown";
}

const char* to_string(Relation relation) noexcept {
    switch (relation) {
    case Relation::Holds:
        return "holds";
    case Relation::WaitsFor:
        return "waits_for";
    case Relation::Joins:
        return "joins";
    }
    return "unknown";
}

// ---- Diagnosis::text -----------------------------------------------------------------------------------

namespace {

std::string phrase(const Step& s) {
    if (s.relation == Relation::Joins) return "joins " + s.target.name;
    if (s.relation == Relation::Holds) return "holds " + s.object.name;
    return words::wait_phrase(s.op, s.object.kind, s.object.name);
}

std::string with_pid(const ProcessRef& p) {
    return p.pid > 0 ? p.name + " (pid " + std::to_string(p.pid) + ")" : p.name;
}

// "Process-1 and Process-2 wait" / "Process-1 waits".
std::string subject(const std::vector<const Step*>& steps, std::string_view verb) {
    std::vector<std::string> names;
    for (const Step* s : steps)
        names.push_back(s->process.name);
    return words::join_words(names) + " " + std::string(verb) + (names.size() == 1 ? "s" : "");
}

// The steps of one process, in order, as they follow each other in a cycle or chain.
std::vector<std::vector<const Step*>> by_process(const std::vector<Step>& steps) {
    std::vector<std::vector<const Step*>> groups;
    for (const Step& s : steps) {
        if (groups.empty() || groups.back().front()->process.id != s.process.id) groups.emplace_back();
        groups.back().push_back(&s);
    }
    return groups;
}

// "Process-1 holds fork-0 and waits for fork-1, held by Process-2, which waits for fork-0, held by
// Process-1": each group's own wait, then who it waits on. `closing`: name the first process again at
// the end (a cycle).
std::string chain_text(const std::vector<Step>& steps, bool closing) {
    const auto groups = by_process(steps);
    std::string out;
    for (std::size_t i = 0; i < groups.size(); ++i) {
        const auto& g = groups[i];
        if (i == 0) {
            out = g.front()->process.name + " ";
            std::vector<std::string> parts;
            for (const Step* s : g)
                parts.push_back(phrase(*s));
            out += words::join_words(parts);
        } else {
            out += ", which " + phrase(*g.back());
        }
        const Step& last = *g.back();
        const bool has_next = i + 1 < groups.size() || closing;
        if (last.relation == Relation::WaitsFor && words::is_lock(last.object.kind) && has_next) {
            const auto& next = i + 1 < groups.size() ? groups[i + 1] : groups.front();
            out += ", held by " + next.front()->process.name;
        }
    }
    return out + ".";
}

// "MainProcess joins Process-1; Process-3 exited with code 0" (clauses, so "; " rather than "and"), leaving
// out the steps in `skip`.
std::string others_text(const Diagnosis& d, std::size_t first_other,
                        const std::vector<const Step*>& skip = {}) {
    std::string out;
    auto add = [&](const std::string& clause) { out += (out.empty() ? "" : "; ") + clause; };
    for (std::size_t i = first_other; i < d.steps.size(); ++i)
        if (std::find(skip.begin(), skip.end(), &d.steps[i]) == skip.end())
            add(d.steps[i].process.name + " " + phrase(d.steps[i]));
    for (const ProcessRef& g : d.gone)
        add(g.name + " " + words::ended_phrase(g.state, g.exitcode));
    return out;
}

// "waits to put on Queue-1" / "waits for its feeder to flush 1048598 bytes into Queue-1".
std::string queue_wait_phrase(const Step& s) {
    if (s.op == "feeder_flush" && s.bytes > 0)
        return "waits for its feeder to flush " + std::to_string(s.bytes) + " bytes into " + s.object.name;
    return phrase(s);
}

// "which only MainProcess reads" / "which only Process-2 and Process-3 put on".
std::string only_serving(const std::vector<std::string>& names, std::string_view op) {
    const bool one = names.size() == 1;
    return "which only " + words::join_words(names) + " " +
           (op == "get" ? (one ? "puts on" : "put on") : (one ? "reads" : "read"));
}

// "MainProcess joins Process-1, which cannot exit until its feeder flushes 1048598 bytes into Queue-1,
// which only MainProcess reads." The join of a process that feeds the queue, `readers` the steps of
// the processes that could drain it.
std::string join_before_drain_text(const Diagnosis& d, const Step& join, const Step& feeding,
                                   std::size_t first_reader) {
    std::string out = join.process.name + " joins " + join.target.name + ", which ";
    if (feeding.op == "feeder_flush")
        out += "cannot exit until its feeder flushes " +
               (feeding.bytes > 0 ? std::to_string(feeding.bytes) + " bytes" : std::string("what it put")) +
               " into " + feeding.object.name;
    else
        out += phrase(feeding);
    std::vector<std::string> readers;
    for (std::size_t i = first_reader; i < d.steps.size(); ++i)
        readers.push_back(d.steps[i].process.name);
    out += ", " + only_serving(readers, feeding.op);
    // Everything else the diagnosis knows: other waiters on the queue, other readers, ended users.
    std::vector<const Step*> told{&join, &feeding};
    std::string rest;
    for (std::size_t i = 0; i < first_reader; ++i)
        if (&d.steps[i] != &feeding) rest += "; " + d.steps[i].process.name + " " + phrase(d.steps[i]);
    if (const std::string others = others_text(d, first_reader, told); !others.empty()) rest += "; " + others;
    return out + rest + ".";
}

} // namespace

std::string Diagnosis::text() const {
    if (steps.empty()) return title(kind);
    switch (kind) {
    case DiagnosisKind::LockCycle:
        if (processes.size() == 1 && steps.back().relation == Relation::WaitsFor)
            return steps.back().process.name + " " + phrase(steps.back()) + ", which it already holds (a " +
                   steps.back().object.kind + " is not re-entrant).";
        return chain_text(steps, true);
    case DiagnosisKind::JoinChain:
    case DiagnosisKind::LockChain:
        // A chain of joins only may also close on itself.
        return chain_text(steps, steps.front().relation == Relation::Joins &&
                                     steps.back().relation == Relation::Joins &&
                                     steps.back().target.id == steps.front().process.id);
    case DiagnosisKind::DeadHolder: {
        std::vector<const Step*> waits;
        for (const Step& s : steps)
            waits.push_back(&s);
        std::string out = subject(waits, "wait") + " for " + steps.front().object.name;
        if (gone.empty()) return out + ", whose holder is gone.";
        return out + ", held by " + with_pid(gone.front()) + ", which " +
               words::ended_phrase(gone.front().state, gone.front().exitcode) + ".";
    }
    case DiagnosisKind::Unsatisfiable:
    case DiagnosisKind::JoinBeforeDrain: {
        const ObjectRef& object = steps.front().object;
        std::vector<const Step*> waits;
        for (const Step& s : steps)
            if (s.relation == Relation::WaitsFor && s.object.id == object.id) waits.push_back(&s);
        if (kind == DiagnosisKind::JoinBeforeDrain)
            for (const Step& s : steps)
                if (s.relation == Relation::Joins)
                    for (const Step* w : waits)
                        if (w->process.id == s.target.id && words::is_feeding(w->op))
                            return join_before_drain_text(*this, s, *w, waits.size());
        std::string out = object.name + " (" + object.kind +
                          ") can never be satisfied: " + subject(waits, "wait") + " on it, and ";
        const std::string others = others_text(*this, waits.size());
        if (others.empty()) return out + "nobody else uses it.";
        return out + "every other process that could help is blocked or gone: " + others + ".";
    }
    case DiagnosisKind::QueueCycle: {
        // "Process-1 waits to put on Queue-1, which only Process-2 reads; Process-2 waits to put on
        // Queue-2, which only Process-1 reads."
        std::string out;
        for (std::size_t i = 0; i < steps.size(); ++i) {
            const Step& s = steps[i];
            const Step& next = steps[(i + 1) % steps.size()];
            out += (i ? "; " : "") + s.process.name + " " + queue_wait_phrase(s) + ", " +
                   only_serving({next.process.name}, s.op);
        }
        return out + ".";
    }
    case DiagnosisKind::Recovered: {
        const ProcessRef& dead = steps.front().process;
        std::string out = with_pid(dead) + " died holding " + steps.front().object.name +
                          "; the next acquirer recovered it";
        if (steps.size() > 1) out += ", and it is now held by " + steps[1].process.name;
        return out + ".";
    }
    }
    return title(kind);
}

// ---- the deadlock search -------------------------------------------------------------------------------

namespace {

class Index {
public:
    explicit Index(const Snapshot& snap)
        : snap_(snap) {
        for (const ProcessInfo& p : snap.processes)
            processes_.emplace(p.id, &p);
        for (const ObjectInfo& o : snap.objects)
            objects_.emplace(o.id, &o);
    }
    const Snapshot& snapshot() const noexcept { return snap_; }
    const ProcessInfo* process(ProcessId id) const {
        auto it = processes_.find(id);
        return it == processes_.end() ? nullptr : it->second;
    }
    const ObjectInfo* object(ObjectId id) const {
        auto it = objects_.find(id);
        return it == objects_.end() ? nullptr : it->second;
    }
    bool alive(ProcessId id) const {
        const ProcessInfo* p = process(id);
        return p && p->alive();
    }
    ProcessRef ref(ProcessId id) const {
        ProcessRef r;
        r.id = id;
        if (const ProcessInfo* p = process(id)) {
            r.name = p->name;
            r.pid = p->pid;
            r.state = p->state;
            r.exitcode = p->exitcode;
        } else {
            r.name = "process #" + std::to_string(id);
        }
        return r;
    }
    ObjectRef ref(const ObjectInfo& o) const { return {o.id, o.kind, o.name}; }

private:
    const Snapshot& snap_;
    std::unordered_map<ProcessId, const ProcessInfo*> processes_;
    std::unordered_map<ObjectId, const ObjectInfo*> objects_;
};

// A main-thread wait that may be part of a deadlock.
struct Blocked {
    enum class Type {
        Join,  // single releaser: the joined process
        Lock,  // single releaser: the owner
        Multi, // several possible releasers
    } type;
    const ProcessInfo* process;
    const Wait* wait;
    const ObjectInfo* object; // for Lock, the lock itself (a Condition's or Value's lock resolved)
};

// Which way a queue wait waits: for items (get), for a reader (put, feeder_flush) or for task_done()
// (queue_join); -1 for anything else. Processes blocked the same way on one queue cannot serve each other.
int queue_side(std::string_view op) {
    if (op == "get") return 0;
    if (words::is_feeding(op)) return 1;
    if (op == "queue_join") return 2;
    return -1;
}

// A get with items in the channel waits only for the reader lock, and items a live process's feeder
// holds are on their way: the wait ends by itself, so it claims nothing.
bool get_will_be_served(const Index& ix, const ObjectInfo& q) {
    if (q.items > 0) return true;
    return std::any_of(q.feeders.begin(), q.feeders.end(),
                       [&](const QueueFeederInfo& f) { return f.items > 0 && ix.alive(f.process); });
}

std::optional<Blocked> blocked_wait(const Index& ix, const ProcessInfo& p, double now, double min_age) {
    if (!p.alive()) return std::nullopt;
    const Wait* w = p.main_wait();
    if (!w || w->internal || w->deadline || now - w->since < min_age) return std::nullopt;
    if (w->op == "join") {
        // Joining a process that already ended returns by itself.
        if (!ix.alive(w->target)) return std::nullopt;
        return Blocked{Blocked::Type::Join, &p, w, nullptr};
    }
    const ObjectInfo* o = ix.object(w->object);
    if (!o) return std::nullopt; // nothing known about it: no claim
    if (w->op == "acquire") {
        if (o->kind == "Condition" || o->kind == "Value" || o->kind == "Array") o = ix.object(o->lock);
        if (!o) return std::nullopt;
        if (words::is_lock(o->kind)) {
            if (o->owner == p.id) {
                // An RLock is re-entrant, and another thread of this process may release it; only a
                // Lock re-acquired by its owning thread can never be released.
                const bool same_thread = o->owner_thread == 0 || o->owner_thread == w->thread;
                if (o->kind == "RLock" || !same_thread) return std::nullopt;
            }
            return Blocked{Blocked::Type::Lock, &p, w, o};
        }
        if (words::is_semaphore(o->kind)) return Blocked{Blocked::Type::Multi, &p, w, o};
        return std::nullopt;
    }
    const bool queue = words::is_queue(o->kind) && queue_side(w->op) >= 0;
    const bool known = (w->op == "wait" && o->kind == "Condition") ||
                       (w->op == "event_wait" && o->kind == "Event") ||
                       (w->op == "barrier_wait" && o->kind == "Barrier") || queue;
    if (!known || (queue && w->op == "get" && get_will_be_served(ix, *o))) return std::nullopt;
    return Blocked{Blocked::Type::Multi, &p, w, o};
}

// Every process that could end `b`'s wait (dead ones included: they explain why nobody does).
std::vector<ProcessId> releasers(const Index& ix, const Blocked& b, const std::vector<Blocked>& blocked) {
    if (b.type == Blocked::Type::Join) return {b.wait->target};
    const ObjectInfo& o = *b.object;
    if (b.type == Blocked::Type::Lock)
        return o.owner ? std::vector<ProcessId>{*o.owner} : std::vector<ProcessId>{};
    std::set<ProcessId> out;
    bool everyone = !o.users_complete;
    for (ProcessId u : o.users)
        out.insert(u);
    if (words::is_semaphore(o.kind)) {
        everyone = everyone || !o.holders_complete;
        for (const Holder& h : o.holders)
            out.insert(h.process);
    }
    if (everyone)
        for (const ProcessInfo& p : ix.snapshot().processes)
            out.insert(p.id);
    out.erase(b.process->id);
    // Whoever else waits at the same event or barrier cannot be the one to set or fill it; nor can a
    // process blocked the same way on the same queue (a getter put, a putter get).
    const bool queue = words::is_queue(o.kind);
    if (o.kind == "Event" || o.kind == "Barrier" || queue)
        for (const Blocked& other : blocked)
            if (other.object == b.object && other.type == Blocked::Type::Multi &&
                (!queue || queue_side(other.wait->op) == queue_side(b.wait->op)))
                out.erase(other.process->id);
    return {out.begin(), out.end()};
}

// A put or flush waits for a reader of what this process's feeder still holds.
void add_feeder_load(const ObjectInfo& q, Step& s) {
    if (!words::is_feeding(s.op)) return;
    for (const QueueFeederInfo& f : q.feeders)
        if (f.process == s.process.id) {
            s.units = f.items;
            s.bytes = f.bytes;
        }
}

Step wait_step(const Index& ix, const Blocked& b) {
    Step s;
    s.process = ix.ref(b.process->id);
    if (b.type == Blocked::Type::Join) {
        s.relation = Relation::Joins;
        s.op = b.wait->op;
        s.target = ix.ref(b.wait->target);
    } else {
        s.relation = Relation::WaitsFor;
        s.op = b.wait->op;
        s.object = ix.ref(*b.object);
        if (words::is_queue(b.object->kind)) add_feeder_load(*b.object, s);
    }
    return s;
}

// Calls `found` with each cycle of `next` reachable from `starts`, rotated to start at its smallest id.
template <class F>
void for_each_cycle(const std::vector<ProcessId>& starts, const std::map<ProcessId, ProcessId>& next,
                    F&& found) {
    std::map<ProcessId, int> color; // 0 unseen, 1 on the current walk, 2 done
    for (ProcessId p : starts) {
        std::vector<ProcessId> walk;
        while (color[p] == 0) {
            color[p] = 1;
            walk.push_back(p);
            auto it = next.find(p);
            if (it == next.end()) break;
            p = it->second;
        }
        if (color[p] == 1 && next.count(p)) {
            std::vector<ProcessId> cycle(std::find(walk.begin(), walk.end(), p), walk.end());
            std::rotate(cycle.begin(), std::min_element(cycle.begin(), cycle.end()), cycle.end());
            found(cycle);
        }
        for (ProcessId q : walk)
            color[q] = 2;
    }
}

// A get, put or flush on a queue: what a queue cycle is made of.
bool queue_transfer(const Blocked& b) {
    return b.type == Blocked::Type::Multi && words::is_queue(b.object->kind) && queue_side(b.wait->op) <= 1;
}

Step hold_step(const Index& ix, ProcessId process, const ObjectInfo& lock) {
    Step s;
    s.process = ix.ref(process);
    s.relation = Relation::Holds;
    s.object = ix.ref(lock);
    s.units = lock.kind == "RLock" ? std::max<std::uint32_t>(lock.depth, 1) : 1;
    return s;
}

struct Search {
    const Index& ix;
    std::vector<Blocked> blocked;        // candidate waits, by process id
    std::map<ProcessId, std::size_t> at; // process -> index in blocked (stuck ones only)
    std::map<ProcessId, ProcessId> next; // single-releaser edge to another stuck process
    std::vector<Diagnosis> out;
    std::map<ProcessId, std::size_t> root; // stuck process -> diagnosis that explains it at the root

    const Blocked& of(ProcessId p) const { return blocked[at.at(p)]; }

    void stuck_set(double now, double min_age) {
        for (const ProcessInfo& p : ix.snapshot().processes)
            if (auto b = blocked_wait(ix, p, now, min_age)) blocked.push_back(*b);
        std::sort(blocked.begin(), blocked.end(),
                  [](const Blocked& a, const Blocked& b) { return a.process->id < b.process->id; });
        std::vector<std::vector<ProcessId>> rel;
        std::set<ProcessId> stuck;
        for (const Blocked& b : blocked) {
            rel.push_back(releasers(ix, b, blocked));
            stuck.insert(b.process->id);
        }
        // Greatest fixed point: drop whoever a live process outside the set can still release.
        for (bool changed = true; changed;) {
            changed = false;
            for (std::size_t i = 0; i < blocked.size(); ++i) {
                const ProcessId p = blocked[i].process->id;
                if (!stuck.count(p)) continue;
                for (ProcessId r : rel[i])
                    if (ix.alive(r) && !stuck.count(r)) {
                        stuck.erase(p);
                        changed = true;
                        break;
                    }
            }
        }
        std::erase_if(blocked, [&](const Blocked& b) { return !stuck.count(b.process->id); });
        for (std::size_t i = 0; i < blocked.size(); ++i)
            at[blocked[i].process->id] = i;
        for (const Blocked& b : blocked) {
            const ProcessId p = b.process->id;
            if (b.type == Blocked::Type::Join && at.count(b.wait->target)) next[p] = b.wait->target;
            if (b.type == Blocked::Type::Lock && b.object->owner && at.count(*b.object->owner))
                next[p] = *b.object->owner;
        }
    }

    void cycles() {
        std::vector<ProcessId> starts;
        for (const Blocked& b : blocked)
            starts.push_back(b.process->id);
        for_each_cycle(starts, next, [&](const std::vector<ProcessId>& cycle) { add_cycle(cycle); });
    }

    // Stuck queue transfers each of which only one other process could serve, that one being stuck in
    // a transfer too: full queues each read only by the next process, empty ones each fed only by it.
    // Processes stuck joining do not count as servers: they act only once their join returns.
    void queue_cycles() {
        std::map<ProcessId, ProcessId> partner;
        std::vector<ProcessId> starts;
        for (const Blocked& b : blocked) {
            if (root.count(b.process->id) || !queue_transfer(b)) continue;
            std::vector<ProcessId> servers;
            for (ProcessId r : releasers(ix, b, blocked))
                if (ix.alive(r) && (!at.count(r) || of(r).type != Blocked::Type::Join)) servers.push_back(r);
            if (servers.size() != 1 || !at.count(servers[0]) || root.count(servers[0]) ||
                !queue_transfer(of(servers[0])))
                continue;
            partner[b.process->id] = servers[0];
            starts.push_back(b.process->id);
        }
        for_each_cycle(starts, partner, [&](const std::vector<ProcessId>& cycle) {
            Diagnosis d;
            d.kind = DiagnosisKind::QueueCycle;
            for (ProcessId p : cycle) {
                d.steps.push_back(wait_step(ix, of(p)));
                d.processes.push_back(p);
                d.objects.push_back(of(p).object->id);
            }
            add_root(std::move(d));
        });
    }

    void add_cycle(const std::vector<ProcessId>& cycle) {
        Diagnosis d;
        bool locks = false;
        for (std::size_t i = 0; i < cycle.size(); ++i) {
            const Blocked& prev = of(cycle[(i + cycle.size() - 1) % cycle.size()]);
            const Blocked& self = of(cycle[i]);
            if (prev.type == Blocked::Type::Lock) d.steps.push_back(hold_step(ix, cycle[i], *prev.object));
            d.steps.push_back(wait_step(ix, self));
            d.processes.push_back(cycle[i]);
            if (self.type == Blocked::Type::Lock) {
                d.objects.push_back(self.object->id);
                locks = true;
            }
        }
        d.kind = locks ? DiagnosisKind::LockCycle : DiagnosisKind::JoinChain;
        add_root(std::move(d));
    }

    void add_root(Diagnosis d) {
        for (ProcessId p : d.processes)
            root.emplace(p, out.size());
        out.push_back(std::move(d));
    }

    void dead_holders() {
        std::map<ObjectId, std::vector<const Blocked*>> by_lock;
        for (const Blocked& b : blocked)
            if (b.type == Blocked::Type::Lock && !next.count(b.process->id))
                by_lock[b.object->id].push_back(&b);
        for (const auto& [id, waiters] : by_lock) {
            Diagnosis d;
            d.kind = DiagnosisKind::DeadHolder;
            const ObjectInfo& lock = *waiters.front()->object;
            d.objects.push_back(id);
            for (const Blocked* b : waiters) {
                d.steps.push_back(wait_step(ix, *b));
                d.processes.push_back(b->process->id);
            }
            if (lock.owner) d.gone.push_back(ix.ref(*lock.owner));
            add_root(std::move(d));
        }
    }

    void unsatisfiable() {
        std::map<ObjectId, std::vector<const Blocked*>> by_object;
        for (const Blocked& b : blocked)
            if (b.type == Blocked::Type::Multi && !root.count(b.process->id))
                by_object[b.object->id].push_back(&b);
        for (const auto& entry : by_object) {
            const ObjectId id = entry.first;
            const std::vector<const Blocked*>& waiters = entry.second; // a lambda below captures it
            Diagnosis d;
            d.kind = DiagnosisKind::Unsatisfiable;
            d.objects.push_back(id);
            std::set<ProcessId> waiting, others;
            for (const Blocked* b : waiters) {
                d.steps.push_back(wait_step(ix, *b));
                d.processes.push_back(b->process->id);
                waiting.insert(b->process->id);
            }
            for (const Blocked* b : waiters)
                for (ProcessId r : releasers(ix, *b, blocked))
                    if (!waiting.count(r)) others.insert(r);
            auto feeding = [&](ProcessId p) {
                return std::any_of(waiters.begin(), waiters.end(), [&](const Blocked* b) {
                    return b->process->id == p && words::is_feeding(b->wait->op);
                });
            };
            for (ProcessId r : others) {
                if (at.count(r)) {
                    const Blocked& rb = of(r);
                    d.steps.push_back(wait_step(ix, rb));
                    d.processes.push_back(r);
                    // The joiner could drain the queue the joined process is stuck feeding.
                    if (words::is_queue(waiters.front()->object->kind) && rb.type == Blocked::Type::Join &&
                        feeding(rb.wait->target))
                        d.kind = DiagnosisKind::JoinBeforeDrain;
                } else if (!ix.alive(r)) {
                    d.gone.push_back(ix.ref(r));
                }
            }
            add_root(std::move(d));
        }
    }

    // Stuck processes not yet explained wait, through joins and lock waits, for one that is.
    void chains() {
        std::set<ProcessId> has_pred;
        for (const auto& [p, q] : next)
            if (!root.count(p)) has_pred.insert(q);
        for (const Blocked& b : blocked) {
            const ProcessId head = b.process->id;
            if (root.count(head) || has_pred.count(head)) continue;
            Diagnosis d;
            bool joins = false;
            ProcessId p = head;
            for (; !root.count(p); p = next.at(p)) {
                const Blocked& link = of(p);
                d.steps.push_back(wait_step(ix, link));
                d.processes.push_back(p);
                if (link.type == Blocked::Type::Join)
                    joins = true;
                else
                    d.objects.push_back(link.object->id);
            }
            const Blocked& last = of(p);
            d.steps.push_back(wait_step(ix, last));
            d.processes.push_back(p);
            if (last.object) d.objects.push_back(last.object->id);
            d.kind = joins ? DiagnosisKind::JoinChain : DiagnosisKind::LockChain;
            d.cause = root.at(p);
            // Nothing to add when the cause already names every process of the chain.
            const auto& named = out[*d.cause].processes;
            if (std::all_of(d.processes.begin(), d.processes.end(), [&](ProcessId q) {
                    return std::find(named.begin(), named.end(), q) != named.end();
                }))
                continue;
            out.push_back(std::move(d));
        }
    }
};

} // namespace

std::vector<Diagnosis> find_deadlocks(const Snapshot& snapshot, double min_wait_age) {
    const Index ix(snapshot);
    Search search{ix, {}, {}, {}, {}, {}};
    search.stuck_set(snapshot.time, min_wait_age);
    search.cycles();
    search.dead_holders();
    search.queue_cycles();
    search.unsatisfiable();
    search.chains();
    return std::move(search.out);
}

std::vector<Diagnosis> find_recoveries(const Snapshot& snapshot) {
    const Index ix(snapshot);
    std::vector<Diagnosis> out;
    for (const ObjectInfo& o : snapshot.objects) {
        if (!words::is_lock(o.kind) || !o.recovered_from) continue;
        Diagnosis d;
        d.kind = DiagnosisKind::Recovered;
        d.objects.push_back(o.id);
        Step dead = hold_step(ix, *o.recovered_from, o);
        if (o.recovered_from_pid > 0) dead.process.pid = o.recovered_from_pid;
        d.gone.push_back(dead.process);
        d.processes.push_back(*o.recovered_from);
        d.steps.push_back(std::move(dead));
        if (o.owner) d.steps.push_back(hold_step(ix, *o.owner, o));
        out.push_back(std::move(d));
    }
    return out;
}

// ---- wait-for graph ------------------------------------------------------------------------------------

std::optional<std::size_t> WaitGraph::process_node(ProcessId id) const noexcept {
    for (std::size_t i = 0; i < nodes.size(); ++i)
        if (nodes[i].kind == GraphNode::Kind::Process && nodes[i].id == id) return i;
    return std::nullopt;
}

std::optional<std::size_t> WaitGraph::object_node(ObjectId id) const noexcept {
    for (std::size_t i = 0; i < nodes.size(); ++i)
        if (nodes[i].kind == GraphNode::Kind::Object && nodes[i].id == id) return i;
    return std::nullopt;
}

WaitGraph build_wait_graph(const Snapshot& snapshot, const std::vector<Diagnosis>& diagnoses) {
    const Index ix(snapshot);
    WaitGraph g;
    std::map<ProcessId, std::size_t> pnode;
    std::map<ObjectId, std::size_t> onode;
    auto process_node = [&](ProcessId id) {
        if (auto it = pnode.find(id); it != pnode.end()) return it->second;
        const ProcessRef r = ix.ref(id);
        GraphNode n;
        n.kind = GraphNode::Kind::Process;
        n.id = id;
        n.label = r.name;
        n.detail = (r.pid > 0 ? "pid " + std::to_string(r.pid) + ", " : std::string()) + to_string(r.state);
        n.alive = r.state == ProcessState::Starting || r.state == ProcessState::Running;
        g.nodes.push_back(std::move(n));
        return pnode[id] = g.nodes.size() - 1;
    };
    auto object_node = [&](const ObjectInfo& o) {
        if (auto it = onode.find(o.id); it != onode.end()) return it->second;
        GraphNode n;
        n.kind = GraphNode::Kind::Object;
        n.id = o.id;
        n.label = o.name;
        n.detail = o.kind;
        g.nodes.push_back(std::move(n));
        return onode[o.id] = g.nodes.size() - 1;
    };
    for (const ProcessInfo& p : snapshot.processes)
        process_node(p.id);
    for (const ObjectInfo& o : snapshot.objects)
        if (!o.internal) object_node(o);

    for (const ProcessInfo& p : snapshot.processes) {
        for (const Wait& w : p.waits) {
            GraphEdge e;
            e.from = pnode.at(p.id);
            e.op = w.op;
            e.thread = w.thread;
            e.main_thread = &w == p.main_wait();
            e.timed = w.deadline.has_value();
            e.age = snapshot.time - w.since;
            if (w.op == "join") {
                e.kind = GraphEdge::Kind::Joins;
                e.to = process_node(w.target);
            } else if (const ObjectInfo* o = ix.object(w.object)) {
                e.kind = GraphEdge::Kind::Waits;
                e.to = object_node(*o);
            } else {
                continue;
            }
            g.edges.push_back(std::move(e));
        }
    }
    for (const ObjectInfo& o : snapshot.objects) {
        auto held = [&](ProcessId holder, std::uint32_t units) {
            GraphEdge e;
            e.kind = GraphEdge::Kind::HeldBy;
            e.from = object_node(o);
            e.to = process_node(holder);
            e.units = units;
            g.edges.push_back(std::move(e));
        };
        if (words::is_lock(o.kind) && o.owner)
            held(*o.owner, o.kind == "RLock" ? std::max<std::uint32_t>(o.depth, 1) : 1);
        if (words::is_semaphore(o.kind))
            for (const Holder& h : o.holders)
                held(h.process, h.units);
    }

    // Mark what the diagnoses name, edge by edge from their steps.
    auto mark_edge = [&](GraphEdge::Kind kind, std::size_t from, std::size_t to) {
        for (GraphEdge& e : g.edges)
            if (e.kind == kind && e.from == from && e.to == to &&
                (kind == GraphEdge::Kind::HeldBy || e.main_thread))
                e.deadlocked = true;
    };
    for (const Diagnosis& d : diagnoses) {
        if (!d.deadlock()) continue;
        for (ProcessId p : d.processes)
            g.nodes[process_node(p)].deadlocked = true;
        for (ObjectId id : d.objects)
            if (const ObjectInfo* o = ix.object(id)) g.nodes[object_node(*o)].deadlocked = true;
        for (const Step& s : d.steps) {
            const std::size_t p = process_node(s.process.id);
            const ObjectInfo* o = ix.object(s.object.id);
            if (s.relation == Relation::Joins)
                mark_edge(GraphEdge::Kind::Joins, p, process_node(s.target.id));
            else if (o && s.relation == Relation::Holds)
                mark_edge(GraphEdge::Kind::HeldBy, object_node(*o), p);
            else if (o)
                mark_edge(GraphEdge::Kind::Waits, p, object_node(*o));
        }
        if (d.kind == DiagnosisKind::DeadHolder && !d.gone.empty()) {
            const std::size_t dead = process_node(d.gone.front().id);
            g.nodes[dead].deadlocked = true;
            for (ObjectId id : d.objects)
                if (const ObjectInfo* o = ix.object(id))
                    mark_edge(GraphEdge::Kind::HeldBy, object_node(*o), dead);
        }
    }
    return g;
}

WaitGraph build_wait_graph(const Snapshot& snapshot) {
    return build_wait_graph(snapshot, find_deadlocks(snapshot));
}

} // namespace mp::scope
