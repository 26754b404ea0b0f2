// Queue, JoinableQueue and SimpleQueue (SPEC §6): every rule and error case, run in the main process and
// in a child under fork, spawn and forkserver and compared line by line with what python3 prints for the
// same steps; the exit rule (a process waits for its feeder to flush) and cancel_join_thread; the
// documented "join before get" deadlock and a cycle of full queues, both diagnosed by the deadlock finder
// rather than timed out; what the observation plane shows of a queue; many producers and consumers,
// threads included, with every item counted; and the queue_join_deadlock example.
#include "connection_test_support.hpp"
#include "mp_test_main.hpp"
#include "process_test_support.hpp"
#include "sanitizer_support.hpp"
#include "session_test_support.hpp"

#include <mp/connection.hpp>
#include <mp/context.hpp>
#include <mp/process.hpp>
#include <mp/queues.hpp>
#include <mp/scope/analysis.hpp>
#include <mp/scope/observe.hpp>
#include <mp/scope/session.hpp>
#include <mp/synchronize.hpp>

#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QScopeGuard>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;
using mp::scope::DiagnosisKind;
using namespace test_support;

constexpr std::int64_t kBigItem = 1 << 20; // far more than a channel of 64 KiB holds

double seconds_since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

// "ok <repr>" or "<Python type>: <message>", as the Python side prints an outcome.
template <class F> std::string outcome(F&& f) {
    try {
        if constexpr (std::is_void_v<std::invoke_result_t<F&>>) {
            f();
            return "ok None";
        } else {
            return "ok " + mp::to_object(f()).repr();
        }
    } catch (const mp::Exception& e) {
        return std::string(e.type_name()) + ": " + e.message();
    }
}

// Every rule of SPEC §6 a program can see from one process, step by step. `one` has maxsize 1, `unused`
// is never put on; the Python twin is kPythonBattery below.
std::vector<std::string> rules_battery(mp::Queue q, mp::Queue one, mp::Queue unused, mp::JoinableQueue jq,
                                       mp::SimpleQueue sq) {
    std::vector<std::string> out;
    auto say = [&](const char* what, std::string result) {
        out.push_back(std::string(what) + " -> " + result);
    };
    say("get_nowait on empty", outcome([&] { return q.get_nowait(); }));
    say("get(True, -1) on empty", outcome([&] { return q.get(true, -1.0); }));
    say("get(False, 5) on empty", outcome([&] { return q.get(false, 5.0); }));
    say("join_thread before close", outcome([&] { q.join_thread(); }));
    say("qsize, empty, full when new",
        outcome([&] { return mp::Object::tuple(q.qsize(), q.empty(), q.full()); }));
    for (int i = 0; i < 5; ++i)
        q.put(i);
    say("qsize after 5 puts", outcome([&] { return q.qsize(); }));
    say("5 gets", outcome([&] {
            std::vector<mp::Object> got;
            for (int i = 0; i < 5; ++i)
                got.push_back(q.get());
            return mp::Object::list(got);
        }));
    say("qsize after 5 gets", outcome([&] { return q.qsize(); }));
    say("put on Queue(1)", outcome([&] { one.put(1); }));
    say("put_nowait on a full queue", outcome([&] { one.put_nowait(2); }));
    say("put(True, -1) on a full queue", outcome([&] { one.put(2, true, -1.0); }));
    say("put(False, 5) on a full queue", outcome([&] { one.put(2, false, 5.0); }));
    say("full and qsize of a full queue",
        outcome([&] { return mp::Object::tuple(one.full(), one.qsize()); }));
    say("get from it", outcome([&] { return one.get(); }));
    say("empty, full, qsize after the get",
        outcome([&] { return mp::Object::tuple(one.empty(), one.full(), one.qsize()); }));
    q.put(mp::Object::list({1, "two", mp::None, mp::Object::bytes("3")}));
    say("get of a list", outcome([&] { return q.get(true, 10.0); }));
    q.close();
    say("put after close", outcome([&] { q.put(1); }));
    say("put_nowait after close", outcome([&] { q.put_nowait(1); }));
    say("get after close", outcome([&] { return q.get(); }));
    say("get_nowait after close", outcome([&] { return q.get_nowait(); }));
    say("close again", outcome([&] { q.close(); }));
    say("join_thread after close", outcome([&] { q.join_thread(); }));
    say("empty once the feeder stopped", outcome([&] { return q.empty(); }));
    say("qsize and full after close", outcome([&] { return mp::Object::tuple(q.qsize(), q.full()); }));
    unused.close();
    say("empty of a closed queue that never had a feeder", outcome([&] { return unused.empty(); }));
    say("join_thread of it", outcome([&] { unused.join_thread(); }));
    say("task_done with no task", outcome([&] { jq.task_done(); }));
    say("join with no task", outcome([&] { jq.join(); }));
    jq.put("job");
    say("get of a task", outcome([&] { return jq.get(); }));
    say("task_done", outcome([&] { jq.task_done(); }));
    say("task_done again", outcome([&] { jq.task_done(); }));
    say("join after the last task_done", outcome([&] { jq.join(); }));
    jq.close();
    say("JoinableQueue put after close", outcome([&] { jq.put(1); }));
    say("SimpleQueue empty when new", outcome([&] { return sq.empty(); }));
    sq.put(5);
    say("SimpleQueue empty after put", outcome([&] { return sq.empty(); })); // put writes synchronously
    say("SimpleQueue get", outcome([&] { return sq.get(); }));
    say("SimpleQueue empty after get", outcome([&] { return sq.empty(); }));
    sq.close();
    say("SimpleQueue close again", outcome([&] { sq.close(); }));
    say("SimpleQueue get after close", outcome([&] { return sq.get(); }));
    say("SimpleQueue put after close", outcome([&] { sq.put(1); }));
    say("SimpleQueue empty after close", outcome([&] { return sq.empty(); }));
    return out;
}

const char* const kPythonBattery = R"PY(
import multiprocessing, re, sys

def outcome(f):
    try:
        return 'ok ' + repr(f())
    except Exception as e:
        return type(e).__name__ + ': ' + str(e)

def battery(q, one, unused, jq, sq):
    out = []
    def say(what, f):
        out.append(what + ' -> ' + outcome(f))
    say('get_nowait on empty', lambda: q.get_nowait())
    say('get(True, -1) on empty', lambda: q.get(True, -1))
    say('get(False, 5) on empty', lambda: q.get(False, 5))
    say('join_thread before close', lambda: q.join_thread())
    say('qsize, empty, full when new', lambda: (q.qsize(), q.empty(), q.full()))
    for i in range(5):
        q.put(i)
    say('qsize after 5 puts', lambda: q.qsize())
    say('5 gets', lambda: [q.get() for _ in range(5)])
    say('qsize after 5 gets', lambda: q.qsize())
    say('put on Queue(1)', lambda: one.put(1))
    say('put_nowait on a full queue', lambda: one.put_nowait(2))
    say('put(True, -1) on a full queue', lambda: one.put(2, True, -1))
    say('put(False, 5) on a full queue', lambda: one.put(2, False, 5))
    say('full and qsize of a full queue', lambda: (one.full(), one.qsize()))
    say('get from it', lambda: one.get())
    say('empty, full, qsize after the get', lambda: (one.empty(), one.full(), one.qsize()))
    q.put([1, 'two', None, b'3'])
    say('get of a list', lambda: q.get(True, 10))
    q.close()
    say('put after close', lambda: q.put(1))
    say('put_nowait after close', lambda: q.put_nowait(1))
    say('get after close', lambda: q.get())
    say('get_nowait after close', lambda: q.get_nowait())
    say('close again', lambda: q.close())
    say('join_thread after close', lambda: q.join_thread())
    say('empty once the feeder stopped', lambda: q.empty())
    say('qsize and full after close', lambda: (q.qsize(), q.full()))
    unused.close()
    say('empty of a closed queue that never had a feeder', lambda: unused.empty())
    say('join_thread of it', lambda: unused.join_thread())
    say('task_done with no task', lambda: jq.task_done())
    say('join with no task', lambda: jq.join())
    jq.put('job')
    say('get of a task', lambda: jq.get())
    say('task_done', lambda: jq.task_done())
    say('task_done again', lambda: jq.task_done())
    say('join after the last task_done', lambda: jq.join())
    jq.close()
    say('JoinableQueue put after close', lambda: jq.put(1))
    say('SimpleQueue empty when new', lambda: sq.empty())
    sq.put(5)
    say('SimpleQueue empty after put', lambda: sq.empty())
    say('SimpleQueue get', lambda: sq.get())
    say('SimpleQueue empty after get', lambda: sq.empty())
    sq.close()
    say('SimpleQueue close again', lambda: sq.close())
    say('SimpleQueue get after close', lambda: sq.get())
    say('SimpleQueue put after close', lambda: sq.put(1))
    say('SimpleQueue empty after close', lambda: sq.empty())
    return out

def child(q, one, unused, jq, sq, conn):
    conn.send(battery(q, one, unused, jq, sq))

if __name__ == '__main__':
    where = sys.argv[1]
    ctx = multiprocessing.get_context('fork' if where == 'main' else where)
    queues = (ctx.Queue(), ctx.Queue(1), ctx.Queue(), ctx.JoinableQueue(), ctx.SimpleQueue())
    if where == 'main':
        lines = battery(*queues)
    else:
        r, w = ctx.Pipe(False)
        p = ctx.Process(target=child, args=queues + (w,))
        p.start()
        lines = r.recv()
        p.join()
    for line in lines:
        print(line)
)PY";

QStringList masked(const std::vector<std::string>& lines) {
    static const QRegularExpression address(QStringLiteral("0x[0-9a-f]+"));
    QStringList out;
    for (const std::string& line : lines)
        out << QString::fromStdString(line).replace(address, QStringLiteral("ADDR"));
    return out;
}

// The live session of this test program, through the observation plane (what mpscope-inspect reads).
mp::scope::Session own_session() {
    return mp::scope::Session::attach(mp::scope::current_session());
}

const mp::scope::ObjectInfo* object_named(const mp::scope::Snapshot& snap, const std::string& name) {
    for (const auto& o : snap.objects)
        if (o.name == name) return &o;
    return nullptr;
}

const mp::scope::ProcessInfo* process_with_pid(const mp::scope::Snapshot& snap, int pid) {
    for (const auto& p : snap.processes)
        if (p.pid == pid) return &p;
    return nullptr;
}

const mp::scope::QueueFeederInfo* feeder_of(const mp::scope::ObjectInfo& q, mp::scope::ProcessId process) {
    for (const auto& f : q.feeders)
        if (f.process == process) return &f;
    return nullptr;
}

// What a watcher thread saw: the first deadlock diagnoses within its time limit and the snapshot they
// came from.
struct Diagnosed {
    std::vector<mp::scope::Diagnosis> found;
    mp::scope::Snapshot snapshot;
};

Diagnosed diagnose_within(double seconds) {
    auto session = own_session();
    Diagnosed d;
    const auto start = Clock::now();
    do {
        d.snapshot = session.snapshot();
        d.found = mp::scope::find_deadlocks(d.snapshot);
        if (!d.found.empty()) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    } while (seconds_since(start) < seconds);
    return d;
}

const mp::scope::Diagnosis* diagnosis_of(const Diagnosed& d, DiagnosisKind kind) {
    for (const auto& x : d.found)
        if (x.kind == kind) return &x;
    return nullptr;
}

QByteArray texts_of(const Diagnosed& d) {
    std::string out;
    for (const auto& x : d.found)
        out += std::string(mp::scope::title(x.kind)) + ": " + x.text() + "\n";
    return out.empty() ? QByteArray("no diagnosis") : QByteArray::fromStdString(out);
}

// ---- tasks run by the children --------------------------------------------------------------------

void run_battery(mp::Queue q, mp::Queue one, mp::Queue unused, mp::JoinableQueue jq, mp::SimpleQueue sq,
                 mp::Connection out) {
    std::vector<mp::Object> lines;
    for (const std::string& line : rules_battery(q, one, unused, jq, sq))
        lines.emplace_back(line);
    out.send(mp::Object::list(lines));
}
MP_TASK(run_battery);

// Puts one item of `size` bytes; cancel_join_thread() first ("before"), after the put ("after") or never.
void put_big(mp::Queue q, std::int64_t size, std::string cancel) {
    if (cancel == "before") q.cancel_join_thread();
    q.put(mp::Object::bytes(std::string(static_cast<std::size_t>(size), 'x')));
    if (cancel == "after") q.cancel_join_thread();
}
MP_TASK(put_big);

// Puts `sends` items, then gets `receives`: with queues too small for what is sent, two of these wait
// for each other.
void send_then_receive(mp::Queue out, mp::Queue in, int sends, int receives) {
    for (int i = 0; i < sends; ++i)
        out.put(i);
    for (int i = 0; i < receives; ++i)
        in.get();
}
MP_TASK(send_then_receive);

// `threads` threads each put `n` items (producer, thread, seq), seq counting up.
void produce_tagged(mp::Queue q, int producer, int threads, int n) {
    std::vector<std::thread> running;
    for (int t = 0; t < threads; ++t)
        running.emplace_back([&q, producer, t, n] {
            for (int i = 0; i < n; ++i)
                q.put(mp::Object::tuple(producer, t, i));
        });
    for (auto& t : running)
        t.join();
}
MP_TASK(produce_tagged);

// `threads` threads get until each meets a None. Sends (in order, seen): whether every thread got each
// producer thread's items in increasing order, and how often each of `keys` x `n` items arrived here.
void consume_tagged(mp::Queue q, mp::Queue results, int threads, int keys, int n) {
    std::vector<std::atomic<std::uint8_t>> seen(static_cast<std::size_t>(keys) * n);
    std::atomic<bool> in_order{true};
    std::vector<std::thread> running;
    for (int t = 0; t < threads; ++t)
        running.emplace_back([&] {
            std::vector<std::int64_t> last(keys, -1);
            for (mp::Object item = q.get(); !item.is_none(); item = q.get()) {
                const std::int64_t key = item[0].as_int() * threads + item[1].as_int();
                const std::int64_t seq = item[2].as_int();
                if (seq <= last[key]) in_order = false;
                last[key] = seq;
                seen[key * n + seq].fetch_add(1);
            }
        });
    for (auto& t : running)
        t.join();
    std::string counts(seen.size(), '\0');
    for (std::size_t i = 0; i < seen.size(); ++i)
        counts[i] = static_cast<char>(seen[i].load());
    results.put(mp::Object::tuple(in_order.load(), mp::Object::bytes(counts)));
}
MP_TASK(consume_tagged);

// Gets every item and marks it done, until None.
void work_through(mp::JoinableQueue q, mp::Queue done) {
    for (mp::Object item = q.get(); !item.is_none(); item = q.get()) {
        done.put(item);
        q.task_done();
    }
    q.task_done();
}
MP_TASK(work_through);

// Echoes from one SimpleQueue to another until None.
void echo_simple(mp::SimpleQueue in, mp::SimpleQueue out) {
    for (mp::Object item = in.get(); !item.is_none(); item = in.get())
        out.put(item);
    out.put(mp::None);
}
MP_TASK(echo_simple);

} // namespace

class TestQueues : public QObject {
    Q_OBJECT

private slots:
    // ---- SPEC §6 rules, against python3 --------------------------------------------------------------

    void rulesMatchPython_data() {
        QTest::addColumn<QString>("where");
        for (const char* where : {"main", "fork", "spawn", "forkserver"})
            QTest::newRow(where) << QString(where);
    }
    void rulesMatchPython() {
        QFETCH(QString, where);
        MP_SKIP_IF_FORK_CHILD_STARTS_THREADS_UNDER_TSAN(where);
        const std::string method = where == "main" ? "fork" : where.toStdString();
        mp::Context& ctx = mp::get_context(method);
        mp::Queue q = ctx.Queue(), one = ctx.Queue(1), unused = ctx.Queue();
        mp::JoinableQueue jq = ctx.JoinableQueue();
        mp::SimpleQueue sq = ctx.SimpleQueue();
        std::vector<std::string> lines;
        if (where == "main") {
            lines = rules_battery(q, one, unused, jq, sq);
        } else {
            auto [mine, theirs] = mp::Pipe(false);
            mp::Process p = ctx.Process(run_battery, mp::args(q, one, unused, jq, sq, theirs));
            auto cleanup = qScopeGuard([&] { kill_if_running(p); });
            p.start();
            QVERIFY(mine.poll(30));
            const mp::Object received = mine.recv();
            for (const mp::Object& line : received.items())
                lines.push_back(line.as_str());
            p.join(30);
            QCOMPARE(p.exitcode(), std::optional<int>(0));
        }
        QCOMPARE(lines.size(), size_t(41));

        const QString python = QStandardPaths::findExecutable("python3");
        if (python.isEmpty()) QSKIP("python3 is not installed");
        QTemporaryDir dir;
        QFile script(dir.filePath("battery.py"));
        QVERIFY(script.open(QIODevice::WriteOnly));
        script.write(kPythonBattery);
        script.close();
        QProcess py;
        py.start(python, {script.fileName(), where});
        QVERIFY(py.waitForFinished(60'000));
        QCOMPARE(py.exitCode(), 0);
        QStringList expected = QString::fromUtf8(py.readAllStandardOutput()).split('\n', Qt::SkipEmptyParts);
        static const QRegularExpression address(QStringLiteral("0x[0-9a-f]+"));
        expected.replaceInStrings(address, QStringLiteral("ADDR"));
        QCOMPARE(masked(lines), expected);
    }

    void optionsAndLimits() {
        // maxsize <= 0 is unbounded: SEM_VALUE_MAX slots, as Python's BoundedSemaphore gets.
        for (std::int64_t maxsize : {0, -5}) {
            mp::Queue q(maxsize);
            QVERIFY(!q.full());
            QCOMPARE(q.qsize(), std::int64_t(0));
        }
        QVERIFY(throws_with<mp::OverflowError>([] { mp::Queue q(std::int64_t(1) << 31); },
                                               "Python int too large to convert to C int"));
        QVERIFY(throws_with<mp::ValueError>([] { mp::Queue q(mp::QueueOptions{.channel_bytes = 8}); },
                                            "channel_bytes must be at least 64"));
        // A channel of 64 bytes still carries items much larger than itself, in order.
        mp::Queue small(mp::QueueOptions{.maxsize = 0, .channel_bytes = 64});
        small.put(std::string(1000, 'a'));
        small.put(std::string(10, 'b'));
        QCOMPARE(small.get().as_str(), std::string(1000, 'a'));
        QCOMPARE(small.get().as_str(), std::string(10, 'b'));
        QCOMPARE(mp::SimpleQueue(64).repr().rfind("<multiprocessing.queues.SimpleQueue object at 0x", 0),
                 size_t(0));
        QCOMPARE(mp::JoinableQueue().repr().rfind("<multiprocessing.queues.JoinableQueue object at 0x", 0),
                 size_t(0));
    }

    void timeoutsExpire() {
        mp::Queue q(1);
        auto start = Clock::now();
        QVERIFY(throws_with<mp::Empty>([&] { q.get(true, 0.2); }, ""));
        double took = seconds_since(start);
        QVERIFY2(took >= 0.2 && took < 2, std::to_string(took).c_str());
        q.put(1);
        start = Clock::now();
        QVERIFY(throws_with<mp::Full>([&] { q.put(2, true, 0.2); }, ""));
        took = seconds_since(start);
        QVERIFY2(took >= 0.2 && took < 2, std::to_string(took).c_str());
        QCOMPARE(q.get().as_int(), std::int64_t(1));
    }

    void putSerializesInPut() {
        // Python serializes in the feeder thread, which prints a traceback; here put() itself raises, and
        // the item takes no slot.
        mp::Queue q(1);
        QVERIFY(throws_with<mp::PicklingError>([&] { q.put(mp::Object(std::string("\xff"))); },
                                               "str is not valid UTF-8: '\\udcff'"));
        QCOMPARE(q.qsize(), std::int64_t(0));
        QVERIFY(!q.full());
        q.put("fine");
        QCOMPARE(q.get().as_str(), std::string("fine"));
    }

    void emptyIsAdvisoryRightAfterPut() {
        // The feeder writes the item a moment later: empty() may still say True, but not for long.
        mp::Queue q;
        q.put(1);
        QCOMPARE(q.qsize(), std::int64_t(1)); // counted at once, buffered or not
        QVERIFY(wait_until([&] { return !q.empty(); }));
        QCOMPARE(q.get().as_int(), std::int64_t(1));
        QVERIFY(q.empty());
    }

    // ---- between processes ---------------------------------------------------------------------------

    void joinableQueueAcrossProcesses_data() { connection_test::add_start_methods(); }
    void joinableQueueAcrossProcesses() {
        QFETCH(QString, method);
        MP_SKIP_IF_FORK_CHILD_STARTS_THREADS_UNDER_TSAN(method);
        mp::Context& ctx = mp::get_context(method.toStdString());
        mp::JoinableQueue jobs = ctx.JoinableQueue();
        mp::Queue done = ctx.Queue();
        for (int i = 0; i < 20; ++i)
            jobs.put(i);
        jobs.put(mp::None);
        mp::Process p = ctx.Process(work_through, mp::args(jobs, done));
        auto cleanup = qScopeGuard([&] { kill_if_running(p); });
        p.start();
        jobs.join(); // every put, the None too, marked done
        for (int i = 0; i < 20; ++i)
            QCOMPARE(done.get(true, 10).as_int(), std::int64_t(i));
        QVERIFY(throws_with<mp::ValueError>([&] { jobs.task_done(); }, "task_done() called too many times"));
        p.join(20);
        QCOMPARE(p.exitcode(), std::optional<int>(0));
    }

    void simpleQueueAcrossProcesses_data() { connection_test::add_start_methods(); }
    void simpleQueueAcrossProcesses() {
        QFETCH(QString, method);
        mp::Context& ctx = mp::get_context(method.toStdString());
        // A channel smaller than what passes through makes both sides wait for each other.
        mp::SimpleQueue in(ctx, 256), out(ctx, 256);
        mp::Process p = ctx.Process(echo_simple, mp::args(in, out));
        auto cleanup = qScopeGuard([&] { kill_if_running(p); });
        p.start();
        std::thread feeder([&] {
            for (int i = 0; i < 500; ++i)
                in.put(mp::Object::tuple(i, std::string(i % 97, 'z')));
            in.put(mp::None);
        });
        bool in_order = true;
        int n = 0;
        for (mp::Object item = out.get(); !item.is_none(); item = out.get(), ++n)
            in_order = in_order && item[0].as_int() == n && item[1].size() == std::size_t(n % 97);
        feeder.join();
        QVERIFY(in_order);
        QCOMPARE(n, 500);
        p.join(20);
        QCOMPARE(p.exitcode(), std::optional<int>(0));
    }

    void manyProducersAndConsumers_data() { connection_test::add_start_methods(); }
    void manyProducersAndConsumers() {
        QFETCH(QString, method);
        MP_SKIP_IF_FORK_CHILD_STARTS_THREADS_UNDER_TSAN(method);
        mp::Context& ctx = mp::get_context(method.toStdString());
        constexpr int producers = 4, consumers = 2, threads = 2, n = 1500, maxsize = 64;
        constexpr int keys = producers * threads;
        mp::Queue q = ctx.Queue(maxsize), results = ctx.Queue();
        std::vector<mp::Process> children;
        auto cleanup = qScopeGuard([&] {
            for (auto& p : children)
                kill_if_running(p);
        });
        for (int i = 0; i < producers; ++i)
            children.push_back(ctx.Process(produce_tagged, mp::args(q, i, threads, n)));
        for (auto& p : children)
            p.start();
        // Nobody gets yet: the producers fill every slot and block.
        QVERIFY(wait_until([&] { return q.full(); }));
        QCOMPARE(q.qsize(), std::int64_t(maxsize));

        // While consumers drain it, qsize() stays within its bounds and full() agrees with it at the ends.
        std::atomic<bool> stop{false};
        std::atomic<int> out_of_bounds{0}, samples{0};
        std::thread sampler([&] {
            while (!stop) {
                const std::int64_t size = q.qsize();
                if (size < 0 || size > maxsize) ++out_of_bounds;
                ++samples;
                std::this_thread::yield();
            }
        });
        for (int i = 0; i < consumers; ++i) {
            children.push_back(ctx.Process(consume_tagged, mp::args(q, results, threads, keys, n)));
            children.back().start();
        }
        for (int i = 0; i < producers; ++i) {
            children[i].join(60);
            QCOMPARE(children[i].exitcode(), std::optional<int>(0));
        }
        for (int i = 0; i < consumers * threads; ++i)
            q.put(mp::None);
        std::vector<int> arrived(std::size_t(keys) * n, 0);
        bool in_order = true;
        for (int i = 0; i < consumers; ++i) {
            mp::Object r = results.get(true, 60);
            in_order = in_order && r[0].as_bool();
            const std::string& counts = r[1].as_bytes();
            QCOMPARE(counts.size(), arrived.size());
            for (std::size_t k = 0; k < counts.size(); ++k)
                arrived[k] += static_cast<unsigned char>(counts[k]);
        }
        stop = true;
        sampler.join();
        for (int i = producers; i < producers + consumers; ++i) {
            children[i].join(20);
            QCOMPARE(children[i].exitcode(), std::optional<int>(0));
        }
        QVERIFY(in_order); // FIFO per producer thread, as every consumer thread saw it
        QCOMPARE(std::count(arrived.begin(), arrived.end(), 1),
                 std::ptrdiff_t(arrived.size())); // none lost or twice
        QVERIFY(samples > 0);
        QCOMPARE(out_of_bounds.load(), 0);
        QCOMPARE(q.qsize(), std::int64_t(0));
        QVERIFY(q.empty());
        QVERIFY(!q.full());
    }

    // ---- the exit rule -------------------------------------------------------------------------------

    void exitWaitsForTheFeeder_data() { connection_test::add_start_methods(); }
    void exitWaitsForTheFeeder() {
        QFETCH(QString, method);
        MP_SKIP_IF_FORK_CHILD_STARTS_THREADS_UNDER_TSAN(method);
        mp::Context& ctx = mp::get_context(method.toStdString());
        mp::Queue q = ctx.Queue();
        mp::Process p = ctx.Process(put_big, mp::args(q, kBigItem, std::string("never")));
        auto cleanup = qScopeGuard([&] { kill_if_running(p); });
        p.start();
        // The child's target has returned, but its feeder still holds most of the item: it cannot exit.
        QVERIFY(wait_until([&] { return !q.empty(); }));
        p.join(0.3);
        QVERIFY(p.is_alive());
        QCOMPARE(q.get(true, 20).as_bytes().size(), std::size_t(kBigItem));
        p.join(20);
        QCOMPARE(p.exitcode(), std::optional<int>(0));
    }

    void cancelJoinThreadLetsAChildExit_data() {
        QTest::addColumn<QString>("method");
        QTest::addColumn<QString>("cancel");
        for (const char* method : {"fork", "spawn", "forkserver"})
            for (const char* cancel : {"before", "after"})
                QTest::addRow("%s/%s", method, cancel) << QString(method) << QString(cancel);
    }
    void cancelJoinThreadLetsAChildExit() {
        QFETCH(QString, method);
        MP_SKIP_IF_FORK_CHILD_STARTS_THREADS_UNDER_TSAN(method);
        QFETCH(QString, cancel);
        mp::Context& ctx = mp::get_context(method.toStdString());
        mp::Queue q = ctx.Queue();
        mp::Process p = ctx.Process(put_big, mp::args(q, kBigItem, cancel.toStdString()));
        auto cleanup = qScopeGuard([&] { kill_if_running(p); });
        p.start();
        p.join(20);
        QCOMPARE(p.exitcode(), std::optional<int>(0));
        // The item is lost: its slot is still taken, and at most a part of it reached the channel (as
        // much as the feeder wrote before the process ended).
        QCOMPARE(q.qsize(), std::int64_t(1));
        const auto snap = own_session().snapshot();
        const auto* row = object_named(snap, q.name());
        QVERIFY(row);
        QCOMPARE(row->items, 0u);
        QVERIFY(row->used_bytes <= row->capacity_bytes);
        const auto* child = process_with_pid(snap, *p.pid());
        QVERIFY(child);
        const auto* feeder = feeder_of(*row, child->id);
        QVERIFY(feeder);
        QVERIFY(feeder->cancelled);
        QCOMPARE(feeder->items, 1u);
    }

    // ---- deadlocks, diagnosed ------------------------------------------------------------------------

    void joinBeforeDrainIsDiagnosed_data() { connection_test::add_start_methods(); }
    void joinBeforeDrainIsDiagnosed() {
        QFETCH(QString, method);
        MP_SKIP_IF_FORK_CHILD_STARTS_THREADS_UNDER_TSAN(method);
        mp::Context& ctx = mp::get_context(method.toStdString());
        mp::Queue q = ctx.Queue();
        mp::Process p = ctx.Process(put_big, mp::args(q, kBigItem, std::string("never")));
        auto cleanup = qScopeGuard([&] { kill_if_running(p); });
        p.start();
        // The seed's mistake: join the child before getting what it put. Another thread watches through
        // the observation plane and, once the finder names the deadlock, drains the queue.
        Diagnosed seen;
        std::string got;
        std::thread watcher([&] {
            seen = diagnose_within(20);
            got = outcome([&] { return q.get(true, 20).as_bytes().size(); });
        });
        p.join();
        watcher.join();
        QCOMPARE(p.exitcode(), std::optional<int>(0));
        QCOMPARE(QString::fromStdString(got), QString("ok %1").arg(kBigItem));

        const auto* d = diagnosis_of(seen, DiagnosisKind::JoinBeforeDrain);
        QVERIFY2(d, texts_of(seen).constData());
        const auto* child = process_with_pid(seen.snapshot, *p.pid());
        const auto* row = object_named(seen.snapshot, q.name());
        QVERIFY(child && row);
        QCOMPARE(d->objects, std::vector<mp::scope::ObjectId>{row->id});
        QCOMPARE(d->steps.size(), size_t(2));
        const auto& feeding = d->steps[0];
        const auto& join = d->steps[1];
        QCOMPARE(feeding.process.id, child->id);
        QCOMPARE(feeding.op, std::string("feeder_flush"));
        QCOMPARE(join.process.name, std::string("MainProcess"));
        QCOMPARE(join.target.id, child->id);
        // The feeder still holds the item, less what fills the channel.
        const auto* feeder = feeder_of(*row, child->id);
        QVERIFY(feeder);
        QCOMPARE(feeder->items, 1u);
        QVERIFY(feeder->flushing);
        QVERIFY(!feeder->cancelled);
        QCOMPARE(row->used_bytes, row->capacity_bytes);
        QVERIFY(feeder->bytes > std::uint64_t(kBigItem) - row->capacity_bytes &&
                feeder->bytes < std::uint64_t(kBigItem));
        QCOMPARE(feeding.bytes, feeder->bytes);
        QCOMPARE(d->text(), "MainProcess joins " + child->name +
                                ", which cannot exit until its feeder flushes " +
                                std::to_string(feeder->bytes) + " bytes into " + q.name() +
                                ", which only MainProcess reads.");
        // What each process is blocked in shows in the process table.
        QCOMPARE(child->main_wait()->op, std::string("feeder_flush"));
        bool feeder_thread_waits = false;
        for (const auto& w : child->waits)
            feeder_thread_waits = feeder_thread_waits || (w.internal && w.op == "put" && w.object == row->id);
        QVERIFY(feeder_thread_waits);
    }

    void fullQueueCycleIsDiagnosed_data() { connection_test::add_start_methods(); }
    void fullQueueCycleIsDiagnosed() {
        QFETCH(QString, method);
        MP_SKIP_IF_FORK_CHILD_STARTS_THREADS_UNDER_TSAN(method);
        mp::Context& ctx = mp::get_context(method.toStdString());
        mp::Queue a_to_b = ctx.Queue(1), b_to_a = ctx.Queue(1);
        // Each sends two items before receiving any; a queue holds one.
        mp::Process a = ctx.Process(send_then_receive, mp::args(a_to_b, b_to_a, 2, 1));
        mp::Process b = ctx.Process(send_then_receive, mp::args(b_to_a, a_to_b, 2, 1));
        auto cleanup = qScopeGuard([&] {
            kill_if_running(a);
            kill_if_running(b);
        });
        a.start();
        b.start();
        Diagnosed seen;
        std::string got;
        std::thread watcher([&] {
            seen = diagnose_within(20);
            // Break the cycle: take the first item from each queue; each then receives the second.
            got = outcome([&] {
                mp::Object first = a_to_b.get(true, 20);
                return mp::Object::tuple(first, b_to_a.get(true, 20));
            });
        });
        a.join();
        watcher.join();
        b.join(20);
        // A's first item; then B's first or second, whichever A, free again, left.
        QVERIFY2(got == "ok (0, 0)" || got == "ok (0, 1)", got.c_str());
        QCOMPARE(a.exitcode(), std::optional<int>(0));
        QCOMPARE(b.exitcode(), std::optional<int>(0));

        const auto* d = diagnosis_of(seen, DiagnosisKind::QueueCycle);
        QVERIFY2(d, texts_of(seen).constData());
        const auto* pa = process_with_pid(seen.snapshot, *a.pid());
        const auto* pb = process_with_pid(seen.snapshot, *b.pid());
        const auto* qa = object_named(seen.snapshot, a_to_b.name());
        const auto* qb = object_named(seen.snapshot, b_to_a.name());
        QVERIFY(pa && pb && qa && qb);
        QCOMPARE(d->processes, (std::vector<mp::scope::ProcessId>{pa->id, pb->id}));
        QCOMPARE(d->objects, (std::vector<mp::scope::ObjectId>{qa->id, qb->id}));
        QCOMPARE(d->text(), pa->name + " waits to put on " + qa->name + ", which only " + pb->name +
                                " reads; " + pb->name + " waits to put on " + qb->name + ", which only " +
                                pa->name + " reads.");
        QCOMPARE(qa->free_slots, 0u);
        QCOMPARE(qa->maxsize, 1u);
        // The main process joins one of them: a chain that ends in the cycle.
        const auto* chain = diagnosis_of(seen, DiagnosisKind::JoinChain);
        QVERIFY2(chain, texts_of(seen).constData());
        QCOMPARE(chain->text(),
                 "MainProcess joins " + pa->name + ", which waits to put on " + qa->name + ".");
    }

    // ---- what the observation plane shows ------------------------------------------------------------

    void observedState() {
        auto session = own_session();
        mp::JoinableQueue q(mp::QueueOptions{.maxsize = 5, .channel_bytes = 4096});
        for (int i = 0; i < 3; ++i)
            q.put(i);
        mp::scope::Snapshot snap;
        const mp::scope::ObjectInfo* row = nullptr;
        QVERIFY(wait_until([&] {
            snap = session.snapshot();
            row = object_named(snap, q.name());
            return row && row->items == 3;
        }));
        QCOMPARE(row->kind, std::string("JoinableQueue"));
        QCOMPARE(row->maxsize, 5u);
        QCOMPARE(row->free_slots, 2u);
        QCOMPARE(row->unfinished, 3u);
        QCOMPARE(row->capacity_bytes, std::uint64_t(4096));
        QVERIFY(row->used_bytes > 3 * 8 && row->used_bytes < 100);
        const auto* me = feeder_of(*row, snap.processes.front().id);
        QVERIFY(me);
        QCOMPARE(me->items, 0u);
        QCOMPARE(me->bytes, std::uint64_t(0));

        // An item larger than the channel stays partly in this process's feeder, which waits for a reader.
        q.put(std::string(10'000, 'y'));
        QVERIFY(wait_until([&] {
            snap = session.snapshot();
            row = object_named(snap, q.name());
            const auto* f = row ? feeder_of(*row, snap.processes.front().id) : nullptr;
            return f && f->flushing;
        }));
        const auto* f = feeder_of(*row, snap.processes.front().id);
        QCOMPARE(f->items, 1u);
        QVERIFY(f->bytes > 10'000 - 4096 && f->bytes < 10'000);
        QCOMPARE(row->used_bytes, std::uint64_t(4096));
        QCOMPARE(row->free_slots, 1u);
        QCOMPARE(row->unfinished, 4u);
        for (int i = 0; i < 4; ++i) {
            q.get();
            q.task_done();
        }
        QVERIFY(wait_until([&] {
            snap = session.snapshot();
            row = object_named(snap, q.name());
            return row && row->items == 0 && row->used_bytes == 0 && row->free_slots == 5 &&
                   row->unfinished == 0;
        }));
    }
};

MP_QTEST_MAIN(TestQueues)
#include "tst_queues.moc"
