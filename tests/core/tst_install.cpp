// libmpcore is installable and exported: install this build into a temporary prefix, then configure,
// build and run an out-of-tree program with find_package(mpcore) + target_link_libraries(mpcore::mpcore).
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

class TestInstall : public QObject {
    Q_OBJECT

    static QString runOrFail(const QString& program, const QStringList& args, bool* ok) {
        QProcess proc;
        proc.setProcessChannelMode(QProcess::MergedChannels);
        proc.start(program, args);
        *ok = proc.waitForFinished(240'000) && proc.exitStatus() == QProcess::NormalExit &&
              proc.exitCode() == 0;
        const QString output = QString::fromLocal8Bit(proc.readAll());
        if (!*ok) qWarning().noquote() << program << args.join(' ') << "failed:\n" << output;
        return output;
    }

private slots:
    void outOfTreeConsumerBuildsAndRuns() {
        QTemporaryDir work;
        QVERIFY(work.isValid());
        const QString prefix = work.filePath("prefix");
        const QString consumerBuild = work.filePath("consumer-build");
        bool ok = false;

        runOrFail("cmake",
                  {"--install", MPSCOPE_BINARY_DIR, "--prefix", prefix, "--component", "Unspecified"}, &ok);
        QVERIFY(ok);
        QVERIFY(QFile::exists(prefix + "/include/mp/errors.hpp"));
        QVERIFY(QFile::exists(prefix + "/lib/cmake/mpcore/mpcoreConfig.cmake"));

        runOrFail("cmake",
                  {"-S", MPSCOPE_SOURCE_DIR "/tests/core/install_consumer", "-B", consumerBuild, "-G",
                   "Ninja", "-DCMAKE_PREFIX_PATH=" + prefix,
                   // Same sanitizer flags as this build, or a sanitized libmpcore would not link.
                   QStringLiteral("-DCMAKE_CXX_FLAGS=") + MPSCOPE_CXX_FLAGS,
                   QStringLiteral("-DCMAKE_EXE_LINKER_FLAGS=") + MPSCOPE_LINKER_FLAGS},
                  &ok);
        QVERIFY(ok);
        runOrFail("cmake", {"--build", consumerBuild}, &ok);
        QVERIFY(ok);
        const QString output = runOrFail(consumerBuild + "/consumer", {}, &ok);
        QVERIFY(ok);
        QCOMPARE(output, QString("ValueError: from an installed libmpcore\n"));
    }
};

QTEST_GUILESS_MAIN(TestInstall)
#include "tst_install.moc"
