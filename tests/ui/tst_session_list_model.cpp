// SessionListModel: sessions keyed by name, live ones first, rows kept in place, under the model tester.
#include "session_list_model.hpp"
#include "ui_test_support.hpp"

#include <QAbstractItemModelTester>
#include <QSignalSpy>

using mpui::SessionListModel;

namespace {

mp::scope::SessionInfo session(const std::string& name, bool alive, std::int64_t created,
                               std::uint32_t live = 1) {
    mp::scope::SessionInfo s;
    s.name = name;
    s.alive = alive;
    s.created_unix_ns = created;
    s.main_name = "MainProcess";
    s.processes = 3;
    s.live_processes = live;
    s.age = 12.4;
    s.creator_pid = 42;
    return s;
}

} // namespace

class TestSessionListModel : public QObject {
    Q_OBJECT
private slots:
    void keyedUpdates() {
        SessionListModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setSessions({session("mpscope-1-a", false, 1), session("mpscope-2-b", true, 2),
                           session("mpscope-3-c", true, 3)});
        QCOMPARE(model.rowCount(), 3);
        // Live first, newest first.
        QCOMPARE(model.index(0, 0).data().toString(), QStringLiteral("mpscope-3-c"));
        QCOMPARE(model.index(1, 0).data().toString(), QStringLiteral("mpscope-2-b"));
        QCOMPARE(model.index(2, 0).data().toString(), QStringLiteral("mpscope-1-a"));
        QCOMPARE(model.index(0, SessionListModel::Processes).data().toString(),
                 QStringLiteral("1 live of 3"));
        QCOMPARE(model.index(2, SessionListModel::Status).data().toString(), QStringLiteral("ended"));
        QCOMPARE(model.index(0, SessionListModel::Age).data().toString(), QStringLiteral("12 s"));

        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        // b ends, a disappears, d appears: b keeps its row, d goes before the rows it sorts before.
        model.setSessions({session("mpscope-2-b", false, 2), session("mpscope-3-c", true, 3, 2),
                           session("mpscope-4-d", true, 4)});
        QCOMPARE(removed.count(), 1);
        QCOMPARE(inserted.count(), 1);
        QCOMPARE(reset.count(), 0);
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(model.index(0, 0).data().toString(), QStringLiteral("mpscope-4-d"));
        QCOMPARE(model.indexOf("mpscope-3-c").siblingAtColumn(SessionListModel::Processes).data().toString(),
                 QStringLiteral("2 live of 3"));
        QVERIFY(!model.indexOf("mpscope-2-b").data(SessionListModel::AliveRole).toBool());
        model.setSessions({});
        QCOMPARE(model.rowCount(), 0);
    }
};

MPUI_QTEST_MAIN(TestSessionListModel)
#include "tst_session_list_model.moc"
