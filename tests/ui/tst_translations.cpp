// The translations are complete: both .ts files have a finished translation for every message, every
// placeholder of a message survives its translation, and running lupdate over ui/ now finds nothing new to
// translate (a tr() added without its translation fails here; scripts/update-translations lists what to do).
#include <QDir>
#include <QFile>
#include <QLibraryInfo>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>
#include <QXmlStreamReader>

namespace {

struct Message {
    QString context, source, comment, translation, type;
};

QList<Message> readTs(const QString& path) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) return {};
    QList<Message> out;
    QXmlStreamReader xml(&file);
    QString context;
    Message m;
    while (!xml.atEnd()) {
        xml.readNext();
        if (!xml.isStartElement()) continue;
        const auto name = xml.name();
        if (name == QLatin1String("name")) context = xml.readElementText();
        if (name == QLatin1String("message")) m = Message{context, {}, {}, {}, {}};
        if (name == QLatin1String("source")) m.source = xml.readElementText();
        if (name == QLatin1String("comment")) m.comment = xml.readElementText();
        if (name == QLatin1String("translation")) {
            m.type = xml.attributes().value(QLatin1String("type")).toString();
            m.translation = xml.readElementText();
            out << m;
        }
    }
    return xml.hasError() ? QList<Message>{} : out;
}

QString where(const Message& m) {
    return m.context + QStringLiteral(": ") + m.source;
}

QStringList problems(const QList<Message>& messages) {
    static const QRegularExpression placeholder(QStringLiteral("%\\d"));
    QStringList out;
    for (const Message& m : messages) {
        if (!m.type.isEmpty())
            out << QStringLiteral("%1 (%2)").arg(where(m), m.type);
        else if (m.translation.isEmpty())
            out << where(m) + QStringLiteral(" (empty)");
        for (auto it = placeholder.globalMatch(m.source); it.hasNext();) {
            const QString p = it.next().captured();
            if (!m.translation.contains(p)) out << QStringLiteral("%1 (lost %2)").arg(where(m), p);
        }
    }
    return out;
}

} // namespace

class TestTranslations : public QObject {
    Q_OBJECT
private slots:
    void complete_data() {
        QTest::addColumn<QString>("file");
        QTest::newRow("en") << QStringLiteral("mpscope_en.ts");
        QTest::newRow("zh_CN") << QStringLiteral("mpscope_zh_CN.ts");
    }
    void complete() {
        QFETCH(QString, file);
        const QList<Message> messages = readTs(QStringLiteral(MPSCOPE_SOURCE_DIR "/translations/") + file);
        QVERIFY2(messages.size() > 100, "the .ts file is missing, unreadable or nearly empty");
        const QStringList bad = problems(messages);
        QVERIFY2(bad.isEmpty(), qPrintable(bad.join(QLatin1Char('\n'))));
    }

    void englishIsItsOwnTranslation() {
        for (const Message& m : readTs(QStringLiteral(MPSCOPE_SOURCE_DIR "/translations/mpscope_en.ts")))
            QVERIFY2(m.translation == m.source, qPrintable(where(m)));
    }

    void upToDateWithTheSources() {
        const QString lupdate = QLibraryInfo::path(QLibraryInfo::BinariesPath) + QStringLiteral("/lupdate");
        if (!QFile::exists(lupdate)) QSKIP("lupdate is not installed (qt6-l10n-tools)");
        QTemporaryDir dir;
        const QString ts = dir.filePath(QStringLiteral("mpscope_zh_CN.ts"));
        QVERIFY(QFile::copy(QStringLiteral(MPSCOPE_SOURCE_DIR "/translations/mpscope_zh_CN.ts"), ts));
        QFile::setPermissions(ts, QFile::ReadOwner | QFile::WriteOwner);
        QProcess run;
        run.setProcessChannelMode(QProcess::MergedChannels);
        run.start(lupdate, {QStringLiteral("-no-obsolete"), QStringLiteral("-locations"),
                            QStringLiteral("none"), QStringLiteral("-extensions"), QStringLiteral("cpp,hpp"),
                            QStringLiteral(MPSCOPE_SOURCE_DIR "/ui"), QStringLiteral("-ts"), ts});
        QVERIFY(run.waitForFinished(60000));
        QCOMPARE(run.exitCode(), 0);
        const QStringList bad = problems(readTs(ts));
        QVERIFY2(bad.isEmpty(),
                 qPrintable(QStringLiteral("run scripts/update-translations; untranslated:\n") +
                            bad.join(QLatin1Char('\n'))));
    }
};

QTEST_APPLESS_MAIN(TestTranslations)
#include "tst_translations.moc"
