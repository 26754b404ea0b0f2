// The inspector's refresh benchmark: the main window, offscreen at 1600x1000, watching a session of 64
// processes and 512 objects that changes all the time, with each bottom pane in turn in front (events,
// charts, shared memory). Measures what the GUI thread does per refresh - applying the frame to every model
// and view, then painting - and how many refreshes a second it shows. Two loads:
//   synthetic  a made-up session (SyntheticSession) read by the poller thread like a real one: exactly 64
//              processes and 512 objects, half the objects and many waits changing every read;
//   live       a real libmpcore session: this program forks 63 workers that hammer 512 shared objects
//              (locks, rlocks, semaphores, events, values, arrays, queues), some shared between neighbours
//              so that they wait for each other.
// Prints one JSON line per figure ({"workload", "unit", "value"}) on stdout and a table on stderr.
#include <charts_view.hpp>
#include <language.hpp>
#include <main_window.hpp>

#include <mp/context.hpp>
#include <mp/process.hpp>
#include <mp/queues.hpp>
#include <mp/scope/observe.hpp>
#include <mp/sharedctypes.hpp>
#include <mp/synchronize.hpp>

#include <QApplication>
#include <QCommandLineParser>
#include <QDockWidget>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QTimer>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>
#include <thread>
#include <vector>

namespace {

constexpr int kProcesses = 64;
constexpr int kObjects = 512;

// ---- the live load ---------------------------------------------------------------------------------------

// Eight objects per worker, two of its locks shared with its neighbour so that waits happen.
void worker(int index, mp::Lock mine, mp::Lock shared, mp::RLock rlock, mp::Semaphore units,
            mp::Value counter, mp::Array cells, mp::Queue queue, mp::Event flag, mp::Event stop) {
    int k = 0;
    while (!stop.is_set()) {
        {
            std::lock_guard a(mine);
            std::lock_guard b(shared);
            std::this_thread::sleep_for(std::chrono::microseconds(300)); // hold them a moment
        }
        {
            std::lock_guard r(rlock);
            std::lock_guard again(rlock);
        }
        units.acquire();
        counter.set(counter.get<int>() + 1);
        cells.set<double>(k % static_cast<int>(cells.size()), index * 1000.0 + k);
        units.release();
        queue.put(k);
        if (k % 4 == 3)
            for (int i = 0; i < 4; ++i)
                queue.get();
        if (k % 10 == 0) (k % 20 == 0) ? flag.set() : flag.clear();
        ++k;
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    while (!queue.empty())
        queue.get();
}
MP_TASK(worker);

class LiveLoad {
public:
    LiveLoad() {
        mp::Context& ctx = mp::get_context("fork");
        const int workers = kProcesses - 1;
        for (int i = 0; i < workers; ++i) {
            locks_.push_back(ctx.Lock());
            rlocks_.push_back(ctx.RLock());
            units_.push_back(ctx.Semaphore(2));
            counters_.push_back(ctx.Value('i', 0, false));
            cells_.push_back(ctx.Array('d', 64, false));
            queues_.push_back(ctx.Queue(16));
            flags_.push_back(ctx.Event());
        }
        for (int i = 0; i < workers; ++i) {
            processes_.push_back(ctx.Process(mp::ProcessOptions{
                .target = worker,
                .name = "worker-" + std::to_string(i),
                .args = mp::args(i, locks_[i], locks_[(i + 1) % workers], rlocks_[i], units_[i], counters_[i],
                                 cells_[i], queues_[i], flags_[i], stop_),
            }));
            processes_.back().start();
        }
    }
    ~LiveLoad() {
        stop_.set();
        for (auto& p : processes_)
            p.join();
    }
    LiveLoad(const LiveLoad&) = delete;
    LiveLoad& operator=(const LiveLoad&) = delete;

private:
    mp::Event stop_ = mp::get_context("fork").Event();
    std::vector<mp::Lock> locks_;
    std::vector<mp::RLock> rlocks_;
    std::vector<mp::Semaphore> units_;
    std::vector<mp::Value> counters_;
    std::vector<mp::Array> cells_;
    std::vector<mp::Queue> queues_;
    std::vector<mp::Event> flags_;
    std::vector<mp::Process> processes_;
};

// ---- measuring -----------------------------------------------------------------------------------------

double threadCpuMs() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

// Times the window's repaints: Qt paints a top-level widget when it handles its UpdateRequest.
class TimingApplication : public QApplication {
public:
    using QApplication::QApplication;
    QWidget* window = nullptr;
    double paintMs = 0; // since the last take

    bool notify(QObject* receiver, QEvent* event) override {
        if (receiver != window || event->type() != QEvent::UpdateRequest)
            return QApplication::notify(receiver, event);
        QElapsedTimer t;
        t.start();
        const bool handled = QApplication::notify(receiver, event);
        paintMs += static_cast<double>(t.nsecsElapsed()) / 1e6;
        return handled;
    }
};

double percentile(std::vector<double> v, double p) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

struct Result {
    double hz = 0, applyP50 = 0, applyP95 = 0, refreshP50 = 0, refreshP95 = 0, refreshMax = 0,
           cpuPerRefresh = 0;
    std::size_t processes = 0, objects = 0;
    double eventsPerSecond = 0;
    std::uint64_t dropped = 0;
};

Result measure(TimingApplication& app, mpui::MainWindow& window, double seconds) {
    std::vector<double> apply, refresh;
    double current = -1; // the GUI thread's time for the frame being shown: its apply, then its paints
    std::uint64_t eventsSeen = 0;
    auto conn =
        QObject::connect(&window, &mpui::MainWindow::frameApplied, &window, [&](const mpui::FramePtr& f) {
            if (current >= 0) refresh.push_back(current + std::exchange(app.paintMs, 0));
            current = window.stats().lastApplyMs;
            apply.push_back(current);
            eventsSeen += f->events.size();
        });
    app.paintMs = 0;
    const double cpu0 = threadCpuMs();
    QElapsedTimer wall;
    wall.start();
    QEventLoop loop;
    QTimer::singleShot(static_cast<int>(seconds * 1000), &loop, &QEventLoop::quit);
    loop.exec();
    const double elapsed = static_cast<double>(wall.nsecsElapsed()) / 1e9;
    const double cpu = threadCpuMs() - cpu0;
    QObject::disconnect(conn);

    Result r;
    r.hz = static_cast<double>(apply.size()) / elapsed;
    r.applyP50 = percentile(apply, 0.5);
    r.applyP95 = percentile(apply, 0.95);
    r.refreshP50 = percentile(refresh, 0.5);
    r.refreshP95 = percentile(refresh, 0.95);
    r.refreshMax = refresh.empty() ? 0 : *std::max_element(refresh.begin(), refresh.end());
    r.cpuPerRefresh = apply.empty() ? 0 : cpu / static_cast<double>(apply.size());
    r.eventsPerSecond = static_cast<double>(eventsSeen) / elapsed;
    if (const auto f = window.lastFrame()) {
        r.processes = f->snapshot.processes.size();
        for (const auto& o : f->snapshot.objects)
            r.objects += o.internal ? 0 : 1;
        r.dropped = f->eventsDropped;
    }
    return r;
}

void report(const std::string& workload, const char* unit, double value) {
    std::printf("{\"workload\": \"%s\", \"unit\": \"%s\", \"value\": %.6g}\n", workload.c_str(), unit, value);
    std::fflush(stdout);
}

} // namespace

int main(int argc, char** argv) {
    mp::freeze_support(argc, argv);
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
    TimingApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Refresh rate and GUI-thread time of the mpscope main window."));
    parser.addHelpOption();
    const QCommandLineOption loadOption(QStringLiteral("load"),
                                        QStringLiteral("synthetic, live or both (default)."),
                                        QStringLiteral("load"), QStringLiteral("both"));
    const QCommandLineOption secondsOption(QStringLiteral("seconds"),
                                           QStringLiteral("Seconds per pane and load (default 5)."),
                                           QStringLiteral("seconds"), QStringLiteral("5"));
    parser.addOptions({loadOption, secondsOption});
    parser.process(app);
    const QString load = parser.value(loadOption);
    const double seconds = std::max(1.0, parser.value(secondsOption).toDouble());
    mpui::setLanguage(QStringLiteral("en"));

    std::fprintf(stderr, "%-26s %6s %9s %9s %9s %9s %9s %9s %6s %7s %9s %8s\n", "load/pane", "Hz", "apply50",
                 "apply95", "frame50", "frame95", "frameMax", "cpu/frame", "procs", "objects", "events/s",
                 "dropped");
    for (const QString& kind : {QStringLiteral("synthetic"), QStringLiteral("live")}) {
        if (load != QLatin1String("both") && load != kind) continue;
        mpui::MainWindow window;
        app.window = &window;
        window.resize(1600, 1000);
        window.show();
        std::unique_ptr<LiveLoad> live;
        if (kind == QLatin1String("synthetic")) {
            window.watchSynthetic(kProcesses, kObjects, 20000);
        } else {
            live = std::make_unique<LiveLoad>();
            window.attach(QString::fromStdString(mp::scope::current_session()));
        }
        // Warm up: the first frames build every row and item.
        measure(app, window, 1.5);
        for (const char* pane : {"events", "charts", "memory"}) {
            window.findChild<QDockWidget*>(QString::fromLatin1(pane) + QStringLiteral("Dock"))->raise();
            const Result r = measure(app, window, seconds);
            const std::string name = "ui_refresh_" + kind.toStdString() + "_" + pane;
            std::fprintf(stderr, "%-26s %6.1f %9.2f %9.2f %9.2f %9.2f %9.2f %9.2f %6zu %7zu %9.0f %8llu\n",
                         (kind.toStdString() + "/" + pane).c_str(), r.hz, r.applyP50, r.applyP95,
                         r.refreshP50, r.refreshP95, r.refreshMax, r.cpuPerRefresh, r.processes, r.objects,
                         r.eventsPerSecond, static_cast<unsigned long long>(r.dropped));
            report(name + "_rate", "Hz", r.hz);
            report(name + "_gui_ms_p50", "ms", r.refreshP50);
            report(name + "_gui_ms_p95", "ms", r.refreshP95);
            report(name + "_gui_cpu_ms", "ms", r.cpuPerRefresh);
        }
        window.detach();
        app.window = nullptr;
    }
    return 0;
}
