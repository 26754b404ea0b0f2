// Every ported seed example prints what its Python original prints, under every start method; an example
// whose Python original would hang (queue_join_deadlock) prints what it is expected to.
// The originals live in core/examples/python/<name>.py; process ids (runs of two or more digits) are
// normalised because they differ from run to run; an original's "mpscope-example:" comments ask for
// sorted lines (processes printing in scheduling order) or mask what varies (which worker did a task).
#include "sanitizer_support.hpp"

#include <QDebug>
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTest>

class TestExamples : public QObject {
    Q_OBJECT

    struct Run {
        bool finished = false;
        int exitCode = -1;
        QString output;
    };

    static Run run(const QString& program, const QStringList& args) {
        QProcess proc;
        proc.setProcessChannelMode(QProcess::SeparateChannels);
        proc.start(program, args);
        Run result;
        result.finished = proc.waitForFinished(60'000);
        if (!result.finished) {
            proc.kill();
            proc.waitForFinished();
        }
        result.exitCode = proc.exitCode();
        result.output = QString::fromUtf8(proc.readAllStandardOutput());
        return result;
    }

    // What the Python original's header asks for: "# mpscope-example: sort-output" and any number of
    // "# mpscope-example: mask <regex>" lines (matches are replaced before comparing).
    struct Comparison {
        bool sort_lines = false;
        QList<QRegularExpression> masks;
    };

    static Comparison comparison_for(const QString& script) {
        Comparison c;
        QFile file(script);
        if (!file.open(QIODevice::ReadOnly)) return c;
        static const QRegularExpression directive(
            QStringLiteral("^# mpscope-example: (sort-output|mask (.+))$"),
            QRegularExpression::MultilineOption);
        auto it = directive.globalMatch(QString::fromUtf8(file.readAll()));
        while (it.hasNext()) {
            const auto m = it.next();
            if (m.captured(1) == QLatin1String("sort-output"))
                c.sort_lines = true;
            else
                c.masks.append(QRegularExpression(m.captured(2).trimmed()));
        }
        return c;
    }

    static QString normalised(QString text, const Comparison& c) {
        static const QRegularExpression numbers(QStringLiteral("[0-9]{2,}"));
        for (const auto& mask : c.masks)
            text.replace(mask, QStringLiteral("X"));
        text.replace(numbers, QStringLiteral("PID"));
        if (!c.sort_lines) return text;
        QStringList lines = text.split(QLatin1Char('\n'));
        lines.sort();
        return lines.join(QLatin1Char('\n'));
    }

    // QCOMPARE cuts long strings short; this names the first line that differs and prints both outputs.
    static void compareOutputs(const QString& cpp, const QString& python) {
        if (cpp == python) return;
        const QStringList a = cpp.split(QLatin1Char('\n')), b = python.split(QLatin1Char('\n'));
        qsizetype line = 0;
        while (line < a.size() && line < b.size() && a[line] == b[line])
            ++line;
        qWarning().noquote() << "C++ output:\n" + cpp << "\nPython output:\n" + python;
        const QString message = QStringLiteral("outputs differ at line %1: C++ \"%2\", Python \"%3\"")
                                    .arg(line + 1)
                                    .arg(line < a.size() ? a[line] : QStringLiteral("<end>"),
                                         line < b.size() ? b[line] : QStringLiteral("<end>"));
        QFAIL(qPrintable(message));
    }

private slots:
    void matchesPython_data() {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("method");
        const QDir originals(MPSCOPE_SOURCE_DIR "/core/examples/python");
        const QStringList scripts = originals.entryList({"*.py"}, QDir::Files, QDir::Name);
        QVERIFY2(!scripts.isEmpty(), "no Python originals found");
        for (const QString& script : scripts) {
            const QString name = script.chopped(3);
            for (const char* method : {"fork", "spawn", "forkserver"})
                QTest::addRow("%s/%s", qPrintable(name), method) << name << QString::fromLatin1(method);
        }
    }

    void matchesPython() {
        QFETCH(QString, name);
        QFETCH(QString, method);
        // Its parent's feeder thread runs when the workers fork, and they start feeders of their own.
        if (name == QLatin1String("queue_workers")) MP_SKIP_IF_FORK_CHILD_STARTS_THREADS_UNDER_TSAN(method);
        const QString binary = MPSCOPE_BINARY_DIR "/core/example_" + name;
        QVERIFY2(QFile::exists(binary), qPrintable("no example built for " + name));
        const Run cpp = run(binary, {"--method", method});
        QVERIFY2(cpp.finished, "the C++ example did not finish");
        QCOMPARE(cpp.exitCode, 0);

        const QString python = QStandardPaths::findExecutable("python3");
        if (python.isEmpty()) QSKIP("python3 is not installed");
        const QString script = MPSCOPE_SOURCE_DIR "/core/examples/python/" + name + ".py";
        const Run py = run(python, {script, "--method", method});
        QVERIFY2(py.finished, "the Python original did not finish");
        QCOMPARE(py.exitCode, 0);

        const Comparison c = comparison_for(script);
        compareOutputs(normalised(cpp.output, c), normalised(py.output, c));
    }

    // Examples without a Python original, because the original would hang: their own output is checked.
    void queueJoinDeadlockExample_data() {
        QTest::addColumn<QString>("method");
        QTest::addColumn<bool>("fixed");
        for (const char* method : {"fork", "spawn", "forkserver"})
            for (bool fixed : {false, true})
                QTest::addRow("%s/%s", method, fixed ? "fixed" : "deadlock") << QString(method) << fixed;
    }
    void queueJoinDeadlockExample() {
        QFETCH(QString, method);
        QFETCH(bool, fixed);
        const QString binary = MPSCOPE_BINARY_DIR "/core/example_queue_join_deadlock";
        QVERIFY2(QFile::exists(binary), "example_queue_join_deadlock is not built");
        QStringList args{"--method", method};
        if (fixed) args << "--fixed";
        // The default run shows the deadlock diagnosed through the observation plane, then drains the queue.
        const Run r = run(binary, args);
        QVERIFY(r.finished);
        QCOMPARE(r.exitCode, 0);
        static const QRegularExpression numbers(QStringLiteral("[0-9]+"));
        QStringList lines = r.output.split('\n', Qt::SkipEmptyParts);
        lines.replaceInStrings(numbers, QStringLiteral("N"));
        if (fixed) {
            QCOMPARE(
                lines,
                QStringList({"Process-N puts N bytes on Queue-N; the main process gets them, then joins it",
                             "got N bytes", "Process-N exited with code N"}));
        } else {
            QCOMPARE(lines,
                     QStringList(
                         {"Process-N puts N bytes on Queue-N; the main process joins it before getting them",
                          "deadlock diagnosed after N.N s: Join before draining a queue: MainProcess joins "
                          "Process-N, which cannot exit until its feeder flushes N bytes into Queue-N, "
                          "which only MainProcess reads.",
                          "Queue-N: N items in the channel, N of N bytes used; Process-N's feeder holds N "
                          "item (N bytes) and waits for room",
                          "draining Queue-N: got N bytes", "Process-N exited with code N"}));
        }
    }

    // No Python original can show this one: it deadlocks on purpose and, with --inspect, diagnoses itself
    // through the observation plane and exits with status 1.
    void diningPhilosophersDiagnoseThemselves_data() {
        QTest::addColumn<QString>("method");
        for (const char* method : {"fork", "spawn", "forkserver"})
            QTest::newRow(method) << QString::fromLatin1(method);
    }

    void diningPhilosophersDiagnoseThemselves() {
        QFETCH(QString, method);
        const Run r =
            run(MPSCOPE_BINARY_DIR "/core/example_dining_philosophers", {"--method", method, "--inspect"});
        QVERIFY(r.finished);
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.output.contains("Lock cycle: philosopher-0 holds fork-0 and waits for fork-1, held by "
                                   "philosopher-1, which waits for fork-2"),
                 qPrintable(r.output));
        QCOMPARE(r.output.count("picks up"), 5);
        QCOMPARE(r.output.count("reaches for"), 5);
        QVERIFY(!r.output.contains("eats"));
    }
};

QTEST_GUILESS_MAIN(TestExamples)
#include "tst_examples.moc"
