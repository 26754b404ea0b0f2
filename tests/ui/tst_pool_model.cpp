// PoolModel: one row per worker slot of every Pool, diff-updated under QAbstractItemModelTester - rows
// inserted and removed as pools and workers come and go, changed in place when a worker is replaced, never
// reset - with the time bars on one scale and each pool summed up in a line.
#include "language.hpp"
#include "pool_model.hpp"
#include "ui_test_support.hpp"

#include <QAbstractItemModelTester>
#include <QRegularExpression>

#include <algorithm>

using mpui::PoolModel;

namespace {

mp::scope::PoolWorkerInfo worker(mp::scope::ProcessId process, std::string state, std::uint64_t done,
                                 double startup, double waiting, double working, std::string task = {}) {
    mp::scope::PoolWorkerInfo w;
    w.process = process;
    w.pid = 2000 + static_cast<int>(process);
    w.state = std::move(state);
    w.generation = 1;
    w.tasks_done = done;
    w.task = std::move(task);
    w.startup = startup;
    w.waiting = waiting;
    w.working = working;
    return w;
}

mp::scope::ObjectInfo pool(mp::scope::ObjectId id, std::string name,
                           std::vector<mp::scope::PoolWorkerInfo> workers) {
    auto o = ui_test::object(id, "Pool", std::move(name));
    o.pool_state = "RUN";
    o.pool_size = static_cast<std::uint32_t>(workers.size());
    o.workers = std::move(workers);
    return o;
}

// Pool-1 with two workers: one working on square (job 3, chunk 5), one idle.
mp::scope::Snapshot withPool() {
    mp::scope::Snapshot s;
    s.session.name = "mpscope-test-pool";
    s.processes.push_back(ui_test::process(1, 0, "MainProcess"));
    s.processes.push_back(ui_test::process(2, 1, "SpawnPoolWorker-1"));
    s.processes.push_back(ui_test::process(3, 1, "SpawnPoolWorker-2"));
    auto p = pool(1, "Pool-1",
                  {worker(2, "working", 4, 0.1, 0.5, 1.4, "square"), worker(3, "idle", 3, 0.2, 1.0, 0.8)});
    p.workers[0].job = 3;
    p.workers[0].index = 5;
    p.tasks_queued = 3;
    p.tasks_completed = 7;
    p.results_outstanding = 1;
    s.objects.push_back(p);
    // Not a pool: no rows.
    s.objects.push_back(ui_test::object(2, "Queue", "Queue-1"));
    return s;
}

QStringList column(const PoolModel& model, int c, int role = Qt::DisplayRole) {
    QStringList out;
    for (int r = 0; r < model.rowCount(); ++r)
        out << model.index(r, c).data(role).toString();
    return out;
}

} // namespace

class TestPoolModel : public QObject {
    Q_OBJECT
private slots:
    void init() { QVERIFY(mpui::setLanguage("en")); }

    void workersAndTimes() {
        PoolModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(model.columnCount(), int(PoolModel::ColumnCount));
        QCOMPARE(model.headerData(PoolModel::TasksDone, Qt::Horizontal).toString(),
                 QStringLiteral("Tasks done"));
        model.setFrame(ui_test::frame(withPool()));
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(column(model, PoolModel::Pool), QStringList({"Pool-1", "Pool-1"}));
        QCOMPARE(column(model, PoolModel::Worker), QStringList({"#0", "#1"}));
        QCOMPARE(model.index(0, PoolModel::Pid).data().toInt(), 2002);
        QCOMPARE(column(model, PoolModel::State), QStringList({"working", "waiting for a task"}));
        QCOMPARE(column(model, PoolModel::Task), QStringList({"square", ""}));
        QCOMPARE(model.index(0, PoolModel::Task).data(Qt::ToolTipRole).toString(),
                 QStringLiteral("square: job 3, chunk 5"));
        QCOMPARE(model.index(1, PoolModel::TasksDone).data().toULongLong(), 3ull);
        QCOMPARE(model.index(0, PoolModel::Times).data().toString(),
                 QStringLiteral("start-up 0.10 s, waiting 0.50 s, working 1.40 s"));
        QCOMPARE(model.index(1, PoolModel::Pid).data(PoolModel::ProcessIdRole).toUInt(), 3u);
        QCOMPARE(model.index(1, PoolModel::Pid).data(PoolModel::PoolIdRole).toUInt(), 1u);
        // One scale for every bar: the longest row's total.
        QCOMPARE(model.index(0, PoolModel::Times).data(PoolModel::LongestRole).toDouble(), 2.0);
        QCOMPARE(model.index(1, PoolModel::Times).data(PoolModel::LongestRole).toDouble(), 2.0);
        QCOMPARE(model.index(1, PoolModel::Times).data(PoolModel::StartupRole).toDouble(), 0.2);
        QCOMPARE(model.index(1, PoolModel::Times).data(PoolModel::WaitingRole).toDouble(), 1.0);
        QCOMPARE(model.index(1, PoolModel::Times).data(PoolModel::WorkingRole).toDouble(), 0.8);
        QCOMPARE(model.summaries(),
                 QStringList{"Pool-1: RUN, 2 workers, 3 queued, 7 completed, 0 lost, 1 outstanding"});
        QCOMPARE(model.indexOfProcess(3).row(), 1);
        QVERIFY(!model.indexOfProcess(0).isValid()); // a worker still starting has no process yet
        QVERIFY(!model.indexOfProcess(99).isValid());
    }

    void workersComeAndGo() {
        PoolModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        ui_test::ModelSpies spies(&model);
        auto snap = withPool();
        model.setFrame(ui_test::frame(snap));
        QCOMPARE(spies.inserted.count(), 2);

        // The same frame again changes nothing.
        spies.changed.clear();
        model.setFrame(ui_test::frame(snap));
        QCOMPARE(spies.changed.count(), 0);

        // Worker #1 is killed and replaced in its slot: the row changes in place, and says whom it replaced.
        // A second pool starts with one worker still starting (no process yet).
        snap.objects[0].workers[1] = worker(4, "starting", 0, 0.05, 0, 0);
        snap.objects[0].workers[1].generation = 2;
        snap.objects[0].workers[1].last_exitcode = -9;
        snap.objects[0].tasks_lost = 1;
        auto second = pool(3, "Pool-2", {worker(5, "idle", 0, 0.1, 0.1, 0)});
        second.workers[0].process = 0;
        snap.objects.push_back(second);
        model.setFrame(ui_test::frame(snap));
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(spies.inserted.count(), 3);
        QCOMPARE(spies.removed.count(), 0);
        QCOMPARE(column(model, PoolModel::Pool), QStringList({"Pool-1", "Pool-1", "Pool-2"}));
        QCOMPARE(model.index(1, PoolModel::Worker).data().toString(), QStringLiteral("#1 (replaced 1×)"));
        QCOMPARE(model.index(1, PoolModel::Worker).data(Qt::ToolTipRole).toString(),
                 QStringLiteral("Replaces a worker that was killed by signal 9 (SIGKILL)."));
        QCOMPARE(model.index(1, PoolModel::State).data().toString(), QStringLiteral("starting"));
        QCOMPARE(model.index(2, PoolModel::Pid).data(PoolModel::ProcessIdRole).toUInt(), 0u);
        QCOMPARE(model.summaries(),
                 QStringList({"Pool-1: RUN, 2 workers, 3 queued, 7 completed, 1 lost, 1 outstanding",
                              "Pool-2: RUN, 1 worker, 0 queued, 0 completed, 0 lost, 0 outstanding"}));

        // Pool-2 grows to three workers, listed before Pool-1 this time: rows stay in (pool, slot) order and
        // only the new ones are inserted, each where it belongs.
        snap.objects.back().workers.push_back(worker(6, "idle", 0, 0.1, 0, 0));
        snap.objects.back().workers.push_back(worker(7, "working", 0, 0.1, 0, 0.2, "cube"));
        std::swap(snap.objects.front(), snap.objects.back());
        const int insertedBefore = spies.inserted.count();
        model.setFrame(ui_test::frame(snap));
        QCOMPARE(model.rowCount(), 5);
        QCOMPARE(spies.inserted.count(), insertedBefore + 2);
        QCOMPARE(column(model, PoolModel::Pool),
                 QStringList({"Pool-1", "Pool-1", "Pool-2", "Pool-2", "Pool-2"}));
        QCOMPARE(column(model, PoolModel::Worker), QStringList({"#0", "#1 (replaced 1×)", "#0", "#1", "#2"}));
        QCOMPARE(model.indexOfProcess(7).row(), 4);

        // Pool-1 ends: its two rows go, one at a time, and Pool-2's stay.
        snap.objects.erase(std::find_if(snap.objects.begin(), snap.objects.end(),
                                        [](const auto& o) { return o.name == "Pool-1"; }));
        model.setFrame(ui_test::frame(snap));
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(spies.removed.count(), 2);
        QCOMPARE(column(model, PoolModel::Pool), QStringList({"Pool-2", "Pool-2", "Pool-2"}));
        QCOMPARE(model.indexOfProcess(7).row(), 2);

        // Then Pool-2 shrinks (its last worker went), and a detach clears the lot.
        snap.objects.front().workers.pop_back();
        model.setFrame(ui_test::frame(snap));
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(spies.removed.count(), 3);
        QCOMPARE(spies.reset.count(), 0);
        model.clear();
        QCOMPARE(model.rowCount(), 0);
        QVERIFY(model.summaries().isEmpty());
    }

    void barsShareOneScale() {
        PoolModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        auto snap = withPool();
        model.setFrame(ui_test::frame(snap));
        ui_test::ModelSpies spies(&model);
        // Only worker #1's time changes, but it is now the longest: every row's bar is drawn again.
        snap.objects[0].workers[1].working = 3.8;
        model.setFrame(ui_test::frame(snap));
        QCOMPARE(model.index(0, PoolModel::Times).data(PoolModel::LongestRole).toDouble(), 5.0);
        QCOMPARE(spies.changed.count(), 2);
        QCOMPARE(spies.inserted.count() + spies.removed.count() + spies.reset.count(), 0);
    }

    void speaksChinese() {
        PoolModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setFrame(ui_test::frame(withPool()));
        ui_test::ModelSpies spies(&model);
        QSignalSpy headers(&model, &QAbstractItemModel::headerDataChanged);
        QVERIFY(mpui::setLanguage("zh_CN"));
        model.retranslate();
        QCOMPARE(headers.count(), 1);
        QCOMPARE(spies.changed.count(), 1);
        const QRegularExpression han(QStringLiteral("\\p{Han}"));
        for (int c = 0; c < model.columnCount(); ++c)
            if (c != PoolModel::Pid)
                QVERIFY2(model.headerData(c, Qt::Horizontal).toString().contains(han),
                         qPrintable(model.headerData(c, Qt::Horizontal).toString()));
        for (const QString& text :
             column(model, PoolModel::State) + column(model, PoolModel::Times) +
                 QStringList{model.index(0, PoolModel::Task).data(Qt::ToolTipRole).toString()} +
                 model.summaries())
            QVERIFY2(text.contains(han), qPrintable(text));
    }
};

MPUI_QTEST_MAIN(TestPoolModel)
#include "tst_pool_model.moc"
