// The session resource tracker (SPEC §14): names left registered are removed once every process of the
// session is gone, also after SIGKILL of the whole tree under each start method; the leak and error
// warnings; bad messages; SIGINT/SIGTERM ignored, relaunch after SIGKILL; a tracker detached from the
// program that holds none of its fds. Whole programs run as this binary started again with
// --tracker-scenario, so the tracker's stderr and its end can be watched from outside.
#include "mp_test_main.hpp"
#include "process_test_support.hpp"

// The tracker's interface is internal to libmpcore.
#include "../../core/src/resource_tracker.hpp"

#include <mp/context.hpp>
#include <mp/errors.hpp>
#include <mp/process.hpp>

#include <QDir>
#include <QProcess>
#include <QScopeGuard>
#include <QTemporaryDir>
#include <QTemporaryFile>
#include <QTest>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <dirent.h>
#include <fcntl.h>
#include <fstream>
#include <functional>
#include <iostream>
#include <poll.h>
#include <set>
#include <sstream>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace {

using namespace test_support;
namespace tracker = mp::detail::resource_tracker;

std::string unique_shm_name(const char* tag) {
    static std::atomic<int> counter{0};
    return "/mpscope-test-" + std::to_string(::getpid()) + "-" + std::to_string(++counter) + "-" + tag;
}

void create_shm(const std::string& name) {
    int fd = ::shm_open(name.c_str(), O_CREAT | O_EXCL | O_RDWR, 0600);
    if (fd < 0) throw std::runtime_error("shm_open " + name + ": " + std::strerror(errno));
    if (::ftruncate(fd, 4096) != 0) throw std::runtime_error("ftruncate");
    ::close(fd);
}

bool shm_exists(const std::string& name) {
    int fd = ::shm_open(name.c_str(), O_RDONLY, 0);
    if (fd < 0) return false;
    ::close(fd);
    return true;
}

bool path_exists(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0;
}

// Fields of /proc/<pid>/stat after the command: state, ppid, pgrp, session. Empty when gone.
std::vector<std::string> proc_stat(int pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    if (!std::getline(in, line)) return {};
    auto close_paren = line.rfind(')');
    std::istringstream rest(line.substr(close_paren + 2));
    std::vector<std::string> fields(4);
    for (auto& f : fields)
        rest >> f;
    return fields;
}

// The names in a directory, without "." and "..".
std::vector<std::string> entries_of(const std::string& dir) {
    std::vector<std::string> names;
    if (DIR* d = ::opendir(dir.c_str())) {
        while (dirent* e = ::readdir(d))
            if (e->d_name[0] != '.') names.emplace_back(e->d_name);
        ::closedir(d);
    }
    return names;
}

// Threads of the process still listed in /proc/<pid>/task (the leader counts while it is a zombie).
std::size_t live_tasks(int pid) {
    return entries_of("/proc/" + std::to_string(pid) + "/task").size();
}

// Gone or a zombie: here orphans may stay zombies for ever, nobody reaps them. A leader turns zombie while
// its other threads (a sanitizer's, say) are still exiting, and the process's descriptors close only with
// the last of them: a pipe to it does not report EPIPE before then.
bool process_gone(int pid) {
    auto st = proc_stat(pid);
    return st.empty() || ((st[0] == "Z" || st[0] == "X") && live_tasks(pid) <= 1);
}

bool wait_until(const std::function<bool()>& condition, int timeout_ms = 5000) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (!condition()) {
        if (std::chrono::steady_clock::now() >= deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return true;
}

std::set<int> open_fds_of(int pid) {
    std::set<int> fds;
    for (const std::string& name : entries_of("/proc/" + std::to_string(pid) + "/fd"))
        fds.insert(std::stoi(name));
    return fds;
}

std::string fd_target(int pid, int fd) {
    char buf[4096];
    std::string link = "/proc/" + std::to_string(pid) + "/fd/" + std::to_string(fd);
    ssize_t n = ::readlink(link.c_str(), buf, sizeof buf);
    return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string();
}

// The signals a process ignores, from /proc/<pid>/status.
unsigned long long ignored_signals(int pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind("SigIgn:", 0) == 0) return std::stoull(line.substr(7), nullptr, 16);
    return 0;
}

std::string read_file(const QString& path) {
    std::ifstream in(path.toStdString());
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::size_t count_of(const std::string& text, const std::string& part) {
    std::size_t n = 0;
    for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + 1))
        ++n;
    return n;
}

// Sends this process's stderr to a file while alive (the relaunch warning is expected, not noise).
class StderrCapture {
public:
    StderrCapture() {
        file_.open();
        std::cerr.flush();
        saved_ = ::dup(STDERR_FILENO);
        ::dup2(file_.handle(), STDERR_FILENO);
    }
    ~StderrCapture() { restore(); }
    StderrCapture(const StderrCapture&) = delete;
    StderrCapture& operator=(const StderrCapture&) = delete;
    std::string text() {
        restore();
        return read_file(file_.fileName());
    }

private:
    void restore() {
        if (saved_ < 0) return;
        std::cerr.flush();
        ::dup2(saved_, STDERR_FILENO);
        ::close(saved_);
        saved_ = -1;
    }
    QTemporaryFile file_;
    int saved_ = -1;
};

// ---- scenarios: whole programs run by this binary started again ------------------------------------

void say(const std::string& line) {
    write_text(STDOUT_FILENO, line + "\n");
}

// "<inode of the tracker pipe> <FD_CLOEXEC set>" for this process's write end.
std::string tracker_pipe_report() {
    int fd = tracker::fd();
    struct stat st {};
    if (fd < 0 || ::fstat(fd, &st) != 0) return "0 0";
    return std::to_string(st.st_ino) + " " + ((::fcntl(fd, F_GETFD) & FD_CLOEXEC) ? "1" : "0");
}

void tree_node(std::string method, int depth) {
    say("proc " + std::to_string(depth) + " " + std::to_string(::getpid()) + " " + tracker_pipe_report());
    if (depth < 2) {
        mp::Process child =
            mp::get_context(method).Process(mp::Target::task("tree_node"), mp::args(method, depth + 1));
        child.start();
    }
    for (;;)
        ::pause();
}
MP_TASK(tree_node);

// Runs the steps given on the command line, then exits through the normal exit sequence:
//   reg:<rtype>:<name>, unreg:<rtype>:<name>   register / unregister
//   raw:<text>                                 writes "<text>\n" to the tracker's pipe directly
//   rawlong                                    writes a 3000-byte line directly
//   pid                                        prints "tracker <pid>"
//   wait                                       waits for a line on stdin
//   threads:<dir>                              4 threads at once create and register 25 files each
//   tree:<method>                              runs tree_node(method, 0): never returns
[[noreturn]] void run_scenario_and_exit(const QStringList& steps) {
    try {
        for (const QString& step : steps) {
            std::string s = step.toStdString();
            if (s.rfind("reg:", 0) == 0 || s.rfind("unreg:", 0) == 0) {
                auto first = s.find(':');
                auto second = s.find(':', first + 1);
                std::string rtype = s.substr(first + 1, second - first - 1);
                std::string name = s.substr(second + 1);
                if (s[0] == 'r')
                    tracker::register_resource(name, rtype);
                else
                    tracker::unregister_resource(name, rtype);
            } else if (s.rfind("raw:", 0) == 0) {
                write_text(tracker::fd(), s.substr(4) + "\n");
            } else if (s == "rawlong") {
                write_text(tracker::fd(), std::string(3000, 'x') + "\n");
            } else if (s == "pid") {
                say("tracker " + std::to_string(tracker::tracker_pid().value_or(-1)));
            } else if (s == "wait") {
                std::string line;
                std::getline(std::cin, line);
            } else if (s.rfind("threads:", 0) == 0) {
                std::string dir = s.substr(8);
                std::vector<std::thread> threads;
                for (int t = 0; t < 4; ++t)
                    threads.emplace_back([dir, t] {
                        for (int i = 0; i < 25; ++i) {
                            std::string path = dir + "/" + std::to_string(t) + "-" + std::to_string(i);
                            std::ofstream(path) << "x";
                            tracker::register_resource(path, "file");
                        }
                    });
                for (auto& t : threads)
                    t.join();
            } else if (s.rfind("tree:", 0) == 0) {
                tree_node(s.substr(5), 0);
            }
        }
    } catch (const std::exception& e) {
        std::cerr << "scenario failed: " << e.what() << std::endl;
        std::exit(1);
    }
    std::exit(0); // runs the exit sequence, as returning from main() does
}

// A scenario started from the test, its stderr (which the tracker inherits) in a file.
class Scenario {
public:
    explicit Scenario(const QStringList& steps) {
        err_.open();
        proc_.setStandardErrorFile(err_.fileName());
        proc_.start(QCoreApplication::applicationFilePath(), QStringList{"--tracker-scenario"} + steps);
    }
    ~Scenario() {
        if (proc_.state() != QProcess::NotRunning) {
            proc_.kill();
            proc_.waitForFinished();
        }
    }
    Scenario(const Scenario&) = delete;
    Scenario& operator=(const Scenario&) = delete;

    // The next line on stdout; "" after 20 s without one.
    std::string line() {
        while (!proc_.canReadLine())
            if (!proc_.waitForReadyRead(20000)) return {};
        return proc_.readLine().trimmed().toStdString();
    }
    // The pid from a "tracker <pid>" line.
    int tracker_pid() {
        std::string l = line();
        return l.rfind("tracker ", 0) == 0 ? std::stoi(l.substr(8)) : -1;
    }
    bool finished_ok() { return proc_.waitForFinished(20000) && proc_.exitCode() == 0; }
    void write(const char* text) {
        proc_.write(text);
        proc_.waitForBytesWritten();
    }
    void kill() {
        proc_.kill();
        proc_.waitForFinished();
    }
    std::string err() const { return read_file(err_.fileName()); }
    int pid() const { return static_cast<int>(proc_.processId()); }

private:
    QTemporaryFile err_;
    QProcess proc_;
};

const char leak_warning[] = "resource_tracker: There appear to be 1 leaked shared_memory objects to clean up "
                            "at shutdown";
const char relaunch_warning[] =
    "resource_tracker: process died unexpectedly, relaunching.  Some resources might "
    "leak.";

} // namespace

class TestResourceTracker : public QObject {
    Q_OBJECT
public:
    TestResourceTracker() {
        QStringList args = QCoreApplication::arguments();
        if (args.size() > 1 && args[1] == "--tracker-scenario") run_scenario_and_exit(args.mid(2));
    }

private slots:
    // First: it needs the tracker started after the pipe exists (a leftover one is replaced).
    void trackerHoldsNoUnrelatedFds() {
        if (auto old = tracker::tracker_pid()) {
            ::kill(*old, SIGKILL);
            QVERIFY(wait_until([&] { return process_gone(*old); }));
        }
        int p[2];
        QCOMPARE(::pipe(p), 0); // inheritable on purpose: fork would hand both ends to the tracker
        int sv[2];
        QCOMPARE(::socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
        auto closer = qScopeGuard([&] {
            for (int fd : {p[0], p[1], sv[0], sv[1]})
                if (fd >= 0) ::close(fd);
        });
        std::string tracker_stderr;
        {
            StderrCapture capture; // a replaced tracker is announced
            tracker::ensure_running();
            tracker_stderr = fd_target(::getpid(), 2);
        }
        auto pid = tracker::tracker_pid();
        QVERIFY(pid.has_value());
        QVERIFY(!process_gone(*pid));

        ::close(p[1]);
        p[1] = -1;
        pollfd pr{p[0], POLLIN, 0};
        QCOMPARE(::poll(&pr, 1, 5000), 1);
        char c;
        QCOMPARE(::read(p[0], &c, 1), ssize_t(0)); // EOF: nobody else holds the write end
        ::close(sv[1]);
        sv[1] = -1;
        pollfd ps{sv[0], POLLIN, 0};
        QCOMPARE(::poll(&ps, 1, 5000), 1);
        QCOMPARE(::read(sv[0], &c, 1), ssize_t(0));

        QCOMPARE(open_fds_of(*pid), (std::set<int>{0, 1, 2, 3}));
        QCOMPARE(fd_target(*pid, 0), std::string("/dev/null"));
        QCOMPARE(fd_target(*pid, 1), std::string("/dev/null"));
        QCOMPARE(fd_target(*pid, 2), tracker_stderr); // its warnings go where ours went
        QVERIFY(fd_target(*pid, 3).rfind("pipe:", 0) == 0);
    }

    void trackerIsDetached() {
        tracker::ensure_running();
        auto pid = tracker::tracker_pid();
        QVERIFY(pid.has_value());
        auto st = proc_stat(*pid);
        QCOMPARE(st.size(), std::size_t(4));
        QVERIFY(st[1] != std::to_string(::getpid()));  // not our child
        QVERIFY(st[2] != std::to_string(::getpgrp())); // not in our process group
        QVERIFY(st[3] != std::to_string(::getsid(0))); // nor in our session
        QCOMPARE(mp::active_children().size(), std::size_t(0));
        unsigned long long ignored = ignored_signals(*pid);
        QVERIFY(ignored & (1ULL << (SIGINT - 1)));
        QVERIFY(ignored & (1ULL << (SIGTERM - 1)));
        int fd = tracker::fd();
        QVERIFY(fd > 2);
        QVERIFY(::fcntl(fd, F_GETFD) & FD_CLOEXEC);
        // A second call finds it alive and keeps it.
        tracker::ensure_running();
        QCOMPARE(tracker::tracker_pid(), pid);
        QCOMPARE(tracker::fd(), fd);
    }

    void messageLimits() {
        // "REGISTER:" + name + ":noop\n" is exactly 512 bytes for a 497-byte name, "UNREGISTER:..." for 495.
        tracker::register_resource(std::string(497, 'n'), "noop");
        tracker::unregister_resource(std::string(495, 'n'), "noop");
        QVERIFY(throws_with<mp::ValueError>([] { tracker::register_resource(std::string(498, 'n'), "noop"); },
                                            "msg too long"));
        QVERIFY(throws_with<mp::ValueError>(
            [] { tracker::unregister_resource(std::string(496, 'n'), "noop"); }, "msg too long"));
        QVERIFY(throws_with<mp::ValueError>(
            [&] { tracker::register_resource(std::string(600, 'x'), "shared_memory"); }, "msg too long"));
        QCOMPARE(error_of<mp::ValueError>([] { tracker::register_resource("a\nREGISTER:b", "file"); }),
                 std::string("resource name contains a newline: a\nREGISTER:b"));
        QCOMPARE(error_of<mp::ValueError>([] { tracker::register_resource("a", "file:x"); }),
                 std::string("resource type contains ':': file:x"));
    }

    void cleanupAtExit_data() {
        QTest::addColumn<QString>("rtype");
        QTest::addColumn<bool>("create");
        QTest::addColumn<bool>("unregister");
        QTest::addColumn<QString>("warning"); // {name} stands for the object; empty: no output at all
        QTest::addColumn<bool>("removed");
        QTest::newRow("unregistered") << "shared_memory" << true << true << "" << false;
        QTest::newRow("leaked shared_memory") << "shared_memory" << true << false << leak_warning << true;
        QTest::newRow("session, silently") << "session" << true << false << "" << true;
        QTest::newRow("session already gone") << "session" << false << false << "" << false;
        QTest::newRow("leaked file") << "file" << true << false
                                     << "resource_tracker: There appear to be 1 leaked file objects to clean "
                                        "up at shutdown"
                                     << true;
        QTest::newRow("cleanup error")
            << "shared_memory" << false << false
            << "resource_tracker: '{name}': [Errno 2] No such file or directory" << false;
    }
    void cleanupAtExit() {
        QFETCH(QString, rtype);
        QFETCH(bool, create);
        QFETCH(bool, unregister);
        QFETCH(QString, warning);
        QFETCH(bool, removed);
        QTemporaryDir dir;
        const bool is_file = rtype == "file";
        std::string name = is_file ? (dir.path() + "/leftover").toStdString() : unique_shm_name("exit");
        auto exists = [&] { return is_file ? path_exists(name) : shm_exists(name); };
        if (create) {
            if (is_file)
                std::ofstream(name) << "x";
            else
                create_shm(name);
        }
        auto cleanup = qScopeGuard([&] {
            if (is_file)
                ::unlink(name.c_str());
            else
                ::shm_unlink(name.c_str());
        });
        QStringList steps{"reg:" + rtype + ":" + QString::fromStdString(name)};
        if (unregister) steps << "unreg:" + rtype + ":" + QString::fromStdString(name);
        steps << "pid";
        Scenario s(steps);
        int pid = s.tracker_pid();
        QVERIFY(pid > 0);
        QVERIFY(s.finished_ok());
        QVERIFY(wait_until([&] { return process_gone(pid); }));
        std::string err = s.err();
        if (warning.isEmpty()) {
            QCOMPARE(err, std::string());
        } else {
            std::string expected = warning.replace("{name}", QString::fromStdString(name)).toStdString();
            QVERIFY2(err.find(expected) != std::string::npos, (expected + "\n---\n" + err).c_str());
        }
        QCOMPARE(exists(), create && !removed);
    }

    void badMessagesAreReported() {
        std::string name = unique_shm_name("bad");
        create_shm(name);
        auto cleanup = qScopeGuard([&] { ::shm_unlink(name.c_str()); });
        Scenario s({"reg:bogus:x", "raw:garbage", "raw:FROB:y:shared_memory", "rawlong",
                    "unreg:shared_memory:/never-registered",
                    "reg:shared_memory:" + QString::fromStdString(name), "pid"});
        int pid = s.tracker_pid();
        QVERIFY(pid > 0);
        QVERIFY(s.finished_ok());
        QVERIFY(wait_until([&] { return process_gone(pid); }));
        std::string err = s.err();
        for (const char* expected : {"resource_tracker: ValueError: Cannot register x for automatic cleanup: "
                                     "unknown resource type bogus",
                                     "resource_tracker: ValueError: malformed message: garbage",
                                     "resource_tracker: RuntimeError: unrecognized command 'FROB'",
                                     "resource_tracker: ValueError: message longer than 512 bytes",
                                     "resource_tracker: KeyError: '/never-registered'", leak_warning})
            QVERIFY2(count_of(err, expected) == 1, (std::string(expected) + "\n---\n" + err).c_str());
        QVERIFY(!shm_exists(name)); // the tracker went on working after each bad message
    }

    // Registrations racing from several threads start one tracker, which learns every name.
    void concurrentRegistrations() {
        QTemporaryDir dir;
        Scenario s({"threads:" + dir.path(), "pid"});
        int pid = s.tracker_pid();
        QVERIFY(pid > 0);
        QVERIFY(s.finished_ok());
        QVERIFY(wait_until([&] { return process_gone(pid); }));
        std::string err = s.err();
        QCOMPARE(err,
                 std::string("UserWarning: resource_tracker: There appear to be 100 leaked file objects to "
                             "clean up at shutdown\n"));
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files).size(), 0);
    }

    void signalsAndRelaunch() {
        std::string first = unique_shm_name("first");
        std::string second = unique_shm_name("second");
        create_shm(first);
        create_shm(second);
        auto cleanup = qScopeGuard([&] {
            ::shm_unlink(first.c_str());
            ::shm_unlink(second.c_str());
        });
        Scenario s({"reg:shared_memory:" + QString::fromStdString(first), "pid", "wait",
                    "reg:shared_memory:" + QString::fromStdString(second), "pid"});
        int pid = s.tracker_pid();
        QVERIFY(pid > 0);
        auto killer = qScopeGuard([&] { ::kill(pid, SIGKILL); });

        QCOMPARE(::kill(pid, SIGTERM), 0);
        QCOMPARE(::kill(pid, SIGINT), 0);
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        QVERIFY(!process_gone(pid));
        QCOMPARE(::kill(pid, SIGKILL), 0);
        QVERIFY(wait_until([&] { return process_gone(pid); }));
        QVERIFY(shm_exists(first)); // a killed tracker cleans nothing up

        s.write("go\n"); // the next registration finds the tracker dead
        int relaunched = s.tracker_pid();
        QVERIFY(relaunched > 0);
        QVERIFY(relaunched != pid);
        auto killer2 = qScopeGuard([&] { ::kill(relaunched, SIGKILL); });
        QVERIFY(s.finished_ok());
        QVERIFY(wait_until([&] { return process_gone(relaunched); }));
        std::string err = s.err();
        QCOMPARE(count_of(err, relaunch_warning), std::size_t(1));
        // The relaunched tracker also got the registration made before the kill.
        QVERIFY2(err.find("resource_tracker: There appear to be 2 leaked shared_memory objects") !=
                     std::string::npos,
                 err.c_str());
        QVERIFY(!shm_exists(first));
        QVERIFY(!shm_exists(second));
    }

    void killedTreeIsCleanedUp_data() {
        QTest::addColumn<QString>("method");
        for (const char* m : {"fork", "spawn", "forkserver"})
            QTest::newRow(m) << QString(m);
    }
    void killedTreeIsCleanedUp() {
        QFETCH(QString, method);
        std::string session = unique_shm_name("session");
        std::string shm = unique_shm_name("shm");
        create_shm(session);
        create_shm(shm);
        auto cleanup = qScopeGuard([&] {
            ::shm_unlink(session.c_str());
            ::shm_unlink(shm.c_str());
        });
        Scenario s({"reg:session:" + QString::fromStdString(session),
                    "reg:shared_memory:" + QString::fromStdString(shm), "pid", "tree:" + method});
        int tracker_pid = s.tracker_pid();
        QVERIFY(tracker_pid > 0);
        std::vector<int> pids(3, 0);
        auto killer = qScopeGuard([&] {
            for (int pid : pids)
                if (pid > 0) ::kill(pid, SIGKILL);
        });
        std::string inode;
        for (int i = 0; i < 3; ++i) {
            std::istringstream line(s.line());
            std::string word, ino, cloexec;
            int depth = -1, pid = 0;
            line >> word >> depth >> pid >> ino >> cloexec;
            QCOMPARE(word, std::string("proc"));
            QVERIFY(depth >= 0 && depth < 3);
            pids[static_cast<std::size_t>(depth)] = pid;
            // Every process of the tree holds the same pipe, close-on-exec.
            QVERIFY(ino != "0");
            if (inode.empty()) inode = ino;
            QCOMPARE(ino, inode);
            QCOMPARE(cloexec, std::string("1"));
        }
        QCOMPARE(pids[0], s.pid());

        // The main process and the child die; the grandchild keeps the session alive.
        s.kill();
        QCOMPARE(::kill(pids[1], SIGKILL), 0);
        QVERIFY(wait_until([&] { return process_gone(pids[1]); }));
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        QVERIFY(!process_gone(tracker_pid));
        QVERIFY(shm_exists(session));
        QVERIFY(shm_exists(shm));

        QCOMPARE(::kill(pids[2], SIGKILL), 0);
        QVERIFY(wait_until([&] { return !shm_exists(session) && !shm_exists(shm); }));
        QVERIFY(wait_until([&] { return process_gone(tracker_pid); }));
        std::string err = s.err();
        QVERIFY2(err.find(leak_warning) != std::string::npos, err.c_str());
        QVERIFY2(err.find(session) == std::string::npos, err.c_str()); // the session goes silently
    }
};

MP_QTEST_MAIN(TestResourceTracker)
#include "tst_resource_tracker.moc"
