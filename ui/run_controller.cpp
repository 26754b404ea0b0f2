#include "run_controller.hpp"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QStandardPaths>

namespace mpui {

namespace {
constexpr int kKillAfterMs = 3000;
const QByteArray kSessionPrefix = "mpscope-run: session ";
} // namespace

QStringList RunRequest::arguments() const {
    QStringList args{scenario};
    if (!method.isEmpty()) args << QStringLiteral("--method") << method;
    for (const auto& [name, value] : params)
        args << QStringLiteral("--param")
             << QStringLiteral("%1=%2").arg(name, QString::number(value, 'g', 12));
    args << QStringLiteral("--tempo") << QString::number(tempo, 'g', 12);
    return args;
}

RunController::RunController(QObject* parent)
    : QObject(parent)
    , runner_(defaultRunner()) {
    process_.setProcessChannelMode(QProcess::SeparateChannels);
    killTimer_.setSingleShot(true);
    connect(&killTimer_, &QTimer::timeout, this, [this] {
        if (running()) process_.kill();
    });
    connect(&process_, &QProcess::readyReadStandardOutput, this, [this] { read(QProcess::StandardOutput); });
    connect(&process_, &QProcess::readyReadStandardError, this, [this] { read(QProcess::StandardError); });
    connect(&process_, &QProcess::errorOccurred, this, [this](QProcess::ProcessError e) {
        if (e == QProcess::FailedToStart) emit failedToStart(process_.errorString());
    });
    connect(&process_, &QProcess::finished, this, [this](int code, QProcess::ExitStatus status) {
        killTimer_.stop();
        read(QProcess::StandardOutput);
        read(QProcess::StandardError);
        for (int ch = 0; ch < 2; ++ch)
            if (!partial_[ch].isEmpty())
                emit output(QString::fromUtf8(std::exchange(partial_[ch], {})), ch == 1);
        emit finished(code, status == QProcess::CrashExit);
        if (pending_) launch();
    });
    connect(&lister_, &QProcess::finished, this, [this](int code, QProcess::ExitStatus) {
        QString error;
        if (code == 0) {
            catalogue_ = Catalogue::parse(lister_.readAllStandardOutput(), &error);
            if (catalogue_) {
                emit catalogueLoaded();
                return;
            }
        } else {
            error = QString::fromUtf8(lister_.readAllStandardError()).trimmed();
        }
        emit catalogueFailed(error);
    });
    connect(&lister_, &QProcess::errorOccurred, this, [this](QProcess::ProcessError e) {
        if (e == QProcess::FailedToStart) emit catalogueFailed(lister_.errorString());
    });
}

RunController::~RunController() {
    // Nobody listens any more: what the processes report while they are ended here goes nowhere.
    process_.disconnect();
    lister_.disconnect();
    blockSignals(true);
    pending_.reset();
    if (running()) {
        process_.terminate();
        if (!process_.waitForFinished(kKillAfterMs)) {
            process_.kill();
            process_.waitForFinished(1000);
        }
    }
    if (lister_.state() != QProcess::NotRunning) {
        lister_.kill();
        lister_.waitForFinished(1000);
    }
}

QString RunController::defaultRunner() {
    const QString env = qEnvironmentVariable("MPSCOPE_RUN");
    if (!env.isEmpty()) return env;
    const QString beside =
        QDir(QCoreApplication::applicationDirPath()).filePath(QStringLiteral("mpscope-run"));
    if (QFileInfo(beside).isExecutable()) return beside;
    const QString onPath = QStandardPaths::findExecutable(QStringLiteral("mpscope-run"));
    return onPath.isEmpty() ? QStringLiteral("mpscope-run") : onPath;
}

void RunController::loadCatalogue() {
    if (lister_.state() != QProcess::NotRunning) return;
    lister_.start(runner_, {QStringLiteral("--list")});
}

void RunController::start(const RunRequest& request) {
    pending_ = request;
    if (running())
        stop();
    else
        launch();
}

void RunController::launch() {
    current_ = *std::exchange(pending_, std::nullopt);
    session_.clear();
    sawSessionLine_ = false;
    partial_[0].clear();
    partial_[1].clear();
    process_.start(runner_, current_.arguments());
    emit started(QStringLiteral("mpscope-run %1").arg(current_.arguments().join(QLatin1Char(' '))));
}

void RunController::stop() {
    if (!running()) return;
    process_.terminate();
    killTimer_.start(kKillAfterMs);
}

void RunController::read(QProcess::ProcessChannel channel) {
    const int ch = channel == QProcess::StandardOutput ? 0 : 1;
    partial_[ch] += ch == 0 ? process_.readAllStandardOutput() : process_.readAllStandardError();
    const qsizetype end = partial_[ch].lastIndexOf('\n');
    if (end < 0) return;
    const QByteArray complete = partial_[ch].left(end + 1);
    partial_[ch].remove(0, end + 1);
    if (ch == 1 && !sawSessionLine_ && complete.startsWith(kSessionPrefix)) {
        sawSessionLine_ = true;
        const qsizetype eol = complete.indexOf('\n');
        session_ =
            QString::fromUtf8(complete.mid(kSessionPrefix.size(), eol - kSessionPrefix.size())).trimmed();
        emit sessionNamed(session_);
    }
    emit output(QString::fromUtf8(complete), ch == 1);
}

} // namespace mpui
