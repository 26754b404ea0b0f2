#pragma once
// Reads a session off the GUI thread: a worker thread attaches to the arena, takes a snapshot and the new
// events at a steady rate, runs the deadlock analysis and the graph layout, and hands the GUI one Frame at a
// time. While the GUI is still busy with the last frame, the worker only keeps collecting events, so a slow
// GUI sees fewer, fuller frames instead of a growing queue.
#include "frame.hpp"

#include <mp/scope/snapshot.hpp>

#include <QObject>
#include <QString>
#include <QThread>

#include <atomic>
#include <memory>
#include <vector>

namespace mpui {

class PollWorker;

class SessionPoller : public QObject {
    Q_OBJECT
public:
    explicit SessionPoller(QObject* parent = nullptr);
    ~SessionPoller() override;

    // A session name (mpscope-<pid>-<random>) or the pid of one of its processes. Detaches first.
    void attach(const QString& nameOrPid);
    // A made-up session (SyntheticSession) of `processes` and `objects` that changes on every read and
    // records `eventsPerSecond` events: the refresh benchmark's load, and a way to try the views without a
    // program.
    void attachSynthetic(int processes, int objects, int eventsPerSecond = 10000);
    void detach();
    // Milliseconds between reads (default 33: 30 refreshes a second).
    void setInterval(int ms);
    int interval() const { return interval_; }
    // Seconds between scans of /dev/shm for sessions (sessionsListed); 0 stops scanning.
    void setListInterval(double seconds);

    void setStepMode(bool on);
    void release(quint32 process);

    // The GUI is done with the last frame it got: the next one may come.
    void frameConsumed();

signals:
    void attached(const QString& session);
    void attachFailed(const QString& error);
    void frameReady(const mpui::FramePtr& frame);
    // No process of the session runs any more; the last frame stays valid.
    void sessionEnded();
    void sessionsListed(const std::vector<mp::scope::SessionInfo>& sessions);
    void controlFailed(const QString& error);

private:
    QThread thread_;
    PollWorker* worker_ = nullptr; // lives in thread_, deleted when it finishes
    std::shared_ptr<std::atomic<bool>> inFlight_;
    int interval_ = 33;
};

} // namespace mpui

Q_DECLARE_METATYPE(std::vector<mp::scope::SessionInfo>)
