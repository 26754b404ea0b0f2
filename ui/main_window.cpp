#include "main_window.hpp"

#include "charts_view.hpp"
#include "event_model.hpp"
#include "event_view.hpp"
#include "graph_view.hpp"
#include "heat_map_view.hpp"
#include "language.hpp"
#include "object_model.hpp"
#include "object_view.hpp"
#include "pool_model.hpp"
#include "pool_view.hpp"
#include "process_model.hpp"
#include "process_view.hpp"
#include "resources.hpp"
#include "run_toolbar.hpp"
#include "session_list_model.hpp"
#include "session_poller.hpp"
#include "sessions_view.hpp"
#include "text_panes.hpp"
#include "words.hpp"

#include <QApplication>
#include <QCloseEvent>
#include <QDockWidget>
#include <QElapsedTimer>
#include <QFileDialog>
#include <QInputDialog>
#include <QLocale>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QStatusBar>

#include <cerrno>
#include <csignal>
#include <cstring>

namespace mpui {

namespace {

QElapsedTimer& uptime() {
    static QElapsedTimer timer = [] {
        QElapsedTimer t;
        t.start();
        return t;
    }();
    return timer;
}

template <class T, class... Args> T* make(QWidget* parent, Args&&... args) {
    // Widgets owned by their parent, as Qt does it: the unique_ptr only hands it over.
    auto w = std::make_unique<T>(std::forward<Args>(args)...);
    w->setParent(parent);
    return w.release();
}

} // namespace

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent)
    , poller_(std::make_unique<SessionPoller>())
    , runs_(std::make_unique<RunController>())
    , processModel_(std::make_unique<ProcessModel>())
    , objectModel_(std::make_unique<ObjectModel>())
    , eventModel_(std::make_unique<EventModel>())
    , sessionModel_(std::make_unique<SessionListModel>())
    , poolModel_(std::make_unique<PoolModel>()) {
    initResources();
    qRegisterMetaType<mpui::RunRequest>();
    setObjectName(QStringLiteral("mainWindow"));
    setWindowIcon(QIcon(QStringLiteral(":/icons/mpscope.svg")));
    setDockOptions(AnimatedDocks | AllowTabbedDocks | AllowNestedDocks);

    toolbar_ = make<RunToolbar>(this);
    addToolBar(Qt::TopToolBarArea, toolbar_);
    graph_ = make<GraphView>(this, &selection_);
    setCentralWidget(graph_);
    buildDocks();
    buildMenus();
    buildStatusBar();

    connect(poller_.get(), &SessionPoller::frameReady, this, &MainWindow::applyFrame);
    connect(poller_.get(), &SessionPoller::attached, this, [this](const QString& name) {
        session_ = name;
        ended_ = false;
        sessions_->setCurrent(name);
        console_->appendNote(format(tr("Attached to session %1."), {name}));
        updateStatus();
    });
    connect(poller_.get(), &SessionPoller::attachFailed, this, [this](const QString& error) {
        console_->appendNote(format(tr("Cannot attach: %1"), {error}));
        statusBar()->showMessage(format(tr("Cannot attach: %1"), {error}), 8000);
    });
    connect(poller_.get(), &SessionPoller::sessionEnded, this, [this] {
        ended_ = true;
        updateStatus();
    });
    connect(poller_.get(), &SessionPoller::controlFailed, this,
            [this](const QString& error) { statusBar()->showMessage(error, 8000); });
    connect(poller_.get(), &SessionPoller::sessionsListed, this,
            [this](const std::vector<mp::scope::SessionInfo>& list) { sessionModel_->setSessions(list); });
    poller_->setListInterval(2.0);

    connect(runs_.get(), &RunController::catalogueLoaded, this, [this] {
        toolbar_->setCatalogue(*runs_->catalogue());
        if (runs_->running()) toolbar_->showRequest(runs_->current());
        lesson_->setScenario(toolbar_->scenarioInfo());
    });
    connect(runs_.get(), &RunController::catalogueFailed, this, [this](const QString& error) {
        console_->appendNote(
            format(tr("Cannot read the scenario catalogue from %1: %2"), {runs_->runner(), error}));
    });
    connect(runs_.get(), &RunController::started, this, [this](const QString& command) {
        console_->appendNote(QStringLiteral("$ ") + command);
        toolbar_->setRunning(true);
    });
    connect(runs_.get(), &RunController::sessionNamed, this, &MainWindow::attach);
    connect(runs_.get(), &RunController::output, console_, &ConsoleView::appendOutput);
    connect(runs_.get(), &RunController::finished, this, [this](int code, bool crashed) {
        console_->appendNote(crashed
                                 ? tr("mpscope-run crashed.")
                                 : format(tr("mpscope-run ended with status %1."), {QString::number(code)}));
        toolbar_->setRunning(runs_->running());
    });
    connect(runs_.get(), &RunController::failedToStart, this, [this](const QString& error) {
        console_->appendNote(format(tr("Cannot start %1: %2"), {runs_->runner(), error}));
        toolbar_->setRunning(false);
    });

    connect(toolbar_, &RunToolbar::runRequested, this, &MainWindow::runScenario);
    connect(toolbar_, &RunToolbar::stopRequested, this, &MainWindow::stopRun);
    connect(toolbar_, &RunToolbar::scenarioChanged, this,
            [this] { lesson_->setScenario(toolbar_->scenarioInfo()); });
    connect(toolbar_, &RunToolbar::stepModeToggled, poller_.get(), &SessionPoller::setStepMode);
    connect(graph_, &GraphView::processMenuRequested, this, &MainWindow::showProcessMenu);
    connect(processes_, &ProcessView::processMenuRequested, this, &MainWindow::showProcessMenu);
    connect(sessions_, &SessionsView::attachRequested, this, &MainWindow::attach);

    runs_->loadCatalogue();
    resize(1600, 1000);
    retranslate();
}

MainWindow::~MainWindow() {
    poller_->detach();
    // The views use the models and the selection, which are members and so would go first: end the views
    // here.
    for (QDockWidget* dock : findChildren<QDockWidget*>(Qt::FindDirectChildrenOnly))
        std::unique_ptr<QDockWidget> owned(dock);
    std::unique_ptr<QWidget> central(takeCentralWidget());
}

QDockWidget* MainWindow::addDock(QWidget* widget, const char* name, Qt::DockWidgetArea area) {
    auto* dock = make<QDockWidget>(this);
    dock->setObjectName(QString::fromLatin1(name));
    dock->setWidget(widget);
    dock->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable |
                      QDockWidget::DockWidgetClosable);
    addDockWidget(area, dock);
    return dock;
}

void MainWindow::buildDocks() {
    setCorner(Qt::BottomRightCorner, Qt::RightDockWidgetArea);
    setCorner(Qt::TopRightCorner, Qt::RightDockWidgetArea);
    processes_ = make<ProcessView>(this, processModel_.get(), &selection_);
    objects_ = make<ObjectView>(this, objectModel_.get(), &selection_);
    lesson_ = make<LessonView>(this);
    sessions_ = make<SessionsView>(this, sessionModel_.get());
    console_ = make<ConsoleView>(this);
    events_ = make<EventView>(this, eventModel_.get(), &selection_);
    charts_ = make<ChartsView>(this, &selection_);
    heatMap_ = make<HeatMapView>(this, &selection_);
    pool_ = make<PoolView>(this, poolModel_.get(), &selection_);

    processDock_ = addDock(processes_, "processesDock", Qt::RightDockWidgetArea);
    objectDock_ = addDock(objects_, "objectsDock", Qt::RightDockWidgetArea);
    splitDockWidget(processDock_, objectDock_, Qt::Vertical);
    // Split first, then tabify: a dock that is already in a tab group only takes more tabs.
    lessonDock_ = addDock(lesson_, "lessonDock", Qt::BottomDockWidgetArea);
    consoleDock_ = addDock(console_, "consoleDock", Qt::BottomDockWidgetArea);
    splitDockWidget(lessonDock_, consoleDock_, Qt::Horizontal);
    sessionDock_ = addDock(sessions_, "sessionsDock", Qt::BottomDockWidgetArea);
    tabifyDockWidget(lessonDock_, sessionDock_);
    eventDock_ = addDock(events_, "eventsDock", Qt::BottomDockWidgetArea);
    chartDock_ = addDock(charts_, "chartsDock", Qt::BottomDockWidgetArea);
    memoryDock_ = addDock(heatMap_, "memoryDock", Qt::BottomDockWidgetArea);
    tabifyDockWidget(consoleDock_, eventDock_);
    tabifyDockWidget(eventDock_, chartDock_);
    tabifyDockWidget(chartDock_, memoryDock_);
    // Beside the objects (a pool is one), where a table of workers and their bars has the width it needs.
    poolDock_ = addDock(pool_, "poolDock", Qt::RightDockWidgetArea);
    tabifyDockWidget(objectDock_, poolDock_);
    objectDock_->raise();
    lessonDock_->raise();
    consoleDock_->raise();
    // Room for the tables' columns (ForkServerPoolWorker-1 under its parent, a pool's time bars).
    resizeDocks({processDock_}, {720}, Qt::Horizontal);
    resizeDocks({processDock_, objectDock_}, {420, 480}, Qt::Vertical);
    resizeDocks({lessonDock_}, {300}, Qt::Vertical);
    resizeDocks({lessonDock_, consoleDock_}, {380, 560}, Qt::Horizontal);
}

void MainWindow::buildMenus() {
    sessionMenu_ = menuBar()->addMenu(QString());
    sessionMenu_->setObjectName(QStringLiteral("sessionMenu"));
    sessionMenu_->addAction(toolbar_->runAction());
    sessionMenu_->addAction(toolbar_->stopAction());
    sessionMenu_->addSeparator();
    attachAction_ = sessionMenu_->addAction(QIcon(QStringLiteral(":/icons/actions/attach.svg")), QString(),
                                            this, &MainWindow::attachDialog);
    attachAction_->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_A));
    detachAction_ = sessionMenu_->addAction(QString(), this, &MainWindow::detach);
    sessionMenu_->addSeparator();
    sessionMenu_->addAction(toolbar_->stepAction());
    sessionMenu_->addSeparator();
    screenshotAction_ = sessionMenu_->addAction(QString(), this, &MainWindow::saveScreenshot);
    screenshotAction_->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_S));
    quitAction_ = sessionMenu_->addAction(QString(), this, &QWidget::close);
    quitAction_->setShortcut(QKeySequence::Quit);

    viewMenu_ = menuBar()->addMenu(QString());
    viewMenu_->setObjectName(QStringLiteral("viewMenu"));
    fitAction_ = viewMenu_->addAction(QIcon(QStringLiteral(":/icons/actions/fit.svg")), QString(), graph_,
                                      &GraphView::fitGraph);
    fitAction_->setShortcut(QKeySequence(Qt::Key_F));
    idleAction_ = viewMenu_->addAction(QString());
    idleAction_->setCheckable(true);
    idleAction_->setChecked(true);
    connect(idleAction_, &QAction::triggered, graph_, &GraphView::setShowIdle);
    // The default follows the session's size: shown for small ones, hidden for large ones.
    connect(viewMenu_, &QMenu::aboutToShow, this, [this] { idleAction_->setChecked(graph_->showIdle()); });
    viewMenu_->addSeparator();
    for (QDockWidget* dock : {processDock_, objectDock_, lessonDock_, sessionDock_, consoleDock_, eventDock_,
                              chartDock_, memoryDock_, poolDock_})
        viewMenu_->addAction(dock->toggleViewAction());

    languageMenu_ = menuBar()->addMenu(QString());
    languageMenu_->setObjectName(QStringLiteral("languageMenu"));
    languages_ = std::make_unique<QActionGroup>(nullptr);
    for (const QString& code : availableLanguages()) {
        // Each language named in itself, so that anyone can find theirs whatever the current one is.
        QAction* a = languageMenu_->addAction(languageName(code));
        a->setData(code);
        a->setCheckable(true);
        a->setObjectName(QStringLiteral("language_") + code);
        languages_->addAction(a);
        connect(a, &QAction::triggered, this, [code] { setLanguage(code); });
    }

    helpMenu_ = menuBar()->addMenu(QString());
    helpMenu_->setObjectName(QStringLiteral("helpMenu"));
    aboutAction_ = helpMenu_->addAction(QString(), this, &MainWindow::about);
}

void MainWindow::buildStatusBar() {
    auto label = [this](const char* name) {
        auto* l = make<QLabel>(this);
        l->setObjectName(QString::fromLatin1(name));
        l->setContentsMargins(6, 0, 6, 0);
        statusBar()->addPermanentWidget(l);
        return l;
    };
    sessionLabel_ = label("statusSession");
    processLabel_ = label("statusProcesses");
    objectLabel_ = label("statusObjects");
    eventRateLabel_ = label("statusEventRate");
    droppedLabel_ = label("statusDropped");
    refreshLabel_ = label("statusRefresh");
}

void MainWindow::runScenario(const RunRequest& request) {
    detach();
    toolbar_->showRequest(request);
    runs_->start(request);
}

void MainWindow::stopRun() {
    toolbar_->stepAction()->setChecked(false); // parked processes must not hold up the end
    runs_->stop();
}

void MainWindow::attach(const QString& nameOrPid) {
    detach();
    poller_->attach(nameOrPid);
}

void MainWindow::watchSynthetic(int processes, int objects, int eventsPerSecond) {
    detach();
    poller_->attachSynthetic(processes, objects, eventsPerSecond);
}

void MainWindow::detach() {
    poller_->detach();
    session_.clear();
    ended_ = false;
    frame_.reset();
    selection_.clear();
    processModel_->clear();
    objectModel_->clear();
    eventModel_->clear();
    poolModel_->clear();
    graph_->clear();
    events_->clear();
    charts_->clear();
    refreshMeter_.clear();
    eventMeter_.clear();
    stats_ = {};
    updateStatus();
}

void MainWindow::applyFrame(const FramePtr& frame) {
    // A frame read before the last attach or detach belongs to another session.
    if (session_.isEmpty() || QString::fromStdString(frame->snapshot.session.name) != session_) {
        poller_->frameConsumed();
        return;
    }
    QElapsedTimer timer;
    timer.start();
    frame_ = frame;
    processModel_->setFrame(frame);
    objectModel_->setFrame(frame);
    eventModel_->setFrame(frame);
    graph_->setFrame(frame);
    events_->setFrame(frame);
    charts_->setFrame(frame);
    heatMap_->setFrame(frame);
    poolModel_->setFrame(frame);
    pool_->setFrame(frame);
    const double now = uptime().nsecsElapsed() / 1e9;
    refreshMeter_.add(now);
    eventMeter_.add(now, static_cast<double>(frame->events.size()));
    stats_.refreshRate = refreshMeter_.rate(now);
    stats_.eventRate = eventMeter_.rate(now);
    ++stats_.frames;
    // Figures people read: four times a second is plenty, and each change of a label's text lays out the
    // status bar again.
    if (statusAge_.isValid() && statusAge_.elapsed() < 250) {
        stats_.lastApplyMs = timer.nsecsElapsed() / 1e6;
        poller_->frameConsumed();
        emit frameApplied(frame);
        return;
    }
    statusAge_.restart();
    updateStatus();
    stats_.lastApplyMs = timer.nsecsElapsed() / 1e6;
    poller_->frameConsumed();
    emit frameApplied(frame);
}

void MainWindow::updateStatus() {
    const QLocale locale;
    QString title = QStringLiteral("mpscope");
    if (session_.isEmpty()) {
        sessionLabel_->setText(tr("No session"));
    } else {
        sessionLabel_->setText(ended_ ? format(tr("Session %1 (ended)"), {session_})
                                      : format(tr("Session %1"), {session_}));
        const RunRequest& run = runs_->current();
        title += QStringLiteral(" — ") + (runs_->session() == session_
                                              ? QStringLiteral("%1 (%2)").arg(run.scenario, run.method)
                                              : session_);
    }
    setWindowTitle(title);
    std::size_t processes = 0, live = 0, objects = 0;
    std::uint64_t dropped = 0;
    if (frame_) {
        processes = frame_->snapshot.processes.size();
        for (const auto& p : frame_->snapshot.processes)
            live += p.alive() ? 1 : 0;
        for (const auto& o : frame_->snapshot.objects)
            objects += o.internal ? 0 : 1;
        dropped = frame_->eventsDropped;
    }
    processLabel_->setText(
        format(tr("Processes: %1 (%2 live)"), {locale.toString(static_cast<qulonglong>(processes)),
                                               locale.toString(static_cast<qulonglong>(live))}));
    objectLabel_->setText(format(tr("Objects: %1"), {locale.toString(static_cast<qulonglong>(objects))}));
    eventRateLabel_->setText(format(tr("Events/s: %1"), {locale.toString(stats_.eventRate, 'f', 0)}));
    droppedLabel_->setText(
        format(tr("Dropped events: %1"), {locale.toString(static_cast<qulonglong>(dropped))}));
    const QString droppedSheet = dropped ? QStringLiteral("color: #b91c1c;") : QString();
    if (droppedLabel_->styleSheet() != droppedSheet)
        droppedLabel_->setStyleSheet(droppedSheet); // re-polishes
    refreshLabel_->setText(
        format(tr("Refresh: %1 Hz, %2 ms"),
               {locale.toString(stats_.refreshRate, 'f', 0), locale.toString(stats_.lastApplyMs, 'f', 1)}));
    refreshLabel_->setToolTip(
        tr("Frames shown per second, and the time the last one took on the GUI thread"));
}

void MainWindow::showProcessMenu(quint32 process, const QPoint& globalPos) {
    if (!frame_) return;
    const auto* p = frame_->snapshot.process(process);
    if (!p) return;
    QMenu menu(this);
    menu.setObjectName(QStringLiteral("processMenu"));
    menu.addSection(QStringLiteral("%1 (pid %2)").arg(QString::fromStdString(p->name)).arg(p->pid));
    QAction* terminate =
        menu.addAction(QIcon(QStringLiteral(":/icons/actions/terminate.svg")), tr("Terminate (SIGTERM)"));
    QAction* kill = menu.addAction(QIcon(QStringLiteral(":/icons/actions/kill.svg")), tr("Kill (SIGKILL)"));
    terminate->setEnabled(p->alive() && p->pid > 0);
    kill->setEnabled(p->alive() && p->pid > 0);
    menu.addSeparator();
    QAction* release =
        menu.addAction(QIcon(QStringLiteral(":/icons/actions/release.svg")), tr("Let it take one step"));
    release->setEnabled(p->parked.has_value());
    QAction* events = menu.addAction(tr("Show its events"));
    QAction* chosen = menu.exec(globalPos);
    if (chosen == terminate) signalProcess(process, SIGTERM);
    if (chosen == kill) signalProcess(process, SIGKILL);
    if (chosen == release) poller_->release(process);
    if (chosen == events) {
        events_->filter()->setObject(0);
        events_->filter()->setProcess(process);
        eventDock_->raise();
    }
}

void MainWindow::signalProcess(quint32 process, int sig) {
    const auto* p = frame_ ? frame_->snapshot.process(process) : nullptr;
    if (!p || !p->alive() || p->pid <= 0) return;
    if (::kill(p->pid, sig) != 0) {
        statusBar()->showMessage(format(tr("Cannot signal %1 (pid %2): %3"),
                                        {QString::fromStdString(p->name), QString::number(p->pid),
                                         QString::fromLocal8Bit(std::strerror(errno))}),
                                 8000);
        return;
    }
    console_->appendNote(
        format(sig == SIGKILL ? tr("Sent SIGKILL to %1 (pid %2).") : tr("Sent SIGTERM to %1 (pid %2)."),
               {QString::fromStdString(p->name), QString::number(p->pid)}));
}

void MainWindow::attachDialog() {
    sessionDock_->raise();
    bool ok = false;
    const QString target =
        QInputDialog::getText(this, tr("Attach to a session"),
                              tr("Session name (mpscope-<pid>-<random>) or the pid of one of its "
                                 "processes; the Sessions pane lists the ones running:"),
                              QLineEdit::Normal, QString(), &ok);
    if (ok && !target.trimmed().isEmpty()) attach(target.trimmed());
}

void MainWindow::saveScreenshot() {
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Save a screenshot"), QStringLiteral("mpscope.png"), tr("PNG images (*.png)"));
    if (!path.isEmpty() && !grab().save(path))
        statusBar()->showMessage(format(tr("Cannot write %1"), {path}), 8000);
}

void MainWindow::about() {
    QMessageBox::about(
        this, tr("About mpscope"),
        tr("<h3>mpscope</h3><p>An inspector and playground for multi-process programs written with "
           "libmpcore, a C++ model of Python's multiprocessing.</p><p>Run a scenario or attach to any "
           "running program, and watch its processes, locks, queues and shared memory live, with "
           "deadlocks found and explained.</p>"));
}

void MainWindow::retranslate() {
    sessionMenu_->setTitle(tr("&Session"));
    attachAction_->setText(tr("&Attach to a Session…"));
    detachAction_->setText(tr("&Detach"));
    screenshotAction_->setText(tr("Save a Screens&hot…"));
    quitAction_->setText(tr("&Quit"));
    viewMenu_->setTitle(tr("&View"));
    fitAction_->setText(tr("&Fit Graph"));
    idleAction_->setText(tr("Show &Idle Objects in the Graph"));
    languageMenu_->setTitle(tr("&Language"));
    helpMenu_->setTitle(tr("&Help"));
    aboutAction_->setText(tr("&About mpscope"));
    processDock_->setWindowTitle(tr("Processes"));
    objectDock_->setWindowTitle(tr("Objects"));
    lessonDock_->setWindowTitle(tr("Lesson"));
    sessionDock_->setWindowTitle(tr("Sessions"));
    consoleDock_->setWindowTitle(tr("Console"));
    eventDock_->setWindowTitle(tr("Events"));
    chartDock_->setWindowTitle(tr("Charts"));
    memoryDock_->setWindowTitle(tr("Shared Memory"));
    poolDock_->setWindowTitle(tr("Pool"));
    for (QAction* a : languages_->actions())
        a->setChecked(a->data().toString() == currentLanguage());
    processModel_->retranslate();
    objectModel_->retranslate();
    eventModel_->retranslate();
    sessionModel_->retranslate();
    poolModel_->retranslate();
    updateStatus();
}

void MainWindow::changeEvent(QEvent* event) {
    if (event->type() == QEvent::LanguageChange) retranslate();
    QMainWindow::changeEvent(event);
}

void MainWindow::closeEvent(QCloseEvent* event) {
    // The run belongs to this window: end it (and every process of it) with the window.
    runs_->stop();
    QMainWindow::closeEvent(event);
}

} // namespace mpui
