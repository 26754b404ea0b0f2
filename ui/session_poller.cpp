#include "session_poller.hpp"

#include "synthetic_session.hpp"

#include <mp/scope/session.hpp>

#include <QTimer>

#include <deque>
#include <optional>

namespace mpui {

namespace {
// Events kept for the GUI while it is busy; older ones are counted as dropped.
constexpr std::size_t kMaxPendingEvents = 200000;
} // namespace

class PollWorker : public QObject {
    Q_OBJECT
public:
    PollWorker(std::shared_ptr<std::atomic<bool>> inFlight, SessionPoller* poller)
        : inFlight_(std::move(inFlight))
        , poller_(poller) {}

    // In the worker's thread: the timers must be started there.
    void start(int interval) {
        timer_.setTimerType(Qt::PreciseTimer);
        connect(&timer_, &QTimer::timeout, this, &PollWorker::tick);
        connect(&listTimer_, &QTimer::timeout, this, &PollWorker::list);
        timer_.start(interval);
    }

    void attach(const QString& nameOrPid) {
        detach();
        try {
            session_.emplace(mp::scope::Session::attach(nameOrPid.toStdString(), {.inspect = true}));
        } catch (const std::exception& e) {
            emit poller_->attachFailed(QString::fromUtf8(e.what()));
            return;
        }
        next_ = session_->event_head();
        dropped_ = 0;
        ended_ = false;
        builder_ = FrameBuilder();
        emit poller_->attached(QString::fromStdString(session_->name()));
        tick();
    }

    void attachSynthetic(int processes, int objects, int eventsPerSecond) {
        detach();
        synthetic_.emplace(processes, objects);
        syntheticEvents_ = eventsPerSecond;
        dropped_ = 0;
        builder_ = FrameBuilder();
        emit poller_->attached(QString::fromStdString(synthetic_->snapshot().session.name));
    }

    void detach() {
        session_.reset();
        synthetic_.reset();
        pending_.clear();
        inFlight_->store(false);
    }

    void setInterval(int ms) { timer_.setInterval(ms); }
    void setListInterval(double seconds) {
        if (seconds <= 0) {
            listTimer_.stop();
            return;
        }
        listTimer_.start(static_cast<int>(seconds * 1000));
        list();
    }

    void setStepMode(bool on) {
        control([&] { session_->set_step_mode(on); });
    }
    void release(quint32 process) {
        control([&] { session_->release(process); });
    }

private:
    template <class F> void control(F f) {
        if (!session_) return;
        try {
            f();
        } catch (const std::exception& e) {
            emit poller_->controlFailed(QString::fromUtf8(e.what()));
        }
    }

    void drainEvents() {
        for (int round = 0; round < 64; ++round) {
            mp::scope::Events batch = session_->events_since(next_, 8192);
            dropped_ += batch.dropped;
            next_ = batch.next;
            pending_.insert(pending_.end(), std::make_move_iterator(batch.events.begin()),
                            std::make_move_iterator(batch.events.end()));
            if (batch.events.size() < 8192) break;
        }
        boundPending();
    }

    void boundPending() {
        if (pending_.size() <= kMaxPendingEvents) return;
        const std::size_t excess = pending_.size() - kMaxPendingEvents;
        pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(excess));
        dropped_ += excess;
    }

    void tickSynthetic() {
        // The made-up session moves on whether or not the GUI keeps up, as a real one does.
        const double dt = timer_.interval() / 1000.0;
        synthetic_->step(dt, static_cast<int>(syntheticEvents_ * dt));
        for (auto& e : synthetic_->takeEvents())
            pending_.push_back(std::move(e));
        boundPending();
        if (inFlight_->load()) return;
        std::vector<mp::scope::Event> events(std::make_move_iterator(pending_.begin()),
                                             std::make_move_iterator(pending_.end()));
        pending_.clear();
        FramePtr frame = builder_.build(synthetic_->snapshot(), std::move(events), dropped_, true);
        inFlight_->store(true);
        emit poller_->frameReady(frame);
    }

    void tick() {
        if (synthetic_) {
            tickSynthetic();
            return;
        }
        if (!session_ || ended_) return;
        try {
            drainEvents();
            if (inFlight_->load()) return; // the GUI has not taken the last frame yet
            const bool alive = session_->alive();
            mp::scope::Snapshot snap = session_->snapshot();
            drainEvents(); // what happened while the snapshot was taken belongs to it
            std::vector<mp::scope::Event> events(std::make_move_iterator(pending_.begin()),
                                                 std::make_move_iterator(pending_.end()));
            pending_.clear();
            FramePtr frame = builder_.build(std::move(snap), std::move(events), dropped_, alive);
            inFlight_->store(true);
            emit poller_->frameReady(frame);
            if (!alive) {
                ended_ = true;
                emit poller_->sessionEnded();
            }
        } catch (const std::exception& e) {
            emit poller_->controlFailed(QString::fromUtf8(e.what()));
        }
    }

    void list() {
        try {
            emit poller_->sessionsListed(mp::scope::Session::list());
        } catch (const std::exception& e) {
            emit poller_->controlFailed(QString::fromUtf8(e.what()));
        }
    }

    std::shared_ptr<std::atomic<bool>> inFlight_;
    SessionPoller* poller_;
    QTimer timer_{this}; // children, so that they move to the worker's thread with it
    QTimer listTimer_{this};
    std::optional<mp::scope::Session> session_;
    std::optional<SyntheticSession> synthetic_;
    int syntheticEvents_ = 0;
    std::uint64_t next_ = 0;
    std::uint64_t dropped_ = 0;
    bool ended_ = false;
    std::deque<mp::scope::Event> pending_;
    FrameBuilder builder_;
};

SessionPoller::SessionPoller(QObject* parent)
    : QObject(parent)
    , inFlight_(std::make_shared<std::atomic<bool>>(false)) {
    qRegisterMetaType<mpui::FramePtr>();
    qRegisterMetaType<std::vector<mp::scope::SessionInfo>>();
    thread_.setObjectName(QStringLiteral("mpscope poller"));
    auto worker = std::make_unique<PollWorker>(inFlight_, this);
    worker->moveToThread(&thread_);
    worker_ = worker.release(); // owned by the thread from now on: deleted on its finished()
    connect(&thread_, &QThread::finished, worker_, &QObject::deleteLater);
    thread_.start();
    QMetaObject::invokeMethod(worker_, [w = worker_, ms = interval_] { w->start(ms); });
}

SessionPoller::~SessionPoller() {
    thread_.quit();
    thread_.wait();
}

void SessionPoller::attach(const QString& nameOrPid) {
    QMetaObject::invokeMethod(worker_, [w = worker_, nameOrPid] { w->attach(nameOrPid); });
}

void SessionPoller::attachSynthetic(int processes, int objects, int eventsPerSecond) {
    QMetaObject::invokeMethod(worker_, [w = worker_, processes, objects, eventsPerSecond] {
        w->attachSynthetic(processes, objects, eventsPerSecond);
    });
}

void SessionPoller::detach() {
    QMetaObject::invokeMethod(worker_, [w = worker_] { w->detach(); });
}

void SessionPoller::setInterval(int ms) {
    interval_ = ms;
    QMetaObject::invokeMethod(worker_, [w = worker_, ms] { w->setInterval(ms); });
}

void SessionPoller::setListInterval(double seconds) {
    QMetaObject::invokeMethod(worker_, [w = worker_, seconds] { w->setListInterval(seconds); });
}

void SessionPoller::setStepMode(bool on) {
    QMetaObject::invokeMethod(worker_, [w = worker_, on] { w->setStepMode(on); });
}

void SessionPoller::release(quint32 process) {
    QMetaObject::invokeMethod(worker_, [w = worker_, process] { w->release(process); });
}

void SessionPoller::frameConsumed() {
    inFlight_->store(false);
}

} // namespace mpui

#include "session_poller.moc"
