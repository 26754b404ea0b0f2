// mpscope: the inspector. Runs scenarios in mpscope-run or attaches to any running session and shows its
// processes, objects, waits, deadlocks, events and shared memory live. With --screenshot it renders the
// window without a display, after a given time, into a PNG (for the docs and the tests).
#include <charts_view.hpp>
#include <graph_view.hpp>
#include <language.hpp>
#include <main_window.hpp>
#include <run_controller.hpp>

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QDockWidget>
#include <QTimer>

#include <cstdio>
#include <cstring>
#include <functional>
#include <iostream>
#include <memory>

namespace {

bool wantsScreenshot(int argc, char** argv) {
    for (int i = 1; i < argc; ++i)
        if (std::strcmp(argv[i], "--screenshot") == 0 || std::strncmp(argv[i], "--screenshot=", 13) == 0)
            return true;
    return false;
}

[[noreturn]] void usage(const QString& message) {
    std::cerr << "mpscope: " << message.toStdString() << '\n';
    std::exit(2);
}

double number(const QCommandLineParser& parser, const QCommandLineOption& option) {
    bool ok = false;
    const double v = parser.value(option).toDouble(&ok);
    if (!ok || v < 0)
        usage(QStringLiteral("--%1 needs a number, not '%2'")
                  .arg(option.names().constLast(), parser.value(option)));
    return v;
}

// Calls `shoot` once the graph's nodes have glided into place (checked every 50 ms, at most `tries` times)
// and the views have painted.
void settleThenShoot(mpui::MainWindow& window, const std::function<void()>& shoot, int tries) {
    if (window.graphView()->animating() && tries > 0)
        QTimer::singleShot(50, &window,
                           [&window, shoot, tries] { settleThenShoot(window, shoot, tries - 1); });
    else
        QTimer::singleShot(50, &window, shoot);
}

// Saves a screenshot of `window` once a frame newer than `after` seconds has been shown, then ends the run
// and the program.
void scheduleScreenshot(mpui::MainWindow& window, const QString& path, double after, const QString& pane) {
    QTimer::singleShot(static_cast<int>(after * 1000), &window, [&window, path, pane] {
        if (!pane.isEmpty())
            if (auto* dock = window.findChild<QDockWidget*>(pane + QStringLiteral("Dock"))) dock->raise();
        auto shoot = [&window, path] {
            window.chartsView()->redraw();
            const bool saved = window.grab().save(path);
            std::cout << (saved ? "mpscope: wrote " : "mpscope: cannot write ")
                      << QDir::toNativeSeparators(path).toStdString() << std::endl;
            window.stopRun();
            // Quit once the run has ended (it ends every process of its session), or after a grace period.
            QObject::connect(window.runs(), &mpui::RunController::finished, qApp,
                             [saved] { qApp->exit(saved ? 0 : 1); });
            QTimer::singleShot(window.runs()->running() ? 5000 : 0, qApp,
                               [saved] { qApp->exit(saved ? 0 : 1); });
        };
        // Wait for one more frame so that the picture shows the session as it is now, not as it was; a
        // session that shows no frames any more (ended, or none) is shot as it is.
        auto conn = std::make_shared<QMetaObject::Connection>();
        auto done = std::make_shared<bool>(false);
        auto once = [&window, shoot, conn, done] {
            if (std::exchange(*done, true)) return;
            QObject::disconnect(*conn);
            settleThenShoot(window, shoot, 40);
        };
        *conn = QObject::connect(&window, &mpui::MainWindow::frameApplied, &window, once);
        QTimer::singleShot(1500, &window, once);
    });
}

} // namespace

int main(int argc, char** argv) {
    // Screenshots are made without a display (docs, tests, CI).
    if (wantsScreenshot(argc, argv) && qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("mpscope"));
    QApplication::setApplicationVersion(QStringLiteral(MPSCOPE_VERSION));
    QApplication::setDesktopFileName(QStringLiteral("mpscope"));

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("The mpscope inspector: runs a scenario in mpscope-run, or attaches to a running "
                       "session, and shows its "
                       "processes, objects, waits, deadlocks, events and shared memory live."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption scenarioOption(
        {QStringLiteral("s"), QStringLiteral("scenario")},
        QStringLiteral("Run this scenario (mpscope-run --list shows them)."), QStringLiteral("name"));
    const QCommandLineOption methodOption({QStringLiteral("m"), QStringLiteral("method")},
                                          QStringLiteral("Start method: fork, spawn or forkserver."),
                                          QStringLiteral("method"));
    const QCommandLineOption paramOption({QStringLiteral("p"), QStringLiteral("param")},
                                         QStringLiteral("A parameter of the scenario (repeatable)."),
                                         QStringLiteral("name=value"));
    const QCommandLineOption tempoOption({QStringLiteral("t"), QStringLiteral("tempo")},
                                         QStringLiteral("Speed of the scenario's pauses (default 1)."),
                                         QStringLiteral("factor"), QStringLiteral("1"));
    const QCommandLineOption attachOption(
        {QStringLiteral("a"), QStringLiteral("attach")},
        QStringLiteral("Show a running session: its name or the pid of one of its processes."),
        QStringLiteral("session"));
    const QCommandLineOption langOption(
        QStringLiteral("lang"), QStringLiteral("Interface language: en or zh_CN."), QStringLiteral("code"));
    const QCommandLineOption screenshotOption(
        QStringLiteral("screenshot"),
        QStringLiteral("Render the window without a display into this PNG file, "
                       "then end the run and exit."),
        QStringLiteral("file"));
    const QCommandLineOption afterOption(QStringLiteral("after"),
                                         QStringLiteral("Seconds to wait before the screenshot (default 4)."),
                                         QStringLiteral("seconds"), QStringLiteral("4"));
    const QCommandLineOption sizeOption(QStringLiteral("size"),
                                        QStringLiteral("Window size (default 1600x1000)."),
                                        QStringLiteral("WxH"), QStringLiteral("1600x1000"));
    const QCommandLineOption paneOption(
        QStringLiteral("pane"),
        QStringLiteral("Bring a pane to the front: lesson, sessions, console, events, "
                       "charts, memory or pool."),
        QStringLiteral("pane"));
    parser.addOptions({scenarioOption, methodOption, paramOption, tempoOption, attachOption, langOption,
                       screenshotOption, afterOption, sizeOption, paneOption});
    parser.process(app);

    const QString lang = parser.isSet(langOption) ? parser.value(langOption)
                                                  : (QLocale::system().name().startsWith(QLatin1String("zh"))
                                                         ? QStringLiteral("zh_CN")
                                                         : QStringLiteral("en"));
    if (!mpui::setLanguage(lang)) usage(QStringLiteral("no language '%1' (use en or zh_CN)").arg(lang));
    if (parser.isSet(scenarioOption) && parser.isSet(attachOption))
        usage(QStringLiteral("--scenario and --attach exclude each other"));
    const QStringList size = parser.value(sizeOption).split(QLatin1Char('x'));
    if (size.size() != 2 || size[0].toInt() < 200 || size[1].toInt() < 200)
        usage(QStringLiteral("--size needs WIDTHxHEIGHT, not '%1'").arg(parser.value(sizeOption)));

    mpui::MainWindow window;
    window.resize(size[0].toInt(), size[1].toInt());
    window.show();
    if (parser.isSet(paneOption)) {
        auto* dock = window.findChild<QDockWidget*>(parser.value(paneOption) + QStringLiteral("Dock"));
        if (!dock) usage(QStringLiteral("no pane '%1'").arg(parser.value(paneOption)));
        dock->raise();
    }
    if (parser.isSet(scenarioOption)) {
        mpui::RunRequest request;
        request.scenario = parser.value(scenarioOption);
        request.method = parser.value(methodOption);
        request.tempo = number(parser, tempoOption);
        for (const QString& p : parser.values(paramOption)) {
            const qsizetype eq = p.indexOf(QLatin1Char('='));
            bool ok = false;
            const double v = eq > 0 ? p.mid(eq + 1).toDouble(&ok) : 0;
            if (!ok) usage(QStringLiteral("--param needs name=value, not '%1'").arg(p));
            request.params.append({p.left(eq), v});
        }
        window.runScenario(request);
    } else if (parser.isSet(attachOption)) {
        window.attach(parser.value(attachOption));
    }
    if (parser.isSet(screenshotOption))
        scheduleScreenshot(window, parser.value(screenshotOption), number(parser, afterOption),
                           parser.value(paneOption));
    return app.exec();
}
