// Step mode: every gated operation parks until the controller releases it, so the controller decides
// the interleaving of real processes. Two children contend for one Lock and the test chooses who wins,
// under every start method.
#include "mp_test_main.hpp"
#include "process_test_support.hpp"

#include <mp/context.hpp>
#include <mp/process.hpp>
#include <mp/scope/observe.hpp>
#include <mp/scope/session.hpp>
#include <mp/synchronize.hpp>

#include <QTest>

#include <chrono>
#include <optional>
#include <string>

namespace {

using namespace test_support;

// Takes the lock, reports who got it, releases it.
void contender(mp::Lock lock, std::string name, mp::Handle report) {
    lock.acquire();
    write_text(report.fds.at(0), name + "\n");
    lock.release();
}
MP_TASK(contender);

const mp::scope::ProcessInfo* find_by_pid(const mp::scope::Snapshot& snap, int pid) {
    for (const auto& p : snap.processes)
        if (p.pid == pid) return &p;
    return nullptr;
}

// Waits until the child with `pid` is parked before `op`, or blocked in `op` when `blocked` is set.
bool wait_until(mp::scope::Session& session, int pid, const std::string& op, bool blocked,
                std::chrono::seconds limit = std::chrono::seconds(10)) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    std::uint32_t seen = session.park_seq();
    while (std::chrono::steady_clock::now() < deadline) {
        const auto snap = session.snapshot();
        if (const auto* p = find_by_pid(snap, pid)) {
            if (!blocked && p->parked && p->parked->op == op) return true;
            if (blocked)
                for (const auto& w : p->waits)
                    if (w.op == op) return true;
        }
        session.wait_for_change(seen, 0.05);
    }
    return false;
}

mp::scope::ProcessId id_of(mp::scope::Session& session, int pid) {
    const auto snap = session.snapshot();
    const auto* p = find_by_pid(snap, pid);
    return p ? p->id : 0;
}

} // namespace

class TestScopeGates : public QObject {
    Q_OBJECT

private slots:
    void controllerDecidesWhoWins_data() {
        QTest::addColumn<QString>("method");
        QTest::addColumn<bool>("secondWins");
        for (const char* method : {"fork", "spawn", "forkserver"}) {
            QTest::addRow("%s/first-wins", method) << QString::fromLatin1(method) << false;
            QTest::addRow("%s/second-wins", method) << QString::fromLatin1(method) << true;
        }
    }

    void controllerDecidesWhoWins() {
        QFETCH(QString, method);
        QFETCH(bool, secondWins);
        mp::Context& ctx = mp::get_context(method.toStdString());
        mp::Lock lock = ctx.Lock();
        RawPipe report;
        auto session = mp::scope::Session::attach(mp::scope::current_session());
        session.set_step_mode(true);
        auto step_mode_off = qScopeGuard([&] { session.set_step_mode(false); });

        mp::Process a = ctx.Process(contender, mp::args(lock, "a", report.write_handle()));
        mp::Process b = ctx.Process(contender, mp::args(lock, "b", report.write_handle()));
        a.start();
        b.start();
        auto reap = qScopeGuard([&] {
            session.set_step_mode(false);
            for (mp::Process* p : {&a, &b}) {
                if (p->is_alive()) p->kill();
                p->join();
            }
        });
        const int pid_a = *a.pid(), pid_b = *b.pid();

        // Both stop in front of their acquire: nothing has happened yet.
        QVERIFY2(wait_until(session, pid_a, "acquire", false), "a did not park before acquire");
        QVERIFY2(wait_until(session, pid_b, "acquire", false), "b did not park before acquire");
        QVERIFY(!lock.locked());

        const int winner = secondWins ? pid_b : pid_a;
        const int loser = secondWins ? pid_a : pid_b;
        // The chosen one takes the lock and parks again in front of its release.
        session.release(id_of(session, winner));
        QVERIFY2(wait_until(session, winner, "release", false), "the winner did not park before release");
        QVERIFY(lock.locked());
        // The other one, let go now, really blocks on the lock the winner holds.
        session.release(id_of(session, loser));
        QVERIFY2(wait_until(session, loser, "acquire", true), "the loser did not block on the lock");
        // Letting the winner release hands the lock to the loser, which parks before its own release.
        session.release(id_of(session, winner));
        QVERIFY2(wait_until(session, loser, "release", false), "the loser did not get the lock");
        session.release(id_of(session, loser));

        const std::string first = read_line(report.r()).value_or("?");
        const std::string second = read_line(report.r()).value_or("?");
        QCOMPARE(QString::fromStdString(first), QString::fromLatin1(secondWins ? "b" : "a"));
        QCOMPARE(QString::fromStdString(second), QString::fromLatin1(secondWins ? "a" : "b"));
        a.join();
        b.join();
        QCOMPARE(a.exitcode(), std::optional<int>(0));
        QCOMPARE(b.exitcode(), std::optional<int>(0));
        QVERIFY(!lock.locked());
    }

    void stepModeOffReleasesEveryone() {
        mp::Lock lock;
        RawPipe report;
        auto session = mp::scope::Session::attach(mp::scope::current_session());
        session.set_step_mode(true);
        mp::Process a(contender, mp::args(lock, "a", report.write_handle()));
        a.start();
        QVERIFY(wait_until(session, *a.pid(), "acquire", false));
        session.set_step_mode(false);
        QCOMPARE(QString::fromStdString(read_line(report.r()).value_or("?")), QStringLiteral("a"));
        a.join();
        QCOMPARE(a.exitcode(), std::optional<int>(0));
    }
};

MP_QTEST_MAIN(TestScopeGates)
#include "tst_scope_gates.moc"
