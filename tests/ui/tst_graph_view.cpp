// GraphView on hand-built frames: the cycle drawn in ring order and in red, the diagnosis banner, the
// shared selection, idle objects hidden on request, and a resolved deadlock leaving no red behind.
#include "graph_items.hpp"
#include "graph_view.hpp"
#include "language.hpp"
#include "ui_test_support.hpp"

#include <QSignalSpy>

using mpui::GraphView;
using mpui::ItemRef;

class TestGraphView : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { QVERIFY(mpui::setLanguage("en")); }

    void showsTheCycle() {
        mpui::SelectionHub hub;
        GraphView view(&hub);
        view.resize(1000, 700);
        view.show();
        view.setFrame(ui_test::frame(ui_test::diningPhilosophers(5)));
        const QList<QStringList> cycles = view.cycles();
        QCOMPARE(cycles.size(), 1);
        QCOMPARE(cycles.front(),
                 (QStringList{"philosopher-0", "fork-1", "philosopher-1", "fork-2", "philosopher-2", "fork-3",
                              "philosopher-3", "fork-4", "philosopher-4", "fork-0"}));
        // The cycle's ten nodes and MainProcess (joining a stuck philosopher) are red; the idle barrier is
        // not.
        QCOMPARE(view.deadlockedLabels().size(), 11);
        QVERIFY(view.deadlockedLabels().contains("MainProcess"));
        QVERIFY(!view.deadlockedLabels().contains("all-seated"));
        QCOMPARE(view.deadlockedEdgeCount(), 11); // five waits, five holds, one join
        const QString banner = view.diagnosisText();
        QVERIFY2(
            banner.contains("Deadlock — Lock cycle: philosopher-0 holds fork-0 and waits for fork-1, held by "
                            "philosopher-1"),
            qPrintable(banner));
        QVERIFY(banner.contains("Join of a stuck process"));
    }

    void sharedSelection() {
        mpui::SelectionHub hub;
        GraphView view(&hub);
        view.setFrame(ui_test::frame(ui_test::diningPhilosophers(3)));
        hub.select(ItemRef::object(2));
        QVERIFY(view.node(ItemRef::object(2))->marked());
        hub.select(ItemRef::process(3));
        QVERIFY(!view.node(ItemRef::object(2))->marked());
        QVERIFY(view.node(ItemRef::process(3))->marked());
    }

    void idleObjectsCanBeHidden() {
        mpui::SelectionHub hub;
        GraphView view(&hub);
        view.setFrame(ui_test::frame(ui_test::diningPhilosophers(3)));
        QVERIFY(view.node(ItemRef::object(4))->isVisible()); // the barrier
        view.setShowIdle(false);
        QVERIFY(!view.node(ItemRef::object(4))->isVisible());
        QVERIFY(view.node(ItemRef::object(1))->isVisible()); // a fork: held and waited for
    }

    void resolvedDeadlockLeavesNoRed() {
        mpui::SelectionHub hub;
        GraphView view(&hub);
        view.show();
        auto snap = ui_test::diningPhilosophers(3);
        view.setFrame(ui_test::frame(snap));
        QVERIFY(!view.diagnosisText().isEmpty());
        // Everyone ate and left.
        for (auto& p : snap.processes) {
            p.waits.clear();
            if (!p.main) {
                p.state = mp::scope::ProcessState::Exited;
                p.exitcode = 0;
            }
        }
        for (auto& o : snap.objects) {
            o.owner.reset();
            o.holders.clear();
            o.waiters = 0;
        }
        view.setFrame(ui_test::frame(snap));
        QVERIFY(view.deadlockedLabels().isEmpty());
        QCOMPARE(view.deadlockedEdgeCount(), 0);
        QVERIFY(view.cycles().isEmpty());
        QVERIFY(view.diagnosisText().isEmpty());
        QCOMPARE(view.node(ItemRef::process(2))->content().detail, QStringLiteral("pid 1002 · exited"));
    }

    void nodesComeAndGo() {
        mpui::SelectionHub hub;
        GraphView view(&hub);
        auto snap = ui_test::diningPhilosophers(3);
        view.setFrame(ui_test::frame(snap));
        QVERIFY(view.node(ItemRef::process(4)));
        snap.processes.pop_back(); // philosopher-2, and what it held
        snap.objects[2].owner.reset();
        snap.objects[2].holders.clear();
        snap.objects.erase(snap.objects.begin());
        view.setFrame(ui_test::frame(snap));
        QVERIFY(!view.node(ItemRef::process(4)));
        QVERIFY(!view.node(ItemRef::object(1)));
        view.clear();
        QVERIFY(!view.node(ItemRef::process(1)));
    }
};

MPUI_QTEST_MAIN(TestGraphView)
#include "tst_graph_view.moc"
