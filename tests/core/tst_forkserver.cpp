// The forkserver (SPEC §14): a lazily started, single-threaded server whose children are not ours; fds
// passed by SCM_RIGHTS and rewritten; restart after the server is killed; 255 for children whose status
// died with it; the server leaving when its clients are gone.
#include "mp_test_main.hpp"
#include "process_test_support.hpp"

#include <mp/context.hpp>
#include <mp/process.hpp>
#include <mp/util.hpp>

#include <QProcess>
#include <QProcessEnvironment>
#include <QTest>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <dirent.h>
#include <fcntl.h>
#include <fstream>
#include <iostream>
#include <poll.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace {

using namespace test_support;

mp::Context& forkserver() {
    return mp::get_context("forkserver");
}

// A process that is gone or only a zombie no longer runs.
bool process_running(int pid) {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    if (!std::getline(stat, line)) return false;
    auto close_paren = line.rfind(')');
    return close_paren != std::string::npos && close_paren + 2 < line.size() && line[close_paren + 2] != 'Z';
}

bool wait_until_not_running(int pid) {
    for (int i = 0; i < 4000; ++i) {
        if (!process_running(pid)) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return false;
}

void kill_server() {
    if (auto pid = mp::forkserver::server_pid()) {
        ::kill(*pid, SIGKILL);
        ::waitpid(*pid, nullptr, 0);
    }
}

// ---- tasks ----------------------------------------------------------------------------------------

void report_ppid_and_fd(mp::Handle out) {
    write_text(out.fds.at(0), std::to_string(::getppid()) + "," + std::to_string(out.fds.at(0)) + "\n");
}
MP_TASK(report_ppid_and_fd);

void wait_for_byte_then_report(mp::Handle gate, mp::Handle out) {
    write_text(out.fds.at(0), "ready\n");
    char c;
    while (::read(gate.fds.at(0), &c, 1) < 0 && errno == EINTR) {
    }
    write_text(out.fds.at(0), "released\n");
}
MP_TASK(wait_for_byte_then_report);

void block_forever() {
    for (;;)
        ::pause();
}
MP_TASK(block_forever);

int square(int x) {
    return x * x;
}
void exit_with_square(int x) {
    mp::exit(square(x));
}
MP_TASK(exit_with_square);

} // namespace

class TestForkServer : public QObject {
    Q_OBJECT
public:
    TestForkServer() {
        // Scenario: a program that starts a forkserver child and exits; the server must follow it.
        if (std::getenv("MP_TST_SERVER_SCENARIO")) {
            mp::Process p = forkserver().Process(exit_with_square, mp::args(3));
            p.start();
            p.join();
            std::cout << mp::forkserver::server_pid().value() << " " << p.exitcode().value() << std::endl;
            std::exit(0);
        }
    }

private slots:
    void startedLazilyAndSingleThreaded() {
        QVERIFY(!mp::forkserver::server_pid().has_value());
        mp::Process p = forkserver().Process(exit_with_square, mp::args(5));
        p.start();
        p.join();
        QCOMPARE(p.exitcode(), std::optional<int>(25));
        auto server = mp::forkserver::server_pid();
        QVERIFY(server.has_value());
        mp::forkserver::ensure_running(); // running already: same server
        QCOMPARE(mp::forkserver::server_pid(), server);
        int threads = 0;
        if (DIR* d = ::opendir(("/proc/" + std::to_string(*server) + "/task").c_str())) {
            while (dirent* e = ::readdir(d))
                if (e->d_name[0] != '.') ++threads;
            ::closedir(d);
        }
        QCOMPARE(threads, 1);
        std::ifstream cmdline("/proc/" + std::to_string(*server) + "/cmdline", std::ios::binary);
        std::string args((std::istreambuf_iterator<char>(cmdline)), std::istreambuf_iterator<char>());
        QVERIFY2(args.find(std::string("\0--multiprocessing-forkserver\0", 30)) != std::string::npos,
                 args.c_str());
    }

    void listenerIsPrivate() {
        mp::forkserver::ensure_running();
        const std::string dir = mp::util::get_temp_dir();
        struct stat dir_stat {};
        QCOMPARE(::stat(dir.c_str(), &dir_stat), 0);
        QCOMPARE(dir_stat.st_mode & 0777, mode_t(0700));
        int sockets = 0;
        DIR* d = ::opendir(dir.c_str());
        QVERIFY(d);
        while (dirent* e = ::readdir(d)) {
            struct stat st {};
            if (::stat((dir + "/" + e->d_name).c_str(), &st) == 0 && S_ISSOCK(st.st_mode)) {
                ++sockets;
                QCOMPARE(st.st_mode & 0777, mode_t(0600));
            }
        }
        ::closedir(d);
        QCOMPARE(sockets, 1);
    }

    void childrenAreTheServers() {
        RawPipe out;
        // A high fd number: the child receives it by SCM_RIGHTS under another number.
        int high = ::fcntl(out.w(), F_DUPFD_CLOEXEC, 700);
        QVERIFY(high >= 700);
        mp::Process p = forkserver().Process(report_ppid_and_fd, mp::args(mp::Handle{"fd", "", {}, {high}}));
        p.start();
        ::close(high);
        auto line = read_line(out.r());
        QVERIFY(line.has_value());
        auto comma = line->find(',');
        QCOMPARE(std::stoi(line->substr(0, comma)), mp::forkserver::server_pid().value());
        QVERIFY(std::stoi(line->substr(comma + 1)) != high);
        p.join();
        QCOMPARE(p.exitcode(), std::optional<int>(0));
        errno = 0;
        QCOMPARE(::waitpid(p.pid().value(), nullptr, WNOHANG), -1); // not our child: the server reaps it
        QCOMPARE(errno, ECHILD);
    }

    void restartAfterServerKilled() {
        mp::forkserver::ensure_running();
        auto first = mp::forkserver::server_pid().value();
        ::kill(first, SIGKILL);
        QVERIFY(wait_until_not_running(first));
        mp::Process p = forkserver().Process(exit_with_square, mp::args(4));
        p.start(); // a new server is started transparently
        p.join();
        QCOMPARE(p.exitcode(), std::optional<int>(16));
        auto second = mp::forkserver::server_pid();
        QVERIFY(second.has_value());
        QVERIFY(*second != first);
    }

    void orphanedChildReports255() {
        RawPipe gate, out;
        mp::Process p =
            forkserver().Process(wait_for_byte_then_report, mp::args(mp::Handle{"fd", "", {}, {gate.r()}},
                                                                     mp::Handle{"fd", "", {}, {out.w()}}));
        p.start();
        QCOMPARE(read_line(out.r()).value_or("<none>"), std::string("ready"));
        kill_server();
        p.join(); // the status died with the server
        QCOMPARE(p.exitcode(), std::optional<int>(255));
        QVERIFY(!p.is_alive());
        // The child itself lives on as an orphan; release it and see it finish its work.
        QVERIFY(process_running(p.pid().value()));
        QCOMPARE(::write(gate.w(), "x", 1), ssize_t(1));
        QCOMPARE(read_line(out.r()).value_or("<none>"), std::string("released"));
        QVERIFY(wait_until_not_running(p.pid().value()));
    }

    void terminateAndConcurrentStarts() {
        mp::Process victim = forkserver().Process(block_forever);
        victim.start();
        victim.terminate();
        victim.join();
        QCOMPARE(victim.exitcode(), std::optional<int>(-SIGTERM));

        std::vector<std::thread> threads;
        std::vector<std::optional<int>> codes(4);
        for (int t = 0; t < 4; ++t)
            threads.emplace_back([t, &codes] {
                for (int i = 0; i < 5; ++i) {
                    mp::Process p = forkserver().Process(exit_with_square, mp::args(t + 2));
                    p.start();
                    p.join();
                    if (p.exitcode() != square(t + 2)) {
                        codes[t] = p.exitcode();
                        return;
                    }
                }
                codes[t] = square(t + 2);
            });
        for (auto& th : threads)
            th.join();
        for (int t = 0; t < 4; ++t)
            QCOMPARE(codes[t], std::optional<int>(square(t + 2)));
    }

    void tooManyFds() {
        mp::Handle many{"fd", "", {}, {}};
        RawPipe keep;
        std::vector<int> dups;
        for (int i = 0; i < 300; ++i)
            dups.push_back(::fcntl(keep.r(), F_DUPFD_CLOEXEC, 0));
        many.fds = dups;
        mp::Process p = forkserver().Process(block_forever, mp::args(many));
        // child_r, child_w, the server's alive fd, the resource tracker's pipe and the 300 extras.
        QCOMPARE(error_of<mp::ValueError>([&] { p.start(); }),
                 std::string("too many file descriptors to pass to a forkserver child (304 > 256)"));
        for (int fd : dups)
            ::close(fd);
        QVERIFY(!p.pid().has_value());
    }

    void serverLeavesWithItsClient() {
        QProcess proc;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert("MP_TST_SERVER_SCENARIO", "1");
        proc.setProcessEnvironment(env);
        proc.start(QCoreApplication::applicationFilePath(), {});
        QVERIFY(proc.waitForFinished(60000));
        QCOMPARE(proc.exitCode(), 0);
        std::string out = proc.readAllStandardOutput().toStdString();
        int server = std::stoi(out);
        QCOMPARE(out.substr(out.find(' ') + 1), std::string("9\n"));
        // Its alive pipe reached EOF when the client exited.
        QVERIFY(wait_until_not_running(server));
    }
};

MP_QTEST_MAIN(TestForkServer)
#include "tst_forkserver.moc"
