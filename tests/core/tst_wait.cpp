// connection::wait() (SPEC §5): readiness, input order, timeouts, EINTR, and its errors.
#include "connection_test_support.hpp"
#include "mp_test_main.hpp"

#include <QTest>
#include <mp/connection.hpp>
#include <mp/context.hpp>
#include <mp/process.hpp>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

using connection_test::error_of;
using connection_test::exit_status;
using mp::Connection;
using mp::connection::wait;
using mp::connection::Waitable;

namespace {

void on_alarm(int) {}

} // namespace

void return_at_once() {}
MP_TASK(return_at_once);

// Blocks until a message arrives on `release`.
void block_until_released(Connection release) {
    release.recv_bytes();
}
MP_TASK(block_until_released);

// Sends after a pause long enough for the parent to be blocked in wait().
void send_after_pause(Connection conn) {
    ::usleep(50'000);
    conn.send_bytes("from child");
}
MP_TASK(send_after_pause);

void send_index_and_close(Connection w, int index) {
    w.send(index);
    w.close();
}
MP_TASK(send_index_and_close);

class TestWait : public QObject {
    Q_OBJECT
private slots:
    void timeoutReturnsEmpty() {
        auto [a, b] = mp::Pipe();
        QVERIFY(wait({a, b}, 0.0).empty());
        QVERIFY(wait({a, b}, -5.0).empty()); // negative is 0
        QVERIFY(wait({a, b}, 0.02).empty());
        QVERIFY(wait(std::vector<Waitable>{}, 0.0).empty());
    }

    void readyInInputOrder() {
        auto [a1, b1] = mp::Pipe();
        auto [a2, b2] = mp::Pipe();
        auto [a3, b3] = mp::Pipe();
        a3.send_bytes("3");
        a1.send_bytes("1");
        const std::vector<Waitable> ready = wait({b1, b2, b3}, 0.0);
        QCOMPARE(ready.size(), std::size_t(2));
        QVERIFY(*ready[0].connection() == b1);
        QVERIFY(*ready[1].connection() == b3);
        // wait() does not consume anything.
        QCOMPARE(b1.recv_bytes(), std::string("1"));
        QCOMPARE(b3.recv_bytes(), std::string("3"));
    }

    void homogeneousListsReturnTheirElements() {
        auto [r1, w1] = mp::Pipe(false);
        auto [r2, w2] = mp::Pipe(false);
        w2.send_bytes("x");
        const std::vector<Connection> readers{r1, r2};
        const std::vector<Connection> ready = wait(readers, 0.0);
        QCOMPARE(ready.size(), std::size_t(1));
        QVERIFY(ready[0] == r2);
        const std::vector<int> fds{r1.fileno(), r2.fileno()};
        QCOMPARE(wait(fds, 0.0), std::vector<int>{r2.fileno()});
    }

    void endOfFileIsReady() {
        auto [r, w] = mp::Pipe(false);
        auto [a, b] = mp::Pipe();
        w.close();
        const auto ready = wait({r, b}, 0.0);
        QCOMPARE(ready.size(), std::size_t(1));
        QVERIFY(*ready[0].connection() == r);
        QVERIFY_THROWS_EXCEPTION(mp::EOFError, r.recv_bytes());
    }

    void mixedConnectionsAndDescriptors() {
        auto [a, b] = mp::Pipe();
        int fds[2];
        QCOMPARE(::pipe(fds), 0);
        QCOMPARE(::write(fds[1], "z", 1), ssize_t(1));
        const auto ready = wait({b, fds[0]}, 0.0);
        QCOMPARE(ready.size(), std::size_t(1));
        QVERIFY(ready[0].connection() == nullptr);
        QCOMPARE(ready[0].fileno(), fds[0]);
        ::close(fds[0]);
        ::close(fds[1]);
    }

    void sentinelOfExitedProcess() {
        // A process sentinel is a descriptor that becomes readable (end of file) when the process ends.
        int fds[2];
        QCOMPARE(::pipe(fds), 0);
        const pid_t pid = ::fork();
        if (pid == 0) {
            ::close(fds[0]);
            ::usleep(50'000);
            ::_exit(0); // fds[1] closes here
        }
        ::close(fds[1]);
        const int sentinel = fds[0];
        const auto ready = wait({Waitable(sentinel)}, std::nullopt);
        QCOMPARE(ready.size(), std::size_t(1));
        QCOMPARE(ready[0].fileno(), sentinel);
        QCOMPARE(exit_status(pid), 0);
        ::close(sentinel);
    }

    void blocksUntilAnotherProcessSends_data() { connection_test::add_start_methods(); }
    void blocksUntilAnotherProcessSends() {
        QFETCH(QString, method);
        auto [a, b] = mp::Pipe();
        auto [c, d] = mp::Pipe();
        mp::Process p = mp::get_context(method.toStdString()).Process(send_after_pause, mp::args(c));
        p.start();
        const auto ready = wait({b, d});
        QCOMPARE(ready.size(), std::size_t(1));
        QVERIFY(*ready[0].connection() == d);
        QCOMPARE(d.recv_bytes(), std::string("from child"));
        p.join();
        QCOMPARE(p.exitcode(), std::optional<int>(0));
    }

    void errors() {
        auto [a, b] = mp::Pipe();
        QCOMPARE(error_of<mp::KeyError>([&] {
                     wait({a, b, a}, 0.0);
                 }),
                 QString("<Connection fd=%1> (FD %1) is already registered").arg(a.fileno()));
        // The same descriptor through a Connection and as a plain int is still the same object to poll.
        QCOMPARE(error_of<mp::KeyError>([&] {
                     wait({a.fileno(), a}, 0.0);
                 }),
                 QString("<Connection fd=%1> (FD %1) is already registered").arg(a.fileno()));
        QCOMPARE(error_of<mp::KeyError>([&] {
                     wait({Waitable(3), Waitable(3)}, 0.0);
                 }),
                 QString("3 (FD 3) is already registered"));
        QCOMPARE(error_of<mp::ValueError>([&] { wait({Waitable(-1)}, 0.0); }),
                 QString("Invalid file descriptor: -1"));
        Connection closed = b;
        closed.close();
        QCOMPARE(error_of<mp::OSError>([&] { wait({a, closed}, 0.0); }), QString("handle is closed"));
    }

    void interruptedBySignalKeepsWaiting() {
        // SIGALRM without SA_RESTART interrupts poll(2) every 10 ms; wait() must retry with the time that is
        // left, neither failing nor returning early.
        struct sigaction action {};
        action.sa_handler = on_alarm;
        sigemptyset(&action.sa_mask);
        action.sa_flags = 0;
        struct sigaction previous {};
        QCOMPARE(::sigaction(SIGALRM, &action, &previous), 0);
        itimerval every_10ms{{0, 10'000}, {0, 10'000}};
        QCOMPARE(::setitimer(ITIMER_REAL, &every_10ms, nullptr), 0);

        auto [a, b] = mp::Pipe();
        const auto start = std::chrono::steady_clock::now();
        const auto ready = wait({b}, 0.15);
        const auto elapsed = std::chrono::steady_clock::now() - start;
        QVERIFY(ready.empty());
        QVERIFY(elapsed >= std::chrono::milliseconds(150));
        QVERIFY(!b.poll(0.05));

        const pid_t pid = ::fork();
        if (pid == 0) {
            ::usleep(60'000);
            a.send_bytes("after signals");
            ::_exit(0);
        }
        QCOMPARE(wait({b}).size(), std::size_t(1));
        QCOMPARE(b.recv_bytes(), std::string("after signals"));

        itimerval off{};
        ::setitimer(ITIMER_REAL, &off, nullptr);
        ::sigaction(SIGALRM, &previous, nullptr);
        QCOMPARE(exit_status(pid), 0);
    }

    void processSentinels_data() { connection_test::add_start_methods(); }
    void processSentinels() {
        // A sentinel is ready once its process has ended, and not before.
        QFETCH(QString, method);
        mp::Context& context = mp::get_context(method.toStdString());
        auto [release_r, release_w] = mp::Pipe(false);
        mp::Process blocked = context.Process(block_until_released, mp::args(release_r));
        mp::Process quick = context.Process(return_at_once);
        blocked.start();
        quick.start();
        release_r.close();
        const auto ready = wait({blocked.sentinel(), quick.sentinel()});
        QCOMPARE(ready.size(), std::size_t(1));
        QCOMPARE(ready[0].fileno(), quick.sentinel());
        QVERIFY(blocked.is_alive());
        release_w.send_bytes("go");
        QCOMPARE(wait(std::vector<int>{blocked.sentinel()}), std::vector<int>{blocked.sentinel()});
        blocked.join();
        quick.join();
        QCOMPARE(blocked.exitcode(), std::optional<int>(0));
        QCOMPARE(quick.exitcode(), std::optional<int>(0));
    }

    void connectionsFedByChildren_data() { connection_test::add_start_methods(); }
    void connectionsFedByChildren() {
        // The wait() example's loop: read whatever is ready until every reader reports end of file.
        QFETCH(QString, method);
        mp::Context& context = mp::get_context(method.toStdString());
        std::vector<Connection> readers;
        std::vector<mp::Process> children;
        for (int i = 0; i < 3; ++i) {
            auto [r, w] = mp::Pipe(false);
            readers.push_back(r);
            children.push_back(context.Process(send_index_and_close, mp::args(w, i)));
            children.back().start();
            w.close();
        }
        std::vector<std::int64_t> received;
        while (!readers.empty()) {
            for (const Connection& r : wait(readers)) {
                try {
                    received.push_back(r.recv().as_int());
                } catch (const mp::EOFError&) {
                    readers.erase(std::find(readers.begin(), readers.end(), r));
                }
            }
        }
        std::sort(received.begin(), received.end());
        QCOMPARE(received, (std::vector<std::int64_t>{0, 1, 2}));
        for (mp::Process& p : children) {
            p.join();
            QCOMPARE(p.exitcode(), std::optional<int>(0));
        }
    }

    void timeoutValueErrors() {
        auto [a, b] = mp::Pipe();
        QCOMPARE(error_of<mp::ValueError>([&] { wait({b}, std::nan("")); }),
                 QString("cannot convert float NaN to integer"));
        QCOMPARE(error_of<mp::OverflowError>([&] { wait({b}, HUGE_VAL); }),
                 QString("cannot convert float infinity to integer"));
        QVERIFY(wait({b}, -HUGE_VAL).empty());
    }
};

MP_QTEST_MAIN(TestWait)
#include "tst_wait.moc"
