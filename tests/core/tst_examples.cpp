// Every ported seed example prints what its Python original prints, under every start method.
// The originals live in core/examples/python/<name>.py; process ids (runs of two or more digits) are
// normalised because they differ from run to run, and an original marked
// "mpscope-example: sort-output" is compared line by line in sorted order (its processes print in
// scheduling order).
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

    static QString normalised(QString text, bool sort_lines) {
        static const QRegularExpression numbers(QStringLiteral("[0-9]{2,}"));
        text.replace(numbers, QStringLiteral("PID"));
        if (!sort_lines) return text;
        QStringList lines = text.split(QLatin1Char('\n'));
        lines.sort();
        return lines.join(QLatin1Char('\n'));
    }

    static bool wants_sorted_output(const QString& script) {
        QFile file(script);
        return file.open(QIODevice::ReadOnly) && file.readAll().contains("mpscope-example: sort-output");
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

        const bool sort_lines = wants_sorted_output(script);
        QCOMPARE(normalised(cpp.output, sort_lines), normalised(py.output, sort_lines));
    }
};

QTEST_GUILESS_MAIN(TestExamples)
#include "tst_examples.moc"
