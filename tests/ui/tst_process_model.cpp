// ProcessModel: a tree by parent, updated by diffs (inserts, removals, changes; never a reset) - checked by
// QAbstractItemModelTester on every step.
#include "process_model.hpp"
#include "synthetic_session.hpp"
#include "ui_test_support.hpp"

#include <QAbstractItemModelTester>
#include <QSignalSpy>

using mpui::ProcessModel;

class TestProcessModel : public QObject {
    Q_OBJECT
private slots:
    void treeByParent() {
        ProcessModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        const mp::scope::Snapshot snap = ui_test::diningPhilosophers(3);
        model.setFrame(ui_test::frame(snap));
        QCOMPARE(model.rowCount(), 1);
        const QModelIndex main = model.index(0, 0);
        QCOMPARE(main.data().toString(), QStringLiteral("MainProcess"));
        QCOMPARE(model.rowCount(main), 3);
        const QModelIndex p1 = model.index(1, 0, main);
        QCOMPARE(p1.data().toString(), QStringLiteral("philosopher-1"));
        QCOMPARE(p1.siblingAtColumn(ProcessModel::Pid).data().toInt(), 1003);
        QCOMPARE(p1.siblingAtColumn(ProcessModel::Method).data().toString(), QStringLiteral("fork"));
        QCOMPARE(p1.siblingAtColumn(ProcessModel::State).data().toString(), QStringLiteral("blocked"));
        QCOMPARE(p1.siblingAtColumn(ProcessModel::BlockedOn).data().toString(),
                 QStringLiteral("acquire fork-2"));
        QCOMPARE(main.siblingAtColumn(ProcessModel::BlockedOn).data().toString(),
                 QStringLiteral("join philosopher-0"));
        QVERIFY(p1.data(ProcessModel::DeadlockedRole).toBool());
        QCOMPARE(model.indexOf(3), p1);
        QCOMPARE(model.process(p1)->name, std::string("philosopher-1"));
        QVERIFY(p1.siblingAtColumn(ProcessModel::BlockedOn)
                    .data(Qt::ToolTipRole)
                    .toString()
                    .contains(QStringLiteral("waits for fork-2 (Lock, held by philosopher-2)")));
    }

    void changesAreDataChangedNotResets() {
        ProcessModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        mp::scope::Snapshot snap = ui_test::diningPhilosophers(3);
        model.setFrame(ui_test::frame(snap));
        ui_test::ModelSpies spies(&model);
        auto& [reset, changed, inserted, removed] = spies;

        // Nothing changed: no signal at all.
        model.setFrame(ui_test::frame(snap));
        QCOMPARE(changed.count(), 0);

        // Only the CPU time of philosopher-1 moves: exactly that cell changes.
        snap.processes[2].cpu_seconds = 0.5;
        model.setFrame(ui_test::frame(snap));
        QCOMPARE(changed.count(), 1);
        QCOMPARE(changed.first().at(0).value<QModelIndex>(), model.indexOf(3, ProcessModel::CpuTime));
        QCOMPARE(changed.first().at(1).value<QModelIndex>(), model.indexOf(3, ProcessModel::CpuTime));

        // philosopher-2 is killed: its row changes (and its neighbours' diagnosis with it).
        changed.clear();
        auto& p2 = snap.processes[3];
        p2.state = mp::scope::ProcessState::Killed;
        p2.exitcode = -9;
        p2.waits.clear();
        model.setFrame(ui_test::frame(snap));
        bool rowChanged = false;
        for (const auto& args : changed)
            rowChanged |= args.at(0).value<QModelIndex>().data(ProcessModel::ProcessIdRole).toUInt() == 4u;
        QVERIFY(rowChanged);
        const QModelIndex row = model.indexOf(4);
        QCOMPARE(row.siblingAtColumn(ProcessModel::State).data().toString(),
                 QStringLiteral("killed by SIGKILL"));
        QCOMPARE(row.siblingAtColumn(ProcessModel::ExitCode).data().toString(),
                 QStringLiteral("-9 (SIGKILL)"));

        // A grandchild appears under philosopher-0, then philosopher-0 leaves the table: its subtree goes,
        // and the grandchild comes back at the top level (its parent is no longer in the session).
        snap.processes.push_back(ui_test::process(10, 2, "helper"));
        model.setFrame(ui_test::frame(snap));
        QCOMPARE(inserted.count(), 1);
        QCOMPARE(model.indexOf(10).parent(), model.indexOf(2));
        snap.processes.erase(snap.processes.begin() + 1);
        model.setFrame(ui_test::frame(snap));
        QCOMPARE(removed.count(), 1);
        QVERIFY(!model.indexOf(2).isValid());
        QVERIFY(model.indexOf(10).isValid());
        QVERIFY(!model.indexOf(10).parent().isValid());
        QCOMPARE(reset.count(), 0);
    }

    void syntheticChurn() {
        ProcessModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        mpui::SyntheticSession session(24, 8, 3);
        session.setChurn(true);
        mpui::FrameBuilder builder;
        for (int i = 0; i < 80; ++i) {
            session.step(0.033, 0);
            model.setFrame(builder.build(session.snapshot(), {}, 0, true));
        }
        // Every process of the last snapshot is in the tree, under its parent when that is there too.
        const auto& snap = session.snapshot();
        int rows = 0;
        std::function<void(const QModelIndex&)> count = [&](const QModelIndex& parent) {
            for (int r = 0; r < model.rowCount(parent); ++r) {
                ++rows;
                count(model.index(r, 0, parent));
            }
        };
        count({});
        QCOMPARE(rows, static_cast<int>(snap.processes.size()));
        for (const auto& p : snap.processes) {
            const QModelIndex index = model.indexOf(p.id);
            QVERIFY(index.isValid());
            QCOMPARE(index.siblingAtColumn(ProcessModel::Pid).data().toInt(), p.pid);
            if (snap.process(p.parent)) QCOMPARE(index.parent(), model.indexOf(p.parent));
        }
    }

    void retranslateKeepsRows() {
        ProcessModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setFrame(ui_test::frame(ui_test::diningPhilosophers(2)));
        QSignalSpy header(&model, &QAbstractItemModel::headerDataChanged);
        model.retranslate();
        QCOMPARE(header.count(), 1);
        QCOMPARE(model.headerData(ProcessModel::BlockedOn, Qt::Horizontal).toString(),
                 QStringLiteral("Blocked on"));
        model.clear();
        QCOMPARE(model.rowCount(), 0);
    }
};

MPUI_QTEST_MAIN(TestProcessModel)
#include "tst_process_model.moc"
