#pragma once
// Hand-built snapshots and frames for the ui tests, and the main() they share: offscreen, so that widgets
// work without a display.
#include "frame.hpp"

#include <mp/scope/snapshot.hpp>

#include <QAbstractItemModel>
#include <QApplication>
#include <QSignalSpy>
#include <QTest>

#include <string>

namespace ui_test {

inline mp::scope::ProcessInfo process(mp::scope::ProcessId id, mp::scope::ProcessId parent, std::string name,
                                      int pid = 0) {
    mp::scope::ProcessInfo p;
    p.id = id;
    p.parent = parent;
    p.name = std::move(name);
    p.pid = pid ? pid : 1000 + static_cast<int>(id);
    p.main = parent == 0;
    p.start_method = p.main ? "" : "fork";
    p.state = mp::scope::ProcessState::Running;
    return p;
}

inline mp::scope::ObjectInfo object(mp::scope::ObjectId id, std::string kind, std::string name) {
    mp::scope::ObjectInfo o;
    o.id = id;
    o.kind = std::move(kind);
    o.name = std::move(name);
    o.creator = 1;
    o.value = 1;
    return o;
}

inline mp::scope::Wait wait(std::string op, mp::scope::ObjectId object, double since,
                            mp::scope::ProcessId target = 0) {
    mp::scope::Wait w;
    w.thread = 1;
    w.main_thread = true;
    w.op = std::move(op);
    w.object = object;
    w.target = target;
    w.since = since;
    return w;
}

// Dining philosophers, deadlocked for `age` seconds: MainProcess (1) joins philosopher-0; philosopher-i
// (2 + i) holds fork-i (object 1 + i) and waits for fork-(i+1); the barrier all-seated (object 1 + n) is
// idle.
inline mp::scope::Snapshot diningPhilosophers(int n = 5, double age = 3) {
    mp::scope::Snapshot s;
    s.session.name = "mpscope-test-dining";
    s.session.alive = true;
    s.time = 10;
    auto main = process(1, 0, "MainProcess");
    main.waits.push_back(wait("join", 0, s.time - age, 2));
    s.processes.push_back(main);
    for (int i = 0; i < n; ++i) {
        auto p = process(static_cast<mp::scope::ProcessId>(2 + i), 1, "philosopher-" + std::to_string(i));
        p.waits.push_back(wait("acquire", static_cast<mp::scope::ObjectId>(1 + (i + 1) % n), s.time - age));
        s.processes.push_back(p);
    }
    for (int i = 0; i < n; ++i) {
        auto fork = object(static_cast<mp::scope::ObjectId>(1 + i), "Lock", "fork-" + std::to_string(i));
        fork.owner = static_cast<mp::scope::ProcessId>(2 + i);
        fork.owner_thread = 1;
        fork.value = 0;
        fork.holders = {{fork.owner.value(), 1}};
        fork.waiters = 1;
        s.objects.push_back(fork);
    }
    auto barrier = object(static_cast<mp::scope::ObjectId>(1 + n), "Barrier", "all-seated");
    barrier.parties = static_cast<std::uint32_t>(n);
    barrier.barrier_state = "filling";
    barrier.generation = 1;
    s.objects.push_back(barrier);
    return s;
}

inline mpui::FramePtr frame(mp::scope::Snapshot snapshot, std::vector<mp::scope::Event> events = {}) {
    static mpui::FrameBuilder builder;
    return builder.build(std::move(snapshot), std::move(events), 0, true);
}

// The structural signals of a model: a diff-updated one changes, inserts and removes rows, never resets.
struct ModelSpies {
    explicit ModelSpies(QAbstractItemModel* model)
        : reset(model, &QAbstractItemModel::modelReset)
        , changed(model, &QAbstractItemModel::dataChanged)
        , inserted(model, &QAbstractItemModel::rowsInserted)
        , removed(model, &QAbstractItemModel::rowsRemoved) {}
    QSignalSpy reset, changed, inserted, removed;
};

} // namespace ui_test

// QTEST_MAIN for widget tests, on the offscreen platform unless the environment names another.
#define MPUI_QTEST_MAIN(TestObject)                                                                          \
    int main(int argc, char** argv) {                                                                        \
        if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");         \
        QApplication app(argc, argv);                                                                        \
        app.setAttribute(Qt::AA_Use96Dpi, true);                                                             \
        TestObject tc;                                                                                       \
        QTEST_SET_MAIN_SOURCE_PATH                                                                           \
        return QTest::qExec(&tc, argc, argv);                                                                \
    }
