// EventModel and its filter: rows appended at the bottom, the oldest dropped beyond the limit; filters by
// process, object, operation and text - all under QAbstractItemModelTester.
#include "event_model.hpp"
#include "synthetic_session.hpp"
#include "ui_test_support.hpp"

#include <QAbstractItemModelTester>
#include <QSignalSpy>

using mpui::EventModel;

namespace {

std::vector<mp::scope::Event> events(std::uint64_t firstSeq, int count, mp::scope::ProcessId process,
                                     mp::scope::ObjectId object, const std::string& op) {
    std::vector<mp::scope::Event> out;
    for (int i = 0; i < count; ++i) {
        mp::scope::Event e;
        e.seq = firstSeq + static_cast<std::uint64_t>(i);
        e.time = static_cast<double>(e.seq) / 100;
        e.process = process;
        e.object = object;
        e.op = op;
        e.thread = 1;
        out.push_back(e);
    }
    return out;
}

} // namespace

class TestEventModel : public QObject {
    Q_OBJECT
private slots:
    void appendsAndTrims() {
        EventModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setLimit(100);
        const auto snap = ui_test::diningPhilosophers(3);
        model.setFrame(ui_test::frame(snap, events(0, 60, 2, 1, "acquire")));
        QCOMPARE(model.rowCount(), 60);
        QCOMPARE(model.index(0, EventModel::Process).data().toString(), QStringLiteral("philosopher-0"));
        QCOMPARE(model.index(0, EventModel::Object).data().toString(), QStringLiteral("fork-0"));
        QCOMPARE(model.index(0, EventModel::Operation).data().toString(), QStringLiteral("acquire"));
        QCOMPARE(model.index(59, EventModel::Time).data().toString(), QStringLiteral("0.5900"));

        QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
        model.setFrame(ui_test::frame(snap, events(60, 60, 3, 2, "release")));
        QCOMPARE(model.rowCount(), 100);
        QCOMPARE(removed.count(), 1);
        QCOMPARE(model.index(0, 0).data(EventModel::SeqRole).toULongLong(), 20ull); // the 20 oldest went
        QCOMPARE(model.index(99, 0).data(EventModel::SeqRole).toULongLong(), 119ull);

        // A batch larger than the limit: only its newest rows stay.
        model.setFrame(ui_test::frame(snap, events(120, 250, 4, 3, "acquire")));
        QCOMPARE(model.rowCount(), 100);
        QCOMPARE(model.index(0, 0).data(EventModel::SeqRole).toULongLong(), 270ull);
        QCOMPARE(model.operations(), (QStringList{"acquire", "release"}));
        model.clear();
        QCOMPARE(model.rowCount(), 0);
    }

    void filters() {
        EventModel model;
        mpui::EventFilterModel filter;
        filter.setSourceModel(&model);
        QAbstractItemModelTester tester(&filter, QAbstractItemModelTester::FailureReportingMode::QtTest);
        const auto snap = ui_test::diningPhilosophers(3);
        auto batch = events(0, 10, 2, 1, "acquire");
        const auto more = events(10, 5, 3, 2, "release");
        batch.insert(batch.end(), more.begin(), more.end());
        model.setFrame(ui_test::frame(snap, batch));
        QCOMPARE(filter.rowCount(), 15);
        filter.setProcess(3);
        QCOMPARE(filter.rowCount(), 5);
        filter.setProcess(0);
        filter.setObject(1);
        QCOMPARE(filter.rowCount(), 10);
        filter.setObject(0);
        filter.setOperation(QStringLiteral("release"));
        QCOMPARE(filter.rowCount(), 5);
        filter.setOperation({});
        filter.setText(QStringLiteral("FORK-1")); // object names, case-insensitive
        QCOMPARE(filter.rowCount(), 5);
        filter.setText(QStringLiteral("philosopher"));
        QCOMPARE(filter.rowCount(), 15);
        // New rows pass through the filter as they come.
        filter.setText({});
        filter.setProcess(2);
        model.setFrame(ui_test::frame(snap, events(15, 3, 2, 1, "release")));
        QCOMPARE(filter.rowCount(), 13);
    }

    void syntheticStream() {
        EventModel model;
        mpui::EventFilterModel filter;
        filter.setSourceModel(&model);
        QAbstractItemModelTester tester(&filter, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setLimit(2000);
        filter.setOperation(QStringLiteral("put"));
        mpui::SyntheticSession session(8, 32, 9);
        mpui::FrameBuilder builder;
        for (int i = 0; i < 50; ++i) {
            session.step(0.033, 150);
            model.setFrame(builder.build(session.snapshot(), session.takeEvents(), 0, true));
        }
        QCOMPARE(model.rowCount(), 2000);
        QVERIFY(filter.rowCount() > 0 && filter.rowCount() < 2000);
        for (int r = 0; r < filter.rowCount(); ++r)
            QCOMPARE(filter.index(r, EventModel::Operation).data().toString(), QStringLiteral("put"));
    }
};

MPUI_QTEST_MAIN(TestEventModel)
#include "tst_event_model.moc"
