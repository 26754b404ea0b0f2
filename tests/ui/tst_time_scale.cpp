// Time <-> pixel arithmetic of the charts and the pool bars.
#include "time_scale.hpp"

#include <QTest>

using mpui::niceStep;
using mpui::TimeScale;

class TestTimeScale : public QObject {
    Q_OBJECT
private slots:
    void mapsBothWays() {
        const TimeScale s{10, 20, 100, 600};
        QCOMPARE(s.toPixel(10), 100.0);
        QCOMPARE(s.toPixel(20), 600.0);
        QCOMPARE(s.toPixel(15), 350.0);
        QCOMPARE(s.toTime(350), 15.0);
        QCOMPARE(s.pixelsPerSecond(), 50.0);
        for (double t : {10.0, 12.5, 17.25, 19.999})
            QVERIFY(qAbs(s.toTime(s.toPixel(t)) - t) < 1e-9);
    }

    void reversedAxis() {
        // A vertical axis grows upwards: pixel y decreases with value.
        const TimeScale s{0, 4, 200, 0};
        QCOMPARE(s.toPixel(0), 200.0);
        QCOMPARE(s.toPixel(4), 0.0);
        QCOMPARE(s.toPixel(1), 150.0);
        QCOMPARE(s.toTime(50), 3.0);
    }

    void slidingWindow() {
        // Young session: the window starts at 0 and data grows to the right.
        TimeScale s = TimeScale::window(3, 30, 0, 300);
        QCOMPARE(s.t0, 0.0);
        QCOMPARE(s.t1, 30.0);
        QCOMPARE(s.toPixel(3), 30.0);
        // Older: the last 30 seconds, now at the right edge.
        s = TimeScale::window(100, 30, 0, 300);
        QCOMPARE(s.t0, 70.0);
        QCOMPARE(s.t1, 100.0);
        QCOMPARE(s.toPixel(100), 300.0);
    }

    void upTo() {
        TimeScale s = TimeScale::upTo(0, 1, 0, 100);
        QCOMPARE(s.t1, 1.0);
        s = TimeScale::upTo(8, 1, 0, 100);
        QCOMPARE(s.t1, 8.0);
        QCOMPARE(s.toPixel(2), 25.0);
    }

    void niceSteps_data() {
        QTest::addColumn<double>("rough");
        QTest::addColumn<double>("nice");
        QTest::newRow("1") << 1.0 << 1.0;
        QTest::newRow("1.1") << 1.1 << 2.0;
        QTest::newRow("2.5") << 2.5 << 5.0;
        QTest::newRow("7") << 7.0 << 10.0;
        QTest::newRow("0.3") << 0.3 << 0.5;
        QTest::newRow("0.1+0.2") << 0.1 + 0.2 << 0.5;
        QTest::newRow("0.02") << 0.02 << 0.02;
        QTest::newRow("430") << 430.0 << 500.0;
        QTest::newRow("zero") << 0.0 << 1.0;
    }
    void niceSteps() {
        QFETCH(double, rough);
        QFETCH(double, nice);
        QVERIFY2(qAbs(niceStep(rough) - nice) < 1e-12, qPrintable(QString::number(niceStep(rough))));
    }

    void ticksAreRoundAndSpaced() {
        const TimeScale s{72.3, 102.3, 0, 600}; // 20 px per second
        const std::vector<double> ticks = s.ticks(80);
        // 80 px needs 4 s: the nice step is 5 s.
        QCOMPARE(s.tickStep(80), 5.0);
        QCOMPARE(ticks, (std::vector<double>{75, 80, 85, 90, 95, 100}));
        for (std::size_t i = 1; i < ticks.size(); ++i)
            QVERIFY(s.toPixel(ticks[i]) - s.toPixel(ticks[i - 1]) >= 80);
    }

    void ticksIncludeBothEnds() {
        const TimeScale s{0, 10, 0, 100};
        QCOMPARE(s.ticks(20), (std::vector<double>{0, 2, 4, 6, 8, 10}));
    }
};

QTEST_APPLESS_MAIN(TestTimeScale)
#include "tst_time_scale.moc"
