#pragma once
// Every sentence the inspector builds from session data, through tr(): process states, waits, object
// states and the deadlock diagnosis. The English wording of a diagnosis is the one mp::scope's
// Diagnosis::text() uses; here it is rebuilt from the diagnosis's structured steps so that it can be
// translated phrase by phrase.
#include "style.hpp"

#include <mp/scope/analysis.hpp>
#include <mp/scope/snapshot.hpp>

#include <QCoreApplication>
#include <QString>
#include <QStringList>

#include <initializer_list>
#include <optional>

namespace mpui {

// `pattern` with %1 ... %9 replaced by args[0] ... args[8]. Unlike QString::arg, a placeholder a
// translation leaves out does not shift the others.
QString format(const QString& pattern, std::initializer_list<QString> args);

// The workers of a pool that are running a task.
int busyWorkers(const mp::scope::ObjectInfo& pool);

class Words {
    Q_DECLARE_TR_FUNCTIONS(Words)
public:
    static QString stateName(VisualState state);
    // The state column: "running", "blocked", "exited", "killed by SIGTERM" ...
    static QString processState(const mp::scope::ProcessInfo& process);
    // "0", "-15 (SIGTERM)", "" while it runs.
    static QString exitCode(const mp::scope::ProcessInfo& process);
    // What the process waits on, briefly: "acquire fork-1", "join philosopher-0", "parked: acquire fork-1".
    static QString blockedOn(const mp::scope::Snapshot& snapshot, const mp::scope::ProcessInfo& process);
    // A wait in full: "waits for fork-1 (Lock, held by philosopher-1) for 3.1 s".
    static QString waitText(const mp::scope::Snapshot& snapshot, const mp::scope::Wait& wait);
    // "waits for fork-1", "waits at barrier B", "joins Process-2".
    static QString waitPhrase(const std::string& op, const std::string& kind, const QString& object,
                              const QString& joined = {});
    // "exited with code 1", "was killed by signal 9 (SIGKILL)".
    static QString ended(mp::scope::ProcessState state, const std::optional<int>& exitcode);

    // An object's live state: "held by Process-1", "value 2 of 3", "3 items, 1.2 KiB of 64 KiB" ...
    static QString objectState(const mp::scope::Snapshot& snapshot, const mp::scope::ObjectInfo& object);
    // The same in a few words, for a graph node: "held", "value 2 of 3", "3 items", "= 3.14".
    static QString objectBrief(const mp::scope::ObjectInfo& object);

    static QString diagnosisTitle(mp::scope::DiagnosisKind kind);
    // One sentence: "philosopher-0 holds fork-0 and waits for fork-1, held by philosopher-1, ...".
    static QString diagnosisText(const mp::scope::Diagnosis& diagnosis);

    // "a", "a and b", "a, b and c".
    static QString list(const QStringList& items);
    static QString seconds(double s, int decimals = 1);
    static QString bytes(std::uint64_t n);
    // Shortest text that reads back as the same number.
    static QString number(double v);
    static QString processName(const mp::scope::Snapshot& snapshot, mp::scope::ProcessId id);
    static QString objectName(const mp::scope::Snapshot& snapshot, mp::scope::ObjectId id);
};

} // namespace mpui
