// The session arena: one shared-memory segment per program run, removed when the session's last process
// is gone - also when every process is killed with SIGKILL; a clear MemoryError when it is full; rows of
// dropped objects reused.
#include "mp_test_main.hpp"
#include "process_test_support.hpp"
#include "session_test_support.hpp"

#include <mp/context.hpp>
#include <mp/process.hpp>
#include <mp/queues.hpp>
#include <mp/scope/observe.hpp>
#include <mp/scope/session.hpp>
#include <mp/sharedctypes.hpp>
#include <mp/synchronize.hpp>

#include <QProcess>
#include <QProcessEnvironment>
#include <QTest>

#include <chrono>
#include <csignal>
#include <iostream>
#include <string>
#include <sys/stat.h>
#include <thread>
#include <vector>

namespace {

using namespace test_support;

void wait_for_ever(mp::Event never, mp::Lock lock, mp::Value value, mp::Queue queue) {
    lock.acquire(false);
    value.set(value.get<int>() + 1);
    queue.put(mp::current_process().name());
    never.wait();
}
MP_TASK(wait_for_ever);

// A whole program, run by this binary started again with --arena-scenario <method>: shared objects of
// every kind, two children blocked for ever, the session name on stdout, then it waits to be killed.
[[noreturn]] void run_scenario(const std::string& method) {
    mp::Context& ctx = mp::get_context(method);
    mp::Event never = ctx.Event();
    mp::Lock lock = ctx.Lock();
    mp::Value value = ctx.Value('i', 0);
    mp::Queue queue = ctx.Queue();
    std::vector<mp::Process> children;
    for (int i = 0; i < 2; ++i) {
        children.push_back(ctx.Process(wait_for_ever, mp::args(never, lock, value, queue)));
        children.back().start();
    }
    for (int i = 0; i < 2; ++i)
        queue.get();
    std::cout << "session " << mp::scope::current_session() << std::endl;
    for (;;)
        ::pause();
}

} // namespace

class TestArena : public QObject {
    Q_OBJECT

private slots:
    void killingEveryProcessRemovesTheSession_data() {
        QTest::addColumn<QString>("method");
        for (const char* method : {"fork", "spawn", "forkserver"})
            QTest::newRow(method) << QString::fromLatin1(method);
    }

    void killingEveryProcessRemovesTheSession() {
        QFETCH(QString, method);
        QProcess program;
        program.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        program.start(QCoreApplication::applicationFilePath(), {"--arena-scenario", method});
        QVERIFY(program.waitForReadyRead(20000));
        const QString line = QString::fromUtf8(program.readLine()).trimmed();
        QVERIFY2(line.startsWith("session mpscope-"), qPrintable(line));
        const std::string session = line.mid(8).toStdString();
        QVERIFY(shm_exists(session));

        // Every process of the session, as its own process table lists them.
        std::vector<int> pids;
        {
            auto s = mp::scope::Session::attach(session);
            for (const auto& p : s.snapshot().processes)
                if (p.alive()) pids.push_back(p.pid);
        }
        QVERIFY2(pids.size() >= 3, "main process and two children expected");
        for (int pid : pids)
            QCOMPARE(::kill(pid, SIGKILL), 0);
        program.waitForFinished();
        QVERIFY2(wait_until([&] { return !shm_exists(session); }), "the session outlived all its processes");
    }

    void normalExitRemovesTheSession() {
        QProcess program;
        program.start(QCoreApplication::applicationFilePath(), {"--arena-exit"});
        QVERIFY(program.waitForFinished(20000));
        QCOMPARE(program.exitCode(), 0);
        const QString line = QString::fromUtf8(program.readAllStandardOutput()).trimmed();
        QVERIFY2(line.startsWith("session mpscope-"), qPrintable(line));
        const std::string session = line.mid(8).toStdString();
        QVERIFY2(wait_until([&] { return !shm_exists(session); }), "the session outlived its program");
    }

    void fullArenaIsAClearMemoryError() {
        QProcess program;
        auto env = QProcessEnvironment::systemEnvironment();
        env.insert("MPSCOPE_ARENA_SIZE", "1M");
        program.setProcessEnvironment(env);
        program.start(QCoreApplication::applicationFilePath(), {"--arena-full"});
        QVERIFY(program.waitForFinished(20000));
        const QString out = QString::fromUtf8(program.readAllStandardOutput());
        QCOMPARE(program.exitCode(), 0);
        QVERIFY2(out.contains("MemoryError: the session arena is full"), qPrintable(out));
        QVERIFY2(out.contains("MPSCOPE_ARENA_SIZE"), qPrintable(out));
    }

    void badArenaSizeIsRefused() {
        QProcess program;
        auto env = QProcessEnvironment::systemEnvironment();
        env.insert("MPSCOPE_ARENA_SIZE", "lots");
        program.setProcessEnvironment(env);
        program.start(QCoreApplication::applicationFilePath(), {"--arena-full"});
        QVERIFY(program.waitForFinished(20000));
        const QString out = QString::fromUtf8(program.readAllStandardOutput());
        QVERIFY2(out.contains("ValueError: MPSCOPE_ARENA_SIZE must be a size of at least 1M"),
                 qPrintable(out));
    }

    void droppedObjectsFreeTheirRows() {
        // Far more objects than the object table has rows: each row is reused once its object is dropped.
        for (int i = 0; i < 20000; ++i) {
            mp::Lock lock;
            mp::Value value('d', 1.5);
            QVERIFY(!lock.locked());
        }
        auto s = mp::scope::Session::attach(mp::scope::current_session());
        QVERIFY(s.snapshot().objects.size() < 100);
    }
};

int main(int argc, char** argv) {
    mp::freeze_support(argc, argv);
    if (argc > 2 && std::string(argv[1]) == "--arena-scenario") run_scenario(argv[2]);
    if (argc > 1 && std::string(argv[1]) == "--arena-exit") {
        mp::Lock lock;
        mp::Queue queue;
        mp::Process child([queue]() mutable { queue.put(1); });
        child.start();
        queue.get();
        child.join();
        std::cout << "session " << mp::scope::current_session() << std::endl;
        return 0;
    }
    if (argc > 1 && std::string(argv[1]) == "--arena-full") {
        try {
            mp::Array big('d', 1 << 18); // 2 MiB of doubles in a 1 MiB heap
            std::cout << "allocated\n";
        } catch (const mp::Exception& e) {
            std::cout << e.type_name() << ": " << e.what() << std::endl;
        }
        return 0;
    }
    std::vector<char*> args(argv, argv + argc);
    static char no_crash_handler[] = "-nocrashhandler";
    args.push_back(no_crash_handler);
    int count = static_cast<int>(args.size());
    args.push_back(nullptr);
    QCoreApplication app(count, args.data());
    TestArena tc;
    return QTest::qExec(&tc, count, args.data());
}

#include "tst_arena.moc"
