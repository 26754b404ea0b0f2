#include "words.hpp"

#include <QLocale>

#include <algorithm>
#include <charconv>
#include <csignal>
#include <cstring>
#include <vector>

namespace mpui {

using mp::scope::Diagnosis;
using mp::scope::DiagnosisKind;
using mp::scope::ObjectInfo;
using mp::scope::ProcessInfo;
using mp::scope::ProcessRef;
using mp::scope::ProcessState;
using mp::scope::Relation;
using mp::scope::Snapshot;
using mp::scope::Step;

QString format(const QString& pattern, std::initializer_list<QString> args) {
    const std::vector<QString> values(args);
    QString out;
    out.reserve(pattern.size() + 32);
    for (qsizetype i = 0; i < pattern.size(); ++i) {
        const QChar c = pattern[i];
        if (c == u'%' && i + 1 < pattern.size() && pattern[i + 1] >= u'1' && pattern[i + 1] <= u'9') {
            const auto n = static_cast<std::size_t>(pattern[i + 1].unicode() - u'1');
            if (n < values.size()) {
                out += values[n];
                ++i;
                continue;
            }
        }
        out += c;
    }
    return out;
}

int busyWorkers(const ObjectInfo& pool) {
    return static_cast<int>(std::count_if(pool.workers.begin(), pool.workers.end(),
                                          [](const auto& w) { return w.state == "working"; }));
}

namespace {

QString str(const std::string& s) {
    return QString::fromStdString(s);
}

// "n thing" / "n things": English needs both, Chinese uses one form for both.
QString counted(std::uint64_t n, const QString& one, const QString& many) {
    return format(n == 1 ? one : many, {QString::number(n)});
}

QString signalName(int sig) {
    const char* abbrev = sigabbrev_np(sig);
    return abbrev ? QStringLiteral("SIG") + QString::fromLatin1(abbrev) : QString();
}

QString phrase(const Step& s) {
    if (s.relation == Relation::Joins) return format(Words::tr("joins %1"), {str(s.target.name)});
    if (s.relation == Relation::Holds) return format(Words::tr("holds %1"), {str(s.object.name)});
    return Words::waitPhrase(s.op, s.object.kind, str(s.object.name));
}

QString withPid(const ProcessRef& p) {
    if (p.pid <= 0) return str(p.name);
    return format(Words::tr("%1 (pid %2)"), {str(p.name), QString::number(p.pid)});
}

// Several things one process does: "holds fork-0 and waits for fork-1".
QString actions(const QStringList& parts) {
    QString out;
    for (qsizetype i = 0; i < parts.size(); ++i) {
        if (i > 0)
            out += i + 1 == parts.size() ? Words::tr(" and ", "between the last two things one process does")
                                         : Words::tr(", ", "between things one process does");
        out += parts[i];
    }
    return out;
}

QStringList names(const std::vector<const Step*>& steps) {
    QStringList out;
    for (const Step* s : steps)
        out << str(s->process.name);
    return out;
}

std::vector<std::vector<const Step*>> byProcess(const std::vector<Step>& steps) {
    std::vector<std::vector<const Step*>> groups;
    for (const Step& s : steps) {
        if (groups.empty() || groups.back().front()->process.id != s.process.id) groups.emplace_back();
        groups.back().push_back(&s);
    }
    return groups;
}

// "A holds x and waits for y, held by B, which waits for z, held by A." `closing`: the chain is a cycle,
// so its last wait is on the first process again.
QString chainText(const std::vector<Step>& steps, bool closing) {
    const auto groups = byProcess(steps);
    QString out;
    for (std::size_t i = 0; i < groups.size(); ++i) {
        const auto& g = groups[i];
        if (i == 0) {
            QStringList parts;
            for (const Step* s : g)
                parts << phrase(*s);
            out = format(Words::tr("%1 %2", "a process and what it does"),
                         {str(g.front()->process.name), actions(parts)});
        } else {
            out += format(Words::tr(", which %2", "%1 is the process, which English leaves out"),
                          {str(g.back()->process.name), phrase(*g.back())});
        }
        const Step& last = *g.back();
        const bool hasNext = i + 1 < groups.size() || closing;
        if (last.relation == Relation::WaitsFor && isLockKind(last.object.kind) && hasNext) {
            const auto& next = i + 1 < groups.size() ? groups[i + 1] : groups.front();
            out += format(Words::tr(", held by %1"), {str(next.front()->process.name)});
        }
    }
    return out + Words::tr(".", "end of a sentence");
}

QString doing(const Step& s) {
    return format(Words::tr("%1 %2", "a process and what it does"), {str(s.process.name), phrase(s)});
}

// The clauses after the waiters of an unsatisfiable wait: the other blocked processes (but those in
// `skip`, already told) and the ended ones.
QStringList otherClauses(const Diagnosis& d, std::size_t firstOther,
                         const std::vector<const Step*>& skip = {}) {
    QStringList clauses;
    for (std::size_t i = firstOther; i < d.steps.size(); ++i)
        if (std::find(skip.begin(), skip.end(), &d.steps[i]) == skip.end()) clauses << doing(d.steps[i]);
    for (const ProcessRef& g : d.gone)
        clauses << format(Words::tr("%1 %2", "a process and what it does"),
                          {str(g.name), Words::ended(g.state, g.exitcode)});
    return clauses;
}

QString othersText(const Diagnosis& d, std::size_t firstOther) {
    return otherClauses(d, firstOther).join(Words::tr("; ", "between clauses"));
}

bool isFeeding(const std::string& op) {
    return op == "put" || op == "feeder_flush";
}

// "which only MainProcess reads" / "which only Process-2 and Process-3 put on": who alone could end a wait
// of `op` on `queue`. %2, the queue, is for languages that name it again.
QString onlyServing(const QStringList& names, const std::string& op, const QString& queue) {
    const bool one = names.size() == 1;
    if (op == "get")
        return format(one ? Words::tr("which only %1 puts on") : Words::tr("which only %1 put on"),
                      {Words::list(names), queue});
    return format(one ? Words::tr("which only %1 reads") : Words::tr("which only %1 read"),
                  {Words::list(names), queue});
}

// A wait on a queue, with the bytes a feeder still has to flush when they are known.
QString queueWaitPhrase(const Step& s) {
    if (s.op == "feeder_flush" && s.bytes > 0)
        return format(Words::tr("waits for its feeder to flush %1 bytes into %2"),
                      {QString::number(s.bytes), str(s.object.name)});
    return phrase(s);
}

// "MainProcess joins worker, which cannot exit until its feeder flushes 196625 bytes into results, which
// only MainProcess reads." - mp::scope's wording, clause by clause; then what else the diagnosis knows.
QString joinBeforeDrainText(const Diagnosis& d, const Step& join, const Step& feeding,
                            std::size_t firstReader) {
    QString blocked;
    if (feeding.op == "feeder_flush")
        blocked = feeding.bytes > 0
                      ? format(Words::tr("cannot exit until its feeder flushes %1 bytes into %2"),
                               {QString::number(feeding.bytes), str(feeding.object.name)})
                      : format(Words::tr("cannot exit until its feeder flushes what it put into %1"),
                               {str(feeding.object.name)});
    else
        blocked = phrase(feeding);
    QStringList readers;
    for (std::size_t i = firstReader; i < d.steps.size(); ++i)
        readers << str(d.steps[i].process.name);
    QString out = format(Words::tr("%1 joins %2, which %3, %4", "%4: who alone reads the queue"),
                         {str(join.process.name), str(join.target.name), blocked,
                          onlyServing(readers, feeding.op, str(feeding.object.name))});
    QStringList rest;
    for (std::size_t i = 0; i < firstReader; ++i)
        if (&d.steps[i] != &feeding) rest << doing(d.steps[i]);
    rest << otherClauses(d, firstReader, {&join, &feeding});
    for (const QString& clause : rest)
        out += Words::tr("; ", "between clauses") + clause;
    return out + Words::tr(".", "end of a sentence");
}

QString holderName(const Snapshot& snap, mp::scope::ProcessId id) {
    const ProcessInfo* p = snap.process(id);
    if (!p) return format(Words::tr("process #%1 (gone)"), {QString::number(id)});
    if (p->alive()) return str(p->name);
    return format(Words::tr("%1 (pid %2, %3)"),
                  {str(p->name), QString::number(p->pid), Words::ended(p->state, p->exitcode)});
}

QString valuesText(const ObjectInfo& o) {
    constexpr std::size_t shown = 8;
    QStringList items;
    for (std::size_t i = 0; i < o.data.size() && i < shown; ++i)
        items << Words::number(o.data[i]);
    if (o.data.size() > shown) items << QStringLiteral("…");
    return items.join(QStringLiteral(", "));
}

} // namespace

QString Words::stateName(VisualState state) {
    switch (state) {
    case VisualState::Starting:
        return tr("starting");
    case VisualState::Running:
        return tr("running");
    case VisualState::Blocked:
        return tr("blocked");
    case VisualState::Parked:
        return tr("parked");
    case VisualState::Exited:
        return tr("exited");
    case VisualState::Died:
        return tr("died");
    }
    return {};
}

QString Words::processState(const ProcessInfo& p) {
    if (p.state == ProcessState::Killed) {
        const QString sig = signalName(-p.exitcode.value_or(0));
        return sig.isEmpty() ? tr("killed") : format(tr("killed by %1"), {sig});
    }
    if (p.state == ProcessState::Vanished) return tr("vanished");
    return stateName(visualState(p));
}

QString Words::exitCode(const ProcessInfo& p) {
    if (!p.exitcode) return {};
    const int code = *p.exitcode;
    if (code < 0) {
        const QString sig = signalName(-code);
        if (!sig.isEmpty()) return QStringLiteral("%1 (%2)").arg(code).arg(sig);
    }
    return QString::number(code);
}

QString Words::blockedOn(const Snapshot& snap, const ProcessInfo& p) {
    auto what = [&](const std::string& op, mp::scope::ObjectId object, mp::scope::ProcessId target) {
        if (op == "join") return format(tr("join %1"), {processName(snap, target)});
        if (!object) return str(op);
        return QStringLiteral("%1 %2").arg(str(op), objectName(snap, object));
    };
    if (p.parked) return format(tr("parked before %1"), {what(p.parked->op, p.parked->object, 0)});
    const mp::scope::Wait* shown = p.main_wait();
    int others = 0;
    for (const auto& w : p.waits) {
        if (w.internal) continue;
        if (!shown) shown = &w;
        if (&w != shown) ++others;
    }
    if (!shown) return {};
    QString out = what(shown->op, shown->object, shown->target);
    if (others > 0) out = format(tr("%1 (+%2 threads)"), {out, QString::number(others)});
    return out;
}

QString Words::waitPhrase(const std::string& op, const std::string& kind, const QString& object,
                          const QString& joined) {
    if (op == "join") return format(tr("joins %1"), {joined});
    if (op == "acquire")
        return format(isLockKind(kind) ? tr("waits for %1") : tr("waits to acquire %1"), {object});
    if (op == "wait") return format(tr("waits on condition %1"), {object});
    if (op == "event_wait") return format(tr("waits for event %1"), {object});
    if (op == "barrier_wait") return format(tr("waits at barrier %1"), {object});
    if (op == "get") return format(tr("waits to get from %1"), {object});
    if (op == "put") return format(tr("waits to put on %1"), {object});
    if (op == "feeder_flush") return format(tr("waits for its feeder to flush %1"), {object});
    if (op == "queue_join") return format(tr("waits for the tasks of %1 to be done"), {object});
    return format(tr("waits in %1 on %2"), {str(op), object});
}

QString Words::waitText(const Snapshot& snap, const mp::scope::Wait& w) {
    QString out;
    if (w.op == "join") {
        out = waitPhrase(w.op, {}, {}, processName(snap, w.target));
        if (const ProcessInfo* t = snap.process(w.target))
            out = format(tr("%1 (pid %2)"), {out, QString::number(t->pid)});
    } else if (const ObjectInfo* o = snap.object(w.object)) {
        const ObjectInfo* lock = o;
        if (w.op == "acquire" && !isLockKind(o->kind) && o->lock) lock = snap.object(o->lock);
        const QString what = waitPhrase(w.op, lock ? lock->kind : o->kind, str(o->name));
        if (lock && isLockKind(lock->kind) && w.op == "acquire")
            out = lock->owner ? format(tr("%1 (%2, held by %3)"),
                                       {what, str(o->kind), holderName(snap, *lock->owner)})
                              : format(tr("%1 (%2, free)"), {what, str(o->kind)});
        else
            out = format(tr("%1 (%2)"), {what, str(o->kind)});
    } else {
        out = waitPhrase(w.op, {}, objectName(snap, w.object));
    }
    out = format(tr("%1 for %2"), {out, seconds(snap.time - w.since)});
    if (w.deadline) out = format(tr("%1, timeout in %2"), {out, seconds(*w.deadline - snap.time)});
    return out;
}

QString Words::ended(ProcessState state, const std::optional<int>& exitcode) {
    switch (state) {
    case ProcessState::Starting:
        return tr("is starting");
    case ProcessState::Running:
        return tr("is running");
    case ProcessState::Exited:
        return format(tr("exited with code %1"), {QString::number(exitcode.value_or(0))});
    case ProcessState::Killed: {
        const int sig = -exitcode.value_or(0);
        const QString name = signalName(sig);
        if (!name.isEmpty()) return format(tr("was killed by signal %1 (%2)"), {QString::number(sig), name});
        return format(tr("was killed by signal %1"), {QString::number(sig)});
    }
    case ProcessState::Vanished:
        break;
    }
    return tr("vanished without a recorded exit");
}

QString Words::objectState(const Snapshot& snap, const ObjectInfo& o) {
    QStringList parts;
    if (isLockKind(o.kind)) {
        if (o.owner) {
            QString held = format(tr("held by %1"), {holderName(snap, *o.owner)});
            if (o.owner_thread > 1)
                held = format(tr("%1 (thread %2)"), {held, QString::number(o.owner_thread)});
            if (o.kind == "RLock") held = format(tr("%1, depth %2"), {held, QString::number(o.depth)});
            parts << held;
        } else {
            parts << tr("free");
        }
    } else if (isSemaphoreKind(o.kind)) {
        parts << (o.kind == "BoundedSemaphore"
                      ? format(tr("value %1 of %2"), {QString::number(o.value), QString::number(o.maxvalue)})
                      : format(tr("value %1"), {QString::number(o.value)}));
        QStringList holders;
        for (const auto& h : o.holders)
            holders << (h.units > 1 ? QStringLiteral("%1 ×%2").arg(processName(snap, h.process)).arg(h.units)
                                    : processName(snap, h.process));
        if (!holders.isEmpty()) {
            QString who = list(holders);
            if (!o.holders_complete) who = format(tr("%1 and others"), {who});
            parts << format(tr("units held by %1"), {who});
        }
    } else if (o.kind == "Condition") {
        if (o.lock) parts << format(tr("lock %1"), {objectName(snap, o.lock)});
        parts << format(tr("%1 sleeping"), {QString::number(o.sleepers)});
    } else if (o.kind == "Event") {
        parts << (o.flag ? tr("set") : tr("not set"));
    } else if (o.kind == "Barrier") {
        if (o.barrier_state == "filling" || o.barrier_state.empty()) {
            parts << format(tr("%1 of %2 parties waiting"),
                            {QString::number(o.n_waiting), QString::number(o.parties)});
        } else {
            const QString state = o.barrier_state == "draining"    ? tr("draining")
                                  : o.barrier_state == "resetting" ? tr("resetting")
                                                                   : tr("broken");
            parts << format(tr("%1, %2 parties"), {state, QString::number(o.parties)});
        }
        parts << format(tr("generation %1"), {QString::number(o.generation)});
    } else if (isSharedMemoryKind(o.kind)) {
        const QString type = o.typecode == 'T' ? format(tr("struct (%1)"), {str(o.fields)})
                                               : QStringLiteral("'%1'").arg(QChar::fromLatin1(o.typecode));
        if (o.kind == "Value" && o.typecode != 'T')
            parts << QStringLiteral("%1 = %2").arg(type, valuesText(o));
        else
            parts << QStringLiteral("%1 × %2: [%3]").arg(type).arg(o.length).arg(valuesText(o));
        parts << (o.lock ? format(tr("lock %1"), {objectName(snap, o.lock)}) : tr("no lock"));
    } else if (isQueueKind(o.kind)) {
        parts << format(tr("%1, %2 of %3"), {counted(o.items, tr("%1 item"), tr("%1 items")),
                                             bytes(o.used_bytes), bytes(o.capacity_bytes)});
        if (o.maxsize) parts << format(tr("maxsize %1"), {QString::number(o.maxsize)});
        if (o.kind == "JoinableQueue")
            parts << counted(o.unfinished, tr("%1 unfinished task"), tr("%1 unfinished tasks"));
        QStringList backlog;
        for (const auto& f : o.feeders) {
            if (f.items == 0 && !f.flushing) continue;
            QString entry =
                format(tr("%1: %2 (%3)"), {processName(snap, f.process),
                                           counted(f.items, tr("%1 item"), tr("%1 items")), bytes(f.bytes)});
            if (f.flushing) entry = format(tr("%1, waiting for room"), {entry});
            backlog << entry;
        }
        if (!backlog.isEmpty())
            parts << format(tr("feeder backlog: %1"), {backlog.join(tr("; ", "between clauses"))});
    } else if (o.kind == "Pool") {
        parts << format(tr("%1, %2 of %3 workers working"),
                        {str(o.pool_state), QString::number(busyWorkers(o)), QString::number(o.pool_size)});
        if (o.tasks_queued) parts << counted(o.tasks_queued, tr("%1 task queued"), tr("%1 tasks queued"));
        parts << format(tr("%1 completed"), {QString::number(o.tasks_completed)});
        if (o.tasks_lost) parts << format(tr("%1 lost with their worker"), {QString::number(o.tasks_lost)});
        if (o.workers_replaced)
            parts << counted(o.workers_replaced, tr("%1 worker replaced"), tr("%1 workers replaced"));
    }
    if (o.waiters) parts << counted(o.waiters, tr("%1 waiter"), tr("%1 waiters"));
    if (o.recovered_from)
        parts << format(tr("recovered from %1 (pid %2), which died holding it"),
                        {processName(snap, *o.recovered_from), QString::number(o.recovered_from_pid)});
    return parts.join(tr("; ", "between clauses"));
}

QString Words::objectBrief(const ObjectInfo& o) {
    if (isLockKind(o.kind)) {
        if (!o.owner) return tr("free");
        return o.kind == "RLock" && o.depth > 1 ? format(tr("held, depth %1"), {QString::number(o.depth)})
                                                : tr("held");
    }
    if (isSemaphoreKind(o.kind))
        return o.kind == "BoundedSemaphore"
                   ? format(tr("value %1 of %2"), {QString::number(o.value), QString::number(o.maxvalue)})
                   : format(tr("value %1"), {QString::number(o.value)});
    if (o.kind == "Condition") return format(tr("%1 sleeping"), {QString::number(o.sleepers)});
    if (o.kind == "Event") return o.flag ? tr("set") : tr("not set");
    if (o.kind == "Barrier")
        return format(tr("%1 of %2 parties waiting"),
                      {QString::number(o.n_waiting), QString::number(o.parties)});
    if (isSharedMemoryKind(o.kind)) {
        if (o.kind == "Value" && o.typecode != 'T' && !o.data.empty())
            return QStringLiteral("= ") + number(o.data[0]);
        return QStringLiteral("'%1' × %2").arg(QChar::fromLatin1(o.typecode)).arg(o.length);
    }
    if (isQueueKind(o.kind)) return counted(o.items, tr("%1 item"), tr("%1 items"));
    if (o.kind == "Pool")
        return format(tr("%1 of %2 working"),
                      {QString::number(busyWorkers(o)), QString::number(o.pool_size)});
    return {};
}

QString Words::diagnosisTitle(DiagnosisKind kind) {
    switch (kind) {
    case DiagnosisKind::LockCycle:
        return tr("Lock cycle");
    case DiagnosisKind::DeadHolder:
        return tr("Lock held by a dead process");
    case DiagnosisKind::JoinChain:
        return tr("Join of a stuck process");
    case DiagnosisKind::LockChain:
        return tr("Lock held by a stuck process");
    case DiagnosisKind::Unsatisfiable:
        return tr("Unsatisfiable wait");
    case DiagnosisKind::JoinBeforeDrain:
        return tr("Join before draining a queue");
    case DiagnosisKind::QueueCycle:
        return tr("Queue cycle");
    case DiagnosisKind::Recovered:
        return tr("Lock recovered from a dead holder");
    }
    return QString::fromUtf8(mp::scope::title(kind));
}

QString Words::diagnosisText(const Diagnosis& d) {
    if (d.steps.empty()) return diagnosisTitle(d.kind);
    const QString end = tr(".", "end of a sentence");
    switch (d.kind) {
    case DiagnosisKind::LockCycle: {
        const Step& last = d.steps.back();
        if (d.processes.size() == 1 && last.relation == Relation::WaitsFor)
            return format(tr("%1 %2, which it already holds (a %3 is not re-entrant)."),
                          {str(last.process.name), phrase(last), str(last.object.kind)});
        return chainText(d.steps, true);
    }
    case DiagnosisKind::JoinChain:
    case DiagnosisKind::LockChain:
        return chainText(d.steps, d.steps.front().relation == Relation::Joins &&
                                      d.steps.back().relation == Relation::Joins &&
                                      d.steps.back().target.id == d.steps.front().process.id);
    case DiagnosisKind::DeadHolder: {
        std::vector<const Step*> waits;
        for (const Step& s : d.steps)
            waits.push_back(&s);
        const QString out = format(waits.size() == 1 ? tr("%1 waits for %2") : tr("%1 wait for %2"),
                                   {list(names(waits)), str(d.steps.front().object.name)});
        if (d.gone.empty()) return out + tr(", whose holder is gone.");
        return out + format(tr(", held by %1, which %2."),
                            {withPid(d.gone.front()), ended(d.gone.front().state, d.gone.front().exitcode)});
    }
    case DiagnosisKind::Unsatisfiable:
    case DiagnosisKind::JoinBeforeDrain: {
        const auto& object = d.steps.front().object;
        std::vector<const Step*> waits;
        for (const Step& s : d.steps)
            if (s.relation == Relation::WaitsFor && s.object.id == object.id) waits.push_back(&s);
        if (d.kind == DiagnosisKind::JoinBeforeDrain)
            for (const Step& s : d.steps)
                if (s.relation == Relation::Joins)
                    for (const Step* w : waits)
                        if (w->process.id == s.target.id && isFeeding(w->op))
                            return joinBeforeDrainText(d, s, *w, waits.size());
        const QString others = othersText(d, waits.size());
        const bool one = waits.size() == 1;
        const QString who = list(names(waits));
        if (others.isEmpty())
            return format(one ? tr("%1 (%2) can never be satisfied: %3 waits on it, and nobody else uses it.")
                              : tr("%1 (%2) can never be satisfied: %3 wait on it, and nobody else uses it."),
                          {str(object.name), str(object.kind), who});
        return format(
            one ? tr("%1 (%2) can never be satisfied: %3 waits on it, and every other process that "
                     "could help is blocked or gone: %4.")
                : tr("%1 (%2) can never be satisfied: %3 wait on it, and every other process that could "
                     "help is blocked or gone: %4."),
            {str(object.name), str(object.kind), who, others});
    }
    case DiagnosisKind::QueueCycle: {
        // "Process-1 waits to put on Queue-1, which only Process-2 reads; Process-2 waits to put on
        // Queue-2, which only Process-1 reads."
        QStringList clauses;
        for (std::size_t i = 0; i < d.steps.size(); ++i) {
            const Step& s = d.steps[i];
            const Step& next = d.steps[(i + 1) % d.steps.size()];
            clauses << format(tr("%1 %2, %3", "a process, its wait on a queue, and who alone could end it"),
                              {str(s.process.name), queueWaitPhrase(s),
                               onlyServing({str(next.process.name)}, s.op, str(s.object.name))});
        }
        return clauses.join(tr("; ", "between clauses")) + end;
    }
    case DiagnosisKind::Recovered: {
        QString out = format(tr("%1 died holding %2; the next acquirer recovered it"),
                             {withPid(d.steps.front().process), str(d.steps.front().object.name)});
        if (d.steps.size() > 1)
            out += format(tr(", and it is now held by %1"), {str(d.steps[1].process.name)});
        return out + end;
    }
    }
    return diagnosisTitle(d.kind);
}

QString Words::list(const QStringList& items) {
    QString out;
    for (qsizetype i = 0; i < items.size(); ++i) {
        if (i > 0)
            out += i + 1 == items.size() ? tr(" and ", "before the last name of a list")
                                         : tr(", ", "between names of a list");
        out += items[i];
    }
    return out;
}

QString Words::seconds(double s, int decimals) {
    return format(tr("%1 s"), {QString::number(std::max(s, 0.0), 'f', decimals)});
}

QString Words::bytes(std::uint64_t n) {
    return QLocale().formattedDataSize(static_cast<qint64>(n), n < 1024 ? 0 : 1);
}

QString Words::number(double v) {
    char buf[32];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
    return ec == std::errc{} ? QString::fromLatin1(buf, end - buf) : QStringLiteral("?");
}

QString Words::processName(const Snapshot& snap, mp::scope::ProcessId id) {
    if (const ProcessInfo* p = snap.process(id)) return str(p->name);
    return format(tr("process #%1"), {QString::number(id)});
}

QString Words::objectName(const Snapshot& snap, mp::scope::ObjectId id) {
    if (const ObjectInfo* o = snap.object(id)) return str(o->name);
    return format(tr("object #%1"), {QString::number(id)});
}

} // namespace mpui
