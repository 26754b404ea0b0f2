// The GUI's own path, offscreen: the main window starts dining_philosophers in mpscope-run (as Run in the
// toolbar does), attaches to its session, and the wait-for graph must show exactly the philosophers' cycle
// with the diagnosis naming it; Stop must end every process. Under every start method. A screenshot of each
// run is kept as a CI artifact in <build>/artifacts/.
#include "graph_view.hpp"
#include "language.hpp"
#include "main_window.hpp"
#include "process_model.hpp"
#include "process_view.hpp"
#include "run_controller.hpp"
#include "ui_test_support.hpp"

#include <QDir>
#include <QSignalSpy>

namespace {

constexpr int kTimeoutMs = 30000;

QStringList expectedCycle(int n) {
    QStringList ring;
    for (int i = 0; i < n; ++i)
        ring << QStringLiteral("philosopher-%1").arg(i) << QStringLiteral("fork-%1").arg((i + 1) % n);
    return ring;
}

} // namespace

class TestEndToEnd : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { QVERIFY(mpui::setLanguage("en")); }

    void diningPhilosophersDeadlock_data() {
        QTest::addColumn<QString>("method");
        QTest::newRow("fork") << "fork";
        QTest::newRow("spawn") << "spawn";
        QTest::newRow("forkserver") << "forkserver";
    }

    void diningPhilosophersDeadlock() {
        QFETCH(QString, method);
        qputenv("MPSCOPE_RUN",
                MPSCOPE_BINARY_DIR "/app/mpscope-run"); // the GUI finds its runner this way too
        mpui::MainWindow window;
        window.resize(1600, 1000);
        window.show();
        QSignalSpy named(window.runs(), &mpui::RunController::sessionNamed);
        mpui::RunRequest request;
        request.scenario = QStringLiteral("dining_philosophers");
        request.method = method;
        request.params = {{QStringLiteral("philosophers"), 4}};
        request.tempo = 4; // the philosophers sit down four times faster
        window.runScenario(request);
        QTRY_COMPARE_WITH_TIMEOUT(named.count(), 1, kTimeoutMs);
        QTRY_COMPARE_WITH_TIMEOUT(window.session(), named.first().first().toString(), kTimeoutMs);

        mpui::GraphView* graph = window.graphView();
        QTRY_VERIFY_WITH_TIMEOUT(!graph->cycles().isEmpty(), kTimeoutMs);
        // Exactly one cycle: the four philosophers and the four forks, each waiting for the next.
        QCOMPARE(graph->cycles(), (QList<QStringList>{expectedCycle(4)}));
        QStringList red = expectedCycle(4);
        red << QStringLiteral("MainProcess"); // joins philosopher-0, who is stuck
        red.sort();
        QTRY_COMPARE_WITH_TIMEOUT(graph->deadlockedLabels(), red, kTimeoutMs);
        const QString diagnosis = graph->diagnosisText();
        QVERIFY2(diagnosis.contains(
                     QStringLiteral("Deadlock — Lock cycle: philosopher-0 holds fork-0 and waits for "
                                    "fork-1, held by philosopher-1, which waits for fork-2, held by "
                                    "philosopher-2, which waits for fork-3, held by philosopher-3, "
                                    "which waits for fork-0, held by philosopher-0.")),
                 qPrintable(diagnosis));
        QVERIFY(diagnosis.contains(QStringLiteral("MainProcess joins philosopher-0")));

        // The process tree agrees: every philosopher blocked on the next fork, started by `method`.
        auto* tree = window.findChild<mpui::ProcessView*>();
        QVERIFY(tree);
        const QAbstractItemModel* model = tree->model();
        const QModelIndex main = model->index(0, 0);
        QCOMPARE(model->rowCount(main), 4);
        for (int i = 0; i < 4; ++i) {
            const QModelIndex row = model->index(i, 0, main);
            QCOMPARE(row.data().toString(), QStringLiteral("philosopher-%1").arg(i));
            QCOMPARE(row.siblingAtColumn(mpui::ProcessModel::Method).data().toString(), method);
            QCOMPARE(row.siblingAtColumn(mpui::ProcessModel::State).data().toString(),
                     QStringLiteral("blocked"));
            QCOMPARE(row.siblingAtColumn(mpui::ProcessModel::BlockedOn).data().toString(),
                     QStringLiteral("acquire fork-%1").arg((i + 1) % 4));
        }

        // Once the nodes have glided into their places, for the picture.
        QTRY_VERIFY_WITH_TIMEOUT(!graph->animating(), kTimeoutMs);
        QDir().mkpath(QStringLiteral(MPSCOPE_BINARY_DIR "/artifacts"));
        const QString shot = QStringLiteral(MPSCOPE_BINARY_DIR "/artifacts/end_to_end_%1.png").arg(method);
        QVERIFY(window.grab().save(shot));

        // Stop ends the run and every process of the session.
        QSignalSpy finished(window.runs(), &mpui::RunController::finished);
        window.stopRun();
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, kTimeoutMs);
        QTRY_VERIFY_WITH_TIMEOUT(window.lastFrame() && !window.lastFrame()->alive, kTimeoutMs);
        for (const auto& p : window.lastFrame()->snapshot.processes)
            QVERIFY2(!p.alive(), p.name.c_str());
    }
};

MPUI_QTEST_MAIN(TestEndToEnd)
#include "tst_end_to_end.moc"
