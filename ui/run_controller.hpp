#pragma once
// Runs scenarios the way the GUI must: in another program. Starts `mpscope-run <scenario> --method M ...`
// with QProcess, forwards what it prints, names the session it announces on its first stderr line, and stops
// it with SIGTERM (the runner then ends every process of its session), SIGKILL if it does not end in time.
#include "catalogue.hpp"

#include <QObject>
#include <QProcess>
#include <QStringList>
#include <QTimer>

#include <optional>
#include <utility>

namespace mpui {

struct RunRequest {
    QString scenario;
    QString method;
    QList<std::pair<QString, double>> params;
    double tempo = 1;

    QStringList arguments() const;
};

class RunController : public QObject {
    Q_OBJECT
public:
    explicit RunController(QObject* parent = nullptr);
    ~RunController() override;

    // $MPSCOPE_RUN, else mpscope-run beside this executable, else the one on PATH.
    static QString defaultRunner();
    void setRunner(const QString& path) { runner_ = path; }
    QString runner() const { return runner_; }

    // Asks the runner for its catalogue (mpscope-run --list); catalogueLoaded() or catalogueFailed().
    void loadCatalogue();
    const std::optional<Catalogue>& catalogue() const { return catalogue_; }

    // Starts a run; a run still going is stopped first.
    void start(const RunRequest& request);
    void stop();
    bool running() const { return process_.state() != QProcess::NotRunning; }
    const RunRequest& current() const { return current_; }
    QString session() const { return session_; }

signals:
    void catalogueLoaded();
    void catalogueFailed(const QString& error);
    void started(const QString& commandLine);
    void sessionNamed(const QString& session);
    void output(const QString& text, bool error);
    void finished(int exitCode, bool crashed);
    void failedToStart(const QString& error);

private:
    void launch();
    void read(QProcess::ProcessChannel channel);

    QString runner_;
    QProcess process_;
    QProcess lister_;
    QTimer killTimer_;
    std::optional<Catalogue> catalogue_;
    std::optional<RunRequest> pending_; // to start once the current run has ended
    RunRequest current_;
    QString session_;
    QByteArray partial_[2]; // stdout, stderr: text after the last newline
    bool sawSessionLine_ = false;
};

} // namespace mpui
