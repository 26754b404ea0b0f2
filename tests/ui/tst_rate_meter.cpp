// RateMeter: things per second over a sliding window.
#include "rate_meter.hpp"

#include <QTest>

class TestRateMeter : public QObject {
    Q_OBJECT
private slots:
    void steadyRate() {
        mpui::RateMeter m(1.0);
        // 30 frames a second for three seconds, 100 events each.
        for (int i = 0; i <= 90; ++i)
            m.add(i / 30.0, 100);
        QVERIFY(qAbs(m.rate(3.0) - 3000) < 150);
    }

    void youngMeterDividesByTheTimeCovered() {
        mpui::RateMeter m(1.0);
        m.add(0.0, 10);
        m.add(0.5, 10);
        // Half a second covered, 20 things: about 40 a second, not 20.
        QVERIFY(qAbs(m.rate(0.5) - 40) < 1e-9);
        // A single sample does not read as a huge rate.
        mpui::RateMeter single(1.0);
        single.add(5.0, 3);
        QCOMPARE(single.rate(5.0), 30.0);
    }

    void oldSamplesFallOut() {
        mpui::RateMeter m(1.0);
        for (int i = 0; i < 10; ++i)
            m.add(i * 0.1, 5);
        QCOMPARE(m.rate(5.0), 0.0); // nothing in the last second
        m.clear();
        QCOMPARE(m.rate(5.0), 0.0);
    }
};

QTEST_APPLESS_MAIN(TestRateMeter)
#include "tst_rate_meter.moc"
