// Catalogue: mpscope-run --list's JSON, as the toolbar and the lesson pane read it; RunRequest's arguments.
#include "catalogue.hpp"
#include "run_controller.hpp"

#include <QProcess>
#include <QTest>

class TestCatalogue : public QObject {
    Q_OBJECT
private slots:
    void parsesTheRunnersCatalogue() {
        QProcess runner;
        runner.start(QStringLiteral(MPSCOPE_BINARY_DIR "/app/mpscope-run"), {QStringLiteral("--list")});
        QVERIFY(runner.waitForFinished(20000));
        QCOMPARE(runner.exitCode(), 0);
        QString error;
        const auto catalogue = mpui::Catalogue::parse(runner.readAllStandardOutput(), &error);
        QVERIFY2(catalogue, qPrintable(error));
        QCOMPARE(catalogue->methods, (QStringList{"fork", "spawn", "forkserver"}));
        const mpui::ScenarioInfo* dining = catalogue->find(QStringLiteral("dining_philosophers"));
        QVERIFY(dining);
        QVERIFY(dining->deadlocks);
        QVERIFY(dining->title.text("en").contains(QStringLiteral("Dining philosophers")));
        QVERIFY(dining->title.text("zh_CN").contains(QStringLiteral("哲学家")));
        QVERIFY(!dining->lesson.text("zh_CN").isEmpty());
        QCOMPARE(dining->params.front().name, QStringLiteral("philosophers"));
        QVERIFY(dining->params.front().integer);
        // Every scenario has a lesson in both languages.
        for (const auto& s : catalogue->scenarios) {
            QVERIFY2(!s.lesson.byLanguage.value("en").isEmpty(), qPrintable(s.name));
            QVERIFY2(!s.lesson.byLanguage.value("zh_CN").isEmpty(), qPrintable(s.name));
        }
    }

    void fallsBackToEnglish() {
        mpui::Localized l;
        l.byLanguage.insert("en", "hello");
        QCOMPARE(l.text("zh_CN"), QStringLiteral("hello"));
        l.byLanguage.insert("zh_CN", QStringLiteral("你好"));
        QCOMPARE(l.text("zh_CN"), QStringLiteral("你好"));
    }

    void rejectsWhatIsNotACatalogue() {
        QString error;
        QVERIFY(!mpui::Catalogue::parse("[1, 2]", &error));
        QVERIFY(!error.isEmpty());
        QVERIFY(!mpui::Catalogue::parse("{\"scenarios\": 3}", &error));
        QVERIFY(!mpui::Catalogue::parse("not json", &error));
    }

    void requestArguments() {
        mpui::RunRequest r;
        r.scenario = "dining_philosophers";
        r.method = "spawn";
        r.params = {{"philosophers", 3}, {"timeout", 2.5}};
        r.tempo = 0.5;
        QCOMPARE(r.arguments(), (QStringList{"dining_philosophers", "--method", "spawn", "--param",
                                             "philosophers=3", "--param", "timeout=2.5", "--tempo", "0.5"}));
    }
};

QTEST_GUILESS_MAIN(TestCatalogue)
#include "tst_catalogue.moc"
