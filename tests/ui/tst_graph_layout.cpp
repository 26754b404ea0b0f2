// The wait-for graph's layout: cycles on circles, waiter above object above holder, no overlaps,
// deterministic, and the frame builder keeping a layout while the graph's settled shape holds.
#include "frame.hpp"
#include "graph_layout.hpp"
#include "ui_test_support.hpp"

#include <mp/scope/analysis.hpp>

#include <QTest>

#include <cmath>
#include <random>

using mpui::GraphLayout;
using mpui::LayoutEdge;
using mpui::LayoutNode;

namespace {

std::vector<LayoutNode> boxes(std::size_t n, double w = 160, double h = 48) {
    return std::vector<LayoutNode>(n, LayoutNode{w, h});
}

void verifyNoOverlap(const GraphLayout& layout, const std::vector<LayoutNode>& nodes) {
    for (std::size_t a = 0; a < nodes.size(); ++a)
        for (std::size_t b = a + 1; b < nodes.size(); ++b)
            QVERIFY2(!layout.box(a, nodes).intersects(layout.box(b, nodes)),
                     qPrintable(QStringLiteral("nodes %1 and %2 overlap").arg(a).arg(b)));
}

void verifyInsideBounds(const GraphLayout& layout, const std::vector<LayoutNode>& nodes) {
    for (std::size_t v = 0; v < nodes.size(); ++v) {
        const mpui::Box b = layout.box(v, nodes);
        QVERIFY(b.x >= layout.bounds.x - 1e-6 && b.right() <= layout.bounds.right() + 1e-6);
        QVERIFY(b.y >= layout.bounds.y - 1e-6 && b.bottom() <= layout.bounds.bottom() + 1e-6);
    }
}

} // namespace

class TestGraphLayout : public QObject {
    Q_OBJECT
private slots:
    void empty() {
        const GraphLayout l = mpui::layoutGraph({}, {});
        QVERIFY(l.centres.empty());
        QVERIFY(l.rings.empty());
    }

    void chainFlowsDownwards() {
        // waiter -> object -> holder
        const auto nodes = boxes(3);
        const GraphLayout l = mpui::layoutGraph(nodes, {{0, 1}, {1, 2}});
        QVERIFY(l.centres[0].y < l.centres[1].y);
        QVERIFY(l.centres[1].y < l.centres[2].y);
        // A straight chain stays in one column.
        QCOMPARE(l.centres[0].x, l.centres[1].x);
        QCOMPARE(l.centres[1].x, l.centres[2].x);
        QVERIFY(l.rings.empty());
        verifyNoOverlap(l, nodes);
    }

    void cycleOnACircle() {
        // p0 -> f1 -> p1 -> f2 -> p2 -> f0 -> p0 (node order: p0 p1 p2 f0 f1 f2)
        const auto nodes = boxes(6);
        const std::vector<LayoutEdge> edges{{0, 4}, {4, 1}, {1, 5}, {5, 2}, {2, 3}, {3, 0}};
        const GraphLayout l = mpui::layoutGraph(nodes, edges);
        QCOMPARE(l.rings.size(), std::size_t(1));
        const mpui::Ring& ring = l.rings.front();
        // Walked along the cycle from the smallest node.
        QCOMPARE(ring.nodes, (std::vector<std::size_t>{0, 4, 1, 5, 2, 3}));
        QVERIFY(ring.radiusY <= ring.radiusX);
        for (std::size_t v : ring.nodes) {
            const double dx = (l.centres[v].x - ring.centre.x) / ring.radiusX;
            const double dy = (l.centres[v].y - ring.centre.y) / ring.radiusY;
            QVERIFY(std::abs(dx * dx + dy * dy - 1) < 1e-9);
        }
        // The first node is at the top.
        QCOMPARE(l.centres[0].x, ring.centre.x);
        QVERIFY(l.centres[0].y < ring.centre.y);
        verifyNoOverlap(l, nodes);
    }

    void diningPhilosophersFromTheAnalysis() {
        const mp::scope::Snapshot snap = ui_test::diningPhilosophers(5);
        const mp::scope::WaitGraph graph = mp::scope::build_wait_graph(snap);
        const auto nodes = mpui::layoutNodes(graph);
        const GraphLayout l = mpui::layoutGraph(nodes, mpui::layoutEdges(graph));
        QCOMPARE(l.rings.size(), std::size_t(1));
        const mpui::Ring& ring = l.rings.front();
        QCOMPARE(ring.nodes.size(), std::size_t(10)); // five philosophers, five forks
        for (std::size_t k = 0; k < ring.nodes.size(); ++k) {
            // Alternating process, object, process ... round the circle.
            const auto& node = graph.nodes[ring.nodes[k]];
            QCOMPARE(node.kind == mp::scope::GraphNode::Kind::Process, k % 2 == 0);
        }
        // MainProcess joins philosopher-0: above the ring. The idle barrier: clear of everything connected,
        // below or beside it.
        const std::size_t main = *graph.process_node(1);
        const std::size_t barrier = *graph.object_node(6);
        for (std::size_t v : ring.nodes) {
            QVERIFY(l.centres[main].y < l.centres[v].y);
            QVERIFY(l.box(barrier, nodes).y > l.box(v, nodes).bottom() ||
                    l.box(barrier, nodes).x > l.box(v, nodes).right());
        }
        verifyNoOverlap(l, nodes);
        verifyInsideBounds(l, nodes);
    }

    void isolatedNodesInAGrid() {
        const auto nodes = boxes(12);
        const GraphLayout l = mpui::layoutGraph(nodes, {});
        verifyNoOverlap(l, nodes);
        verifyInsideBounds(l, nodes);
        // Wider than tall, as the aspect option asks, but not one long row.
        QVERIFY(l.bounds.w > l.bounds.h);
        QVERIFY(l.bounds.h > nodes[0].h);
    }

    void selfLoopsAndRepeatsIgnored() {
        const auto nodes = boxes(2);
        const GraphLayout a = mpui::layoutGraph(nodes, {{0, 1}});
        const GraphLayout b = mpui::layoutGraph(nodes, {{0, 1}, {0, 1}, {1, 1}, {0, 5}});
        QCOMPARE(a.centres[0].x, b.centres[0].x);
        QCOMPARE(a.centres[1].y, b.centres[1].y);
    }

    void largeRandomGraphNoOverlapAndDeterministic() {
        // The size of the refresh benchmark: 64 processes and 512 objects, a few hundred edges and cycles.
        std::mt19937 rng(7);
        std::vector<LayoutNode> nodes;
        for (int i = 0; i < 64; ++i)
            nodes.push_back({172, 52});
        for (int i = 0; i < 512; ++i)
            nodes.push_back({156, 48});
        std::vector<LayoutEdge> edges;
        std::uniform_int_distribution<std::size_t> proc(0, 63), obj(64, 575);
        for (int i = 0; i < 150; ++i) {
            edges.push_back({proc(rng), obj(rng)}); // waits
            edges.push_back({obj(rng), proc(rng)}); // held by
        }
        const GraphLayout a = mpui::layoutGraph(nodes, edges);
        const GraphLayout b = mpui::layoutGraph(nodes, edges);
        for (std::size_t v = 0; v < nodes.size(); ++v) {
            QCOMPARE(a.centres[v].x, b.centres[v].x);
            QCOMPARE(a.centres[v].y, b.centres[v].y);
        }
        verifyNoOverlap(a, nodes);
        verifyInsideBounds(a, nodes);
    }

    void longChainDoesNotExhaustTheStack() {
        const std::size_t n = 20000;
        const auto nodes = boxes(n, 10, 10);
        std::vector<LayoutEdge> edges;
        for (std::size_t i = 0; i + 1 < n; ++i)
            edges.push_back({i, i + 1});
        edges.push_back({n - 1, 0}); // one big cycle
        const GraphLayout l = mpui::layoutGraph(nodes, edges);
        QCOMPARE(l.rings.size(), std::size_t(1));
        QCOMPARE(l.rings.front().nodes.size(), n);
    }

    void frameKeepsLayoutWhileShapeHolds() {
        mpui::FrameBuilder builder;
        mp::scope::Snapshot snap = ui_test::diningPhilosophers(3, 3);
        const mpui::FramePtr first = builder.build(snap, {}, 0, true);
        // Time passes, an op counter moves: same settled shape, same layout object.
        snap.time += 1;
        snap.objects[0].ops += 5;
        const mpui::FramePtr second = builder.build(snap, {}, 0, true);
        QCOMPARE(second->layoutKey, first->layoutKey);
        QCOMPARE(second->layout.get(), first->layout.get());
        // A fresh wait (younger than kSettledWaitAge) is drawn but does not move anything.
        snap.objects.back().kind = "Lock";
        auto fresh = ui_test::wait("acquire", snap.objects.back().id, snap.time - 0.05);
        snap.processes.push_back(ui_test::process(9, 1, "late"));
        const mpui::FramePtr third = builder.build(snap, {}, 0, true);
        QVERIFY(third->layoutKey != second->layoutKey); // a new node
        snap.processes.back().waits.push_back(fresh);
        const mpui::FramePtr fourth = builder.build(snap, {}, 0, true);
        QCOMPARE(fourth->layoutKey, third->layoutKey);
        // Once it has lasted, it shapes the layout.
        snap.time += 1;
        const mpui::FramePtr fifth = builder.build(snap, {}, 0, true);
        QVERIFY(fifth->layoutKey != fourth->layoutKey);
    }
};

QTEST_APPLESS_MAIN(TestGraphLayout)
#include "tst_graph_layout.moc"
