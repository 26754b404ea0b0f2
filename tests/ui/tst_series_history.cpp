// SeriesHistory: samples of many series trimmed to a window, flat runs kept as two points.
#include "series_history.hpp"

#include <QTest>

class TestSeriesHistory : public QObject {
    Q_OBJECT
private slots:
    void keepsAWindow() {
        mpui::SeriesHistory h(10);
        for (int t = 0; t <= 30; ++t)
            h.add(1, t, t);
        const auto* s = h.samples(1);
        QVERIFY(s);
        QCOMPARE(s->front().first, 20.0);
        QCOMPARE(s->back().first, 30.0);
        QCOMPARE(h.keys(), (std::vector<std::uint64_t>{1}));
    }

    void flatRunsStayTwoPoints() {
        mpui::SeriesHistory h(100);
        h.add(7, 0, 1);
        for (int t = 1; t <= 50; ++t)
            h.add(7, t, 5);
        const auto* s = h.samples(7);
        QCOMPARE(s->size(), std::size_t(3)); // (0,1) (1,5) (50,5)
        QCOMPARE(s->back(), (std::pair<double, double>{50, 5}));
    }

    void maxSinceIncludesTheValueCurrentAtTheStart() {
        mpui::SeriesHistory h(100);
        h.add(2, 0, 9);
        h.add(2, 10, 1);
        h.add(2, 20, 3);
        QCOMPARE(h.maxSince(2, 15), 3.0);
        QCOMPARE(h.maxSince(2, 5), 9.0); // 9 was the value from 0 to 10
        QCOMPARE(h.maxSince(99, 0), 0.0);
    }

    void trimForgetsEmptySeries() {
        mpui::SeriesHistory h(5);
        h.add(1, 0, 1);
        h.add(2, 10, 1);
        h.trim(10);
        QVERIFY(!h.samples(1));
        QVERIFY(h.samples(2));
    }
};

QTEST_APPLESS_MAIN(TestSeriesHistory)
#include "tst_series_history.moc"
