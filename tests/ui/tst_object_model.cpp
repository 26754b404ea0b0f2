// ObjectModel: every non-internal object with its live state, diff-updated, under QAbstractItemModelTester.
#include "object_model.hpp"
#include "synthetic_session.hpp"
#include "ui_test_support.hpp"

#include <QAbstractItemModelTester>
#include <QSignalSpy>

using mpui::ObjectModel;

namespace {

int rowOfName(const ObjectModel& model, const QString& name) {
    for (int r = 0; r < model.rowCount(); ++r)
        if (model.index(r, ObjectModel::Name).data().toString() == name) return r;
    return -1;
}

} // namespace

class TestObjectModel : public QObject {
    Q_OBJECT
private slots:
    void statesInWords() {
        ObjectModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        mp::scope::Snapshot snap = ui_test::diningPhilosophers(3);
        auto queue = ui_test::object(10, "Queue", "jobs");
        queue.items = 3;
        queue.maxsize = 8;
        queue.used_bytes = 300;
        queue.capacity_bytes = 65536;
        queue.feeders = {{2, 5, 500, true, false}};
        snap.objects.push_back(queue);
        auto sem = ui_test::object(11, "BoundedSemaphore", "slots");
        sem.value = 1;
        sem.maxvalue = 3;
        sem.holders = {{2, 2}};
        sem.waiters = 1;
        snap.objects.push_back(sem);
        auto internal = ui_test::object(12, "Lock", "jobs.rlock");
        internal.internal = true;
        snap.objects.push_back(internal);
        model.setFrame(ui_test::frame(snap));

        QCOMPARE(model.rowCount(),
                 6); // 3 forks, the barrier, the queue, the semaphore; not the internal lock
        const int fork = rowOfName(model, "fork-1");
        QCOMPARE(model.index(fork, ObjectModel::Kind).data().toString(), QStringLiteral("Lock"));
        QCOMPARE(model.index(fork, ObjectModel::State).data().toString(),
                 QStringLiteral("held by philosopher-1; 1 waiter"));
        QCOMPARE(model.index(fork, ObjectModel::Level).data(ObjectModel::LevelRole).toDouble(), 1.0);
        QVERIFY(model.index(fork, 0).data(ObjectModel::DeadlockedRole).toBool());

        const int barrier = rowOfName(model, "all-seated");
        QCOMPARE(model.index(barrier, ObjectModel::State).data().toString(),
                 QStringLiteral("0 of 3 parties waiting; generation 1"));
        QVERIFY(!model.index(barrier, 0).data(ObjectModel::DeadlockedRole).toBool());

        // A queue: fill against its capacity, and its feeder backlog.
        const int q = rowOfName(model, "jobs");
        QCOMPARE(model.index(q, ObjectModel::Level).data().toString(), QStringLiteral("3 / 8"));
        QCOMPARE(model.index(q, ObjectModel::Level).data(ObjectModel::LevelRole).toDouble(), 3.0 / 8);
        QVERIFY(model.index(q, ObjectModel::Level).data(ObjectModel::BacklogRole).toDouble() > 0);
        const QString qs = model.index(q, ObjectModel::State).data().toString();
        QVERIFY2(qs.startsWith(QStringLiteral("3 items, 300 bytes of 64.0 KiB; maxsize 8; feeder backlog: "
                                              "philosopher-0: 5 items (500 bytes), waiting for room")),
                 qPrintable(qs));

        // A semaphore: value and waiters.
        const int s = rowOfName(model, "slots");
        QCOMPARE(model.index(s, ObjectModel::State).data().toString(),
                 QStringLiteral("value 1 of 3; units held by philosopher-0 ×2; 1 waiter"));
        QCOMPARE(model.index(s, ObjectModel::Level).data().toString(), QStringLiteral("1 / 3"));
        QCOMPARE(model.index(s, ObjectModel::Waiters).data().toUInt(), 1u);
        QCOMPARE(model.index(s, ObjectModel::Creator).data().toString(), QStringLiteral("MainProcess"));
    }

    void diffsNeverReset() {
        ObjectModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        mp::scope::Snapshot snap = ui_test::diningPhilosophers(4);
        model.setFrame(ui_test::frame(snap));
        ui_test::ModelSpies spies(&model);
        auto& [reset, changed, inserted, removed] = spies;

        model.setFrame(ui_test::frame(snap));
        QCOMPARE(changed.count(), 0);

        // Two adjacent forks change: one signal for the run of rows.
        snap.objects[1].ops = 7;
        snap.objects[2].ops = 9;
        model.setFrame(ui_test::frame(snap));
        QCOMPARE(changed.count(), 1);
        QCOMPARE(changed.first().at(0).value<QModelIndex>().row(), 1);
        QCOMPARE(changed.first().at(1).value<QModelIndex>().row(), 2);

        // fork-1 is freed (a row goes), a new Event arrives after it (a row comes), and one with a smaller id
        // than the last (a reused id never happens, but order by id must hold).
        snap.objects.erase(snap.objects.begin() + 1);
        snap.objects.push_back(ui_test::object(20, "Event", "go"));
        model.setFrame(ui_test::frame(snap));
        QCOMPARE(removed.count(), 1);
        QCOMPARE(inserted.count(), 1);
        QCOMPARE(model.index(model.rowCount() - 1, 0).data().toString(), QStringLiteral("go"));
        QCOMPARE(model.indexOf(20).row(), model.rowCount() - 1);
        QVERIFY(!model.indexOf(2).isValid());
        snap.objects.push_back(ui_test::object(15, "Value", "x"));
        model.setFrame(ui_test::frame(snap));
        QCOMPARE(model.indexOf(15).row(), model.rowCount() - 2);
        QCOMPARE(reset.count(), 0);
    }

    void syntheticChurn() {
        ObjectModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        mpui::SyntheticSession session(8, 60, 5);
        session.setChurn(true);
        mpui::FrameBuilder builder;
        for (int i = 0; i < 80; ++i) {
            session.step(0.033, 0);
            model.setFrame(builder.build(session.snapshot(), {}, 0, true));
        }
        const auto& objects = session.snapshot().objects;
        QCOMPARE(model.rowCount(), static_cast<int>(objects.size()));
        for (int r = 0; r < model.rowCount(); ++r) {
            const auto& o = objects[static_cast<std::size_t>(r)];
            QCOMPARE(model.index(r, 0).data(ObjectModel::ObjectIdRole).toUInt(), o.id);
            QCOMPARE(model.index(r, ObjectModel::Operations).data().toULongLong(), o.ops);
        }
    }
};

MPUI_QTEST_MAIN(TestObjectModel)
#include "tst_object_model.moc"
