// Value -> colour and the heat map's cell grid.
#include "heat_map_math.hpp"

#include <QTest>

using mpui::ColourScale;
using mpui::HeatGrid;
using mpui::Rgb;

class TestHeatMapMath : public QObject {
    Q_OBJECT
private slots:
    void sequentialScale() {
        const ColourScale s = ColourScale::fit({2, 4, 6, 10});
        QVERIFY(!s.diverging);
        QCOMPARE(s.min, 2.0);
        QCOMPARE(s.max, 10.0);
        QCOMPARE(s.position(2), 0.0);
        QCOMPARE(s.position(10), 1.0);
        QCOMPARE(s.position(6), 0.5);
        QCOMPARE(s.position(-100), 0.0); // clamped
        // The ends of the ramp: viridis' dark violet and yellow.
        QCOMPARE(s.colour(2), (Rgb{68, 1, 84}));
        QCOMPARE(s.colour(10), (Rgb{253, 231, 37}));
        // Monotonic in brightness along the ramp.
        auto luminance = [](Rgb c) { return 0.2126 * c.r + 0.7152 * c.g + 0.0722 * c.b; };
        double last = -1;
        for (double v = 2; v <= 10; v += 0.5) {
            QVERIFY(luminance(s.colour(v)) > last);
            last = luminance(s.colour(v));
        }
    }

    void divergingScaleCentresZero() {
        const ColourScale s = ColourScale::fit({-9, -3, 0, 2});
        QVERIFY(s.diverging);
        QCOMPARE(s.position(0), 0.5);
        QCOMPARE(s.position(-9), 0.0);
        QCOMPARE(s.position(9), 1.0); // symmetric: +9 would be the far red end
        QCOMPARE(s.colour(0), (Rgb{247, 247, 247}));
        const Rgb neg = s.colour(-9), pos = s.colour(9);
        QVERIFY(neg.b > neg.r);
        QVERIFY(pos.r > pos.b);
    }

    void constantAndEmpty() {
        ColourScale s = ColourScale::fit({5, 5, 5});
        QCOMPARE(s.position(5), 0.5);
        s = ColourScale::fit({});
        QCOMPARE(s.position(1), 0.5);
        QVERIFY(!s.diverging);
    }

    void textColourReadsOnBackground() {
        QCOMPARE(ColourScale::textOn({253, 231, 37}), (Rgb{0, 0, 0}));
        QCOMPARE(ColourScale::textOn({68, 1, 84}), (Rgb{255, 255, 255}));
    }

    void gridUsesLargestCellThatFits() {
        // 10 cells in 500 px: one row of the largest cells.
        HeatGrid g = HeatGrid::fit(10, 500, 200, 12, 40, 2);
        QCOMPARE(g.cell, 40.0);
        QCOMPARE(g.columns, 10);
        QCOMPARE(g.rows(), 1);
        // 1000 cells in 500 px and 200 px of height: cells shrink until the grid fits, never below 12.
        g = HeatGrid::fit(1000, 500, 200, 12, 40, 2);
        QVERIFY(g.height() <= 200 || g.cell == 12);
        QVERIFY(g.width() <= 500);
        QVERIFY(g.cell >= 12);
        // Huge arrays stop at the smallest cell and scroll.
        g = HeatGrid::fit(100000, 500, 200, 12, 40, 2);
        QCOMPARE(g.cell, 12.0);
        QVERIFY(g.height() > 200);
    }

    void cellGeometryRoundTrips() {
        const HeatGrid g = HeatGrid::fit(37, 300, 1000, 12, 40, 2);
        for (int i = 0; i < g.count; ++i) {
            const double cx = g.cellX(i) + g.cell / 2, cy = g.cellY(i) + g.cell / 2;
            QCOMPARE(g.indexAt(cx, cy), i);
        }
        QCOMPARE(g.indexAt(-1, 5), -1);
        QCOMPARE(g.indexAt(g.cell + 1, 5), -1); // in the gap
        QCOMPARE(g.indexAt(g.width() + 10, 5), -1);
        // Past the last cell in the last row.
        const int last = g.count - 1;
        if ((last + 1) % g.columns != 0)
            QCOMPARE(g.indexAt(g.cellX(last) + g.cell + g.gap + 1, g.cellY(last) + 1), -1);
    }

    void writeEmphasisFades() {
        QCOMPARE(mpui::writeEmphasis(0, 2), 1.0);
        QCOMPARE(mpui::writeEmphasis(1, 2), 0.5);
        QCOMPARE(mpui::writeEmphasis(3, 2), 0.0);
    }
};

QTEST_APPLESS_MAIN(TestHeatMapMath)
#include "tst_heat_map_math.moc"
