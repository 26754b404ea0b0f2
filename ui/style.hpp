#pragma once
// How the inspector shows things: the visual state of a process and its colour, object kinds' icons, and
// one colour per process (the writer marks of the heat map, chart lines).
#include <mp/scope/snapshot.hpp>

#include <QColor>
#include <QIcon>
#include <QString>

namespace mpui {

enum class VisualState {
    Starting,
    Running,
    Blocked, // a thread of user code waits (library threads such as queue feeders do not count)
    Parked,  // held at a gate in step mode
    Exited,
    Died, // killed by a signal, or vanished
};

VisualState visualState(const mp::scope::ProcessInfo& process);
// The colour of a state: the same in the graph, the process tree and the legend.
QColor stateColour(VisualState state);
// A pale tint of the state colour for fills.
QColor stateFill(VisualState state);
QColor deadlockColour();
// A distinct, stable colour per process (by its serial).
QColor processColour(quint32 process);

// The colour family of an object kind (locks amber, queues green ...): outline and, pale, fill.
QColor kindColour(const std::string& kind);
QColor kindFill(const std::string& kind);

// ":/icons/kinds/<kind>.svg" for Lock, RLock, Semaphore, BoundedSemaphore, Condition, Event, Barrier,
// Value, Array, Queue, SimpleQueue, JoinableQueue, Pool, Manager; a generic icon for anything else.
QIcon kindIcon(const QString& kind);
QIcon processIcon();
// A small filled circle of `colour`, for state markers in item views.
QIcon dotIcon(const QColor& colour);

bool isLockKind(const std::string& kind);
bool isSemaphoreKind(const std::string& kind);
bool isQueueKind(const std::string& kind);
bool isSharedMemoryKind(const std::string& kind);

} // namespace mpui
