#pragma once
// mpscope's main window: the run toolbar, the wait-for graph in the middle, processes and objects beside it,
// lesson, sessions, console, events, charts and shared memory below, and a status bar with the refresh
// figures. Every view shares one selection; every frame the poller delivers updates them all.
#include "frame.hpp"
#include "rate_meter.hpp"
#include "run_controller.hpp"
#include "selection.hpp"

#include <QActionGroup>
#include <QElapsedTimer>
#include <QLabel>
#include <QMainWindow>

#include <memory>

class QDockWidget;

namespace mpui {

class SessionPoller;
class ProcessModel;
class ObjectModel;
class EventModel;
class SessionListModel;
class GraphView;
class ProcessView;
class ObjectView;
class EventView;
class SessionsView;
class ConsoleView;
class LessonView;
class HeatMapView;
class ChartsView;
class PoolModel;
class PoolView;
class RunToolbar;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    // Starts a scenario in mpscope-run (what Run in the toolbar does) and attaches to its session.
    void runScenario(const RunRequest& request);
    void stopRun();
    // Shows a session that is already running: its name or the pid of one of its processes.
    void attach(const QString& nameOrPid);
    void detach();
    // Shows a made-up session that changes all the time (SessionPoller::attachSynthetic).
    void watchSynthetic(int processes, int objects, int eventsPerSecond = 10000);

    RunController* runs() { return runs_.get(); }
    SessionPoller* poller() { return poller_.get(); }
    GraphView* graphView() { return graph_; }
    ChartsView* chartsView() { return charts_; }
    HeatMapView* heatMapView() { return heatMap_; }
    RunToolbar* runToolbar() { return toolbar_; }
    FramePtr lastFrame() const { return frame_; }
    QString session() const { return session_; }

    // Refresh figures: time the GUI thread spent applying the last frame to every model and view, and the
    // rates the status bar shows.
    struct Stats {
        double lastApplyMs = 0;
        double refreshRate = 0; // frames applied per second
        double eventRate = 0;   // events per second
        std::uint64_t frames = 0;
    };
    const Stats& stats() const { return stats_; }

signals:
    void frameApplied(const mpui::FramePtr& frame);

protected:
    void changeEvent(QEvent* event) override;
    void closeEvent(QCloseEvent* event) override;

private:
    void buildDocks();
    void buildMenus();
    void buildStatusBar();
    void retranslate();
    void applyFrame(const FramePtr& frame);
    void updateStatus();
    void showProcessMenu(quint32 process, const QPoint& globalPos);
    void signalProcess(quint32 process, int signal);
    void attachDialog();
    void saveScreenshot();
    void about();
    QDockWidget* addDock(QWidget* widget, const char* name, Qt::DockWidgetArea area);

    SelectionHub selection_;
    std::unique_ptr<SessionPoller> poller_;
    std::unique_ptr<RunController> runs_;
    std::unique_ptr<ProcessModel> processModel_;
    std::unique_ptr<ObjectModel> objectModel_;
    std::unique_ptr<EventModel> eventModel_;
    std::unique_ptr<SessionListModel> sessionModel_;
    std::unique_ptr<PoolModel> poolModel_;

    // Widgets: children of this window (Qt's ownership), so plain pointers.
    RunToolbar* toolbar_ = nullptr;
    GraphView* graph_ = nullptr;
    ProcessView* processes_ = nullptr;
    ObjectView* objects_ = nullptr;
    EventView* events_ = nullptr;
    SessionsView* sessions_ = nullptr;
    ConsoleView* console_ = nullptr;
    LessonView* lesson_ = nullptr;
    HeatMapView* heatMap_ = nullptr;
    ChartsView* charts_ = nullptr;
    PoolView* pool_ = nullptr;
    QDockWidget *processDock_ = nullptr, *objectDock_ = nullptr, *lessonDock_ = nullptr,
                *sessionDock_ = nullptr, *consoleDock_ = nullptr, *eventDock_ = nullptr,
                *chartDock_ = nullptr, *memoryDock_ = nullptr, *poolDock_ = nullptr;

    QMenu *sessionMenu_ = nullptr, *viewMenu_ = nullptr, *languageMenu_ = nullptr, *helpMenu_ = nullptr;
    QAction *attachAction_ = nullptr, *detachAction_ = nullptr, *screenshotAction_ = nullptr,
            *quitAction_ = nullptr, *fitAction_ = nullptr, *idleAction_ = nullptr, *aboutAction_ = nullptr;
    std::unique_ptr<QActionGroup> languages_;

    QLabel *sessionLabel_ = nullptr, *processLabel_ = nullptr, *objectLabel_ = nullptr,
           *eventRateLabel_ = nullptr, *droppedLabel_ = nullptr, *refreshLabel_ = nullptr;

    FramePtr frame_;
    QString session_;
    bool ended_ = false;
    Stats stats_;
    RateMeter refreshMeter_{1.0}, eventMeter_{1.0};
    QElapsedTimer statusAge_; // since the status bar was last updated
};

} // namespace mpui
