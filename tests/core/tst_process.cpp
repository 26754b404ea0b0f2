// Process (SPEC §2-3) under every start method: naming and identity, the error messages, exit codes,
// join/terminate/kill/close, sentinels, parent_process, active_children, the exit sequence and the
// "Process <name>:" report of an uncaught exception. Children report back through exit codes and raw pipes
// passed as mp::Handle arguments.
#include "mp_test_main.hpp"
#include "process_test_support.hpp"

#include <mp/connection.hpp>
#include <mp/context.hpp>
#include <mp/process.hpp>
#include <mp/util.hpp>

#include <QProcess>
#include <QProcessEnvironment>
#include <QScopeGuard>
#include <QTest>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <iostream>
#include <poll.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace {

using namespace test_support;

bool fd_readable_now(int fd) {
    pollfd p{fd, POLLIN, 0};
    return ::poll(&p, 1, 0) > 0;
}

// ---- tasks run by the children --------------------------------------------------------------------

void block_until_byte(mp::Handle h) {
    char c;
    while (::read(h.fds.at(0), &c, 1) < 0 && errno == EINTR) {
    }
}
MP_TASK(block_until_byte);

void block_forever() {
    for (;;)
        ::pause();
}
MP_TASK(block_forever);

void write_line(mp::Handle h, std::string text) {
    write_text(h.fds.at(0), text + "\n");
}
MP_TASK(write_line);

int add_two(int a, int b) {
    return a + b;
}
MP_TASK(add_two);

std::string greet(std::string name, std::optional<std::string> greeting) {
    return greeting.value_or("hello") + " " + name;
}
MP_TASK(greet);

void do_nothing() {}
MP_TASK(do_nothing);

void exit_in_mode(std::string mode) {
    if (mode == "return") return;
    if (mode == "exit_none") mp::exit();
    if (mode == "exit_0") mp::exit(0);
    if (mode == "exit_3") mp::exit(3);
    if (mode == "exit_256") mp::exit(256);
    if (mode == "exit_minus_1") mp::exit(-1);
    if (mode == "exit_true") mp::exit(true);
    if (mode == "exit_false") mp::exit(false);
    if (mode == "exit_message") mp::exit("bye now");
    if (mode == "raise") throw mp::ValueError("boom");
    if (mode == "raise_std") throw std::out_of_range("past the end");
    if (mode == "segv") {
        std::signal(SIGSEGV, SIG_DFL); // a sanitizer's handler would turn the signal into exit(1)
        std::raise(SIGSEGV);
    }
    if (mode == "abort") std::abort();
}
MP_TASK(exit_in_mode);

// Writes "<own name>|<grandchild's name>|<grandchild's report>" where the grandchild reports its
// parent's name and pid.
void report_parent_of_grandchild(mp::Handle out, mp::Handle grand_out_w, mp::Handle grand_out_r) {
    mp::Process grandchild(write_line, mp::args(grand_out_w, std::string("unused")));
    std::string grand_name = grandchild.name();
    mp::Process reporter(mp::Target::task("report_parent"), mp::args(grand_out_w));
    reporter.start();
    reporter.join();
    auto line = read_line(grand_out_r.fds.at(0));
    write_text(out.fds.at(0), mp::current_process().name() + "|" + grand_name + "|" + reporter.name() + "|" +
                                  std::to_string(mp::current_process().pid().value()) + "|" +
                                  line.value_or("<none>") + "\n");
}
MP_TASK(report_parent_of_grandchild);

void report_parent(mp::Handle out) {
    mp::Process* parent = mp::parent_process();
    std::string text = parent ? parent->name() + "," + std::to_string(parent->pid().value()) + "," +
                                    (parent->is_alive() ? "alive" : "dead") + "," + parent->repr()
                              : "none";
    write_text(out.fds.at(0), text + "\n");
}
MP_TASK(report_parent);

void report_context(mp::Handle out) {
    mp::Process& me = mp::current_process();
    std::string text = me.name() + "," + mp::get_start_method().value_or("None") + "," +
                       (me.daemon() ? "daemon" : "nondaemon") + "," + std::to_string(me.authkey().size()) +
                       "," + me.repr();
    write_text(out.fds.at(0), text + "\n");
}
MP_TASK(report_context);

// Child side of the daemon rule: a daemonic process may not start children.
void start_grandchild_from_daemon(mp::Handle out) {
    std::string text;
    try {
        mp::Process(do_nothing).start();
        text = "started";
    } catch (const mp::AssertionError& e) {
        text = std::string("AssertionError: ") + e.what();
    }
    write_text(out.fds.at(0), text + "\n");
}
MP_TASK(start_grandchild_from_daemon);

// Reports whether stdin was replaced with /dev/null.
void report_stdin(mp::Handle out) {
    struct stat in {
    }, null{};
    bool same = ::fstat(0, &in) == 0 && ::stat("/dev/null", &null) == 0 && S_ISCHR(in.st_mode) &&
                in.st_rdev == null.st_rdev;
    write_text(out.fds.at(0), same ? "devnull\n" : "other\n");
}
MP_TASK(report_stdin);

// Reports whether fd `probe` is open in the child.
void report_fd_open(mp::Handle out, int probe) {
    write_text(out.fds.at(0), ::fcntl(probe, F_GETFD) >= 0 ? "open\n" : "closed\n");
}
MP_TASK(report_fd_open);

mp::Object echo_arguments(const mp::Object& args, const mp::Object& kwargs) {
    std::vector<mp::Object> rest(args.items().begin() + 1, args.items().end());
    write_text(args[0].as_handle().fds.at(0), mp::Object::tuple(rest).repr() + " " + kwargs.repr() + "\n");
    return mp::None;
}
MP_TASK(echo_arguments);

// A grandchild that waits for its parent to die and reports what parent_process() then says.
void watch_parent(mp::Handle out) {
    write_text(out.fds.at(0), "watching\n");
    mp::parent_process()->join();
    write_text(out.fds.at(0), std::string(mp::parent_process()->is_alive() ? "alive" : "dead") + "\n");
}
MP_TASK(watch_parent);

void start_watcher_then_block(mp::Handle out) {
    mp::Process watcher(watch_parent, mp::args(out));
    watcher.start();
    write_text(out.fds.at(0), std::to_string(watcher.pid().value()) + "\n");
    block_forever();
}
MP_TASK(start_watcher_then_block);

// Registers finalizers in the child and returns: the child's exit sequence runs them (SPEC §3, §13).
void register_finalizers(mp::Handle out) {
    int fd = out.fds.at(0);
    auto say = [fd](const char* word) { return [fd, word] { write_text(fd, std::string(word) + " "); }; };
    mp::util::Finalize a(say("a"));
    a();
    mp::util::Finalize b(say("b"));
    b();
    b();                            // runs at most once
    mp::util::Finalize c(say("c")); // no exit priority: only an explicit call would run it
    mp::util::Finalize d10(say("d10"), 1);
    mp::util::Finalize d01(say("d01"), 0);
    mp::util::Finalize d02(say("d02"), 0);
    mp::util::Finalize d03(say("d03"), 0);
    mp::util::Finalize cancelled(say("cancelled"), 5);
    cancelled.cancel();
    mp::util::Finalize e(say("e"), -10);
    mp::util::Finalize stop([fd] { write_text(fd, std::string("STOP\n")); }, -100);
    if (!c.still_active() || a.still_active() || cancelled.still_active())
        write_text(fd, "bad still_active ");
}
MP_TASK(register_finalizers);

// The seed's Pipe example: the child sends a list through its end of the pipe and closes it.
void send_over_connection(mp::Connection conn) {
    conn.send(mp::Object::list({42, mp::None, "hello"}));
    conn.close();
}
MP_TASK(send_over_connection);

// A subclass carrying its own data, rebuilt in spawn and forkserver children.
class Worker : public mp::Process {
public:
    Worker() = default;
    Worker(mp::Handle out, std::string word)
        : out_(std::move(out))
        , word_(std::move(word)) {}
    void run() override {
        write_text(out_.fds.at(0), word_ + " from " + mp::current_process().name() + "\n");
    }
    mp::Object get_state() const override { return mp::args(out_, word_); }
    void set_state(const mp::Object& state) override {
        out_ = mp::from_object<mp::Handle>(state[0]);
        word_ = state[1].as_str();
    }

private:
    mp::Handle out_;
    std::string word_;
};
MP_PROCESS_CLASS(Worker);

class UnregisteredWorker : public mp::Process {
public:
    void run() override { mp::exit(42); }
};

void add_methods() {
    QTest::addColumn<QString>("method");
    for (const char* m : {"fork", "spawn", "forkserver"})
        QTest::newRow(m) << QString(m);
}

std::string class_prefix(const QString& method) {
    if (method == "fork") return "ForkProcess";
    if (method == "spawn") return "SpawnProcess";
    return "ForkServerProcess";
}

mp::Context& ctx(const QString& method) {
    return mp::get_context(method.toStdString());
}

// Runs this test binary again with MP_TST_SCENARIO set: the scenario plays a whole program whose exit
// sequence and stderr are observed from outside.
struct ScenarioResult {
    int exit_code = -1;
    std::string out;
    std::string err;
};

ScenarioResult run_scenario(const QString& scenario, const QString& method) {
    QProcess proc;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert("MP_TST_SCENARIO", scenario + ":" + method);
    proc.setProcessEnvironment(env);
    proc.start(QCoreApplication::applicationFilePath(), {});
    ScenarioResult r;
    if (!proc.waitForFinished(60000)) {
        proc.kill();
        proc.waitForFinished();
        return r;
    }
    r.exit_code = proc.exitStatus() == QProcess::NormalExit ? proc.exitCode() : -1;
    r.out = proc.readAllStandardOutput().toStdString();
    r.err = proc.readAllStandardError().toStdString();
    return r;
}

void child_done_after_delay() {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    std::cout << "child done" << std::endl;
}
MP_TASK(child_done_after_delay);

[[noreturn]] void run_scenario_and_exit(const std::string& spec) {
    auto colon = spec.find(':');
    std::string name = spec.substr(0, colon);
    mp::Context& c = mp::get_context(spec.substr(colon + 1));
    if (name == "raise" || name == "raise_std" || name == "exit_message") {
        mp::Process p = c.Process(exit_in_mode, mp::args(name));
        p.start();
        p.join();
        std::cout << "exitcode " << p.exitcode().value() << std::endl;
    } else if (name == "daemon_at_exit") {
        static RawPipe never; // nobody writes: the child blocks until terminated
        mp::Process p =
            c.Process({.target = block_until_byte, .args = mp::args(never.read_handle()), .daemon = true});
        p.start();
        std::cout << p.pid().value() << std::endl;
    } else if (name == "nondaemon_joined_at_exit") {
        std::cout << "parent exiting" << std::endl;
        mp::Process p = c.Process(child_done_after_delay);
        p.start();
        std::cerr << p.pid().value() << std::endl;
    }
    std::exit(0); // runs the exit sequence, as returning from main() does
}

} // namespace

class TestProcess : public QObject {
    Q_OBJECT
public:
    TestProcess() {
        if (const char* scenario = std::getenv("MP_TST_SCENARIO")) run_scenario_and_exit(scenario);
    }

private slots:
    void namesAndIdentity() {
        mp::Process a;
        mp::Process b(do_nothing);
        QCOMPARE(b.identity().size(), std::size_t(1));
        QCOMPARE(b.identity()[0], a.identity()[0] + 1);
        QCOMPARE(a.name(), "Process-" + std::to_string(a.identity()[0]));
        mp::Process c = mp::get_context("fork").Process();
        QCOMPARE(c.name(), "ForkProcess-" + std::to_string(b.identity()[0] + 1));
        QCOMPARE(mp::get_context("spawn").Process().name().rfind("SpawnProcess-", 0), std::size_t(0));
        QCOMPARE(mp::get_context("forkserver").Process().name().rfind("ForkServerProcess-", 0),
                 std::size_t(0));
        mp::Process named(do_nothing, mp::args(), mp::Object::dict(), std::string("worker"));
        QCOMPARE(named.name(), std::string("worker"));
        named.set_name("renamed");
        QCOMPARE(named.name(), std::string("renamed"));
        QCOMPARE(error_of<mp::AssertionError>([&] { named.set_name(5); }),
                 std::string("name must be a string"));
        QCOMPARE(error_of<mp::AssertionError>([] { mp::Process({.group = 1}); }),
                 std::string("group argument must be None for now"));
        mp::Process opts({.target = do_nothing, .name = "opts", .daemon = true});
        QCOMPARE(opts.name(), std::string("opts"));
        QVERIFY(opts.daemon());
        // Moving keeps the identity; the moved-from object refuses use with a clear error.
        mp::Process source(do_nothing);
        const std::string source_name = source.name();
        mp::Process moved = std::move(source);
        QCOMPARE(moved.name(), source_name);
        QCOMPARE(error_of<mp::ValueError>([&] { source.start(); }),
                 std::string("this Process object was moved from"));
        Worker w;
        QCOMPARE(w.name(), "Worker-" + std::to_string(w.identity()[0]));
        QCOMPARE(w.authkey(), mp::current_process().authkey());
    }

    void currentProcessInMain() {
        mp::Process& me = mp::current_process();
        QCOMPARE(me.name(), std::string("MainProcess"));
        QVERIFY(me.is_alive());
        QVERIFY(!me.daemon());
        QVERIFY(!me.exitcode().has_value());
        QCOMPARE(me.pid().value(), int(::getpid()));
        QCOMPARE(me.authkey().size(), std::size_t(32));
        QVERIFY(me.identity().empty());
        QCOMPARE(me.repr(), std::string("<_MainProcess name='MainProcess' parent=None started>"));
        QCOMPARE(error_of<mp::AssertionError>([&] { me.join(); }),
                 std::string("can only join a child process"));
        QCOMPARE(error_of<mp::AssertionError>([&] { me.start(); }),
                 std::string("can only start a process object created by current process"));
        me.close(); // a no-op for the main process
        QVERIFY(me.is_alive());
        QVERIFY(mp::parent_process() == nullptr);
        QVERIFY(mp::cpu_count() >= 1);
    }

    void argumentConversion() {
        const mp::TaskFunction* add = mp::find_task("add_two");
        QVERIFY(add);
        QCOMPARE((*add)(mp::args(2, 3), mp::Object::dict()), mp::Object(5));
        QCOMPARE(error_of<mp::TypeError>([&] { (*add)(mp::args(1, 2, 3), mp::Object::dict()); }),
                 std::string("add_two() takes 2 positional arguments but 3 were given"));
        QCOMPARE(error_of<mp::TypeError>([&] { (*add)(mp::args(1), mp::Object::dict()); }),
                 std::string("add_two() missing 1 required positional argument"));
        QCOMPARE(error_of<mp::TypeError>([&] {
                     (*add)(mp::args(1, 2), mp::Object::dict({{"k", 1}}));
                 }),
                 std::string("add_two() got an unexpected keyword argument 'k'"));
        const mp::TaskFunction* nothing = mp::find_task("do_nothing");
        QCOMPARE((*nothing)(mp::args(), mp::Object::dict()), mp::Object());
        QCOMPARE(error_of<mp::TypeError>([&] { (*nothing)(mp::args(1), mp::Object::dict()); }),
                 std::string("do_nothing() takes 0 positional arguments but 1 was given"));
        const mp::TaskFunction* hello = mp::find_task("greet");
        QCOMPARE((*hello)(mp::args("bob"), mp::Object::dict()), mp::Object("hello bob"));
        QCOMPARE((*hello)(mp::args("bob", "hi"), mp::Object::dict()), mp::Object("hi bob"));
        QCOMPARE(error_of<mp::TypeError>([&] { (*hello)(mp::args(), mp::Object::dict()); }),
                 std::string("greet() missing 1 required positional argument"));
        QCOMPARE(error_of<mp::TypeError>([&] { (*hello)(mp::args(1, 2, 3), mp::Object::dict()); }),
                 std::string("greet() takes from 1 to 2 positional arguments but 3 were given"));
        QVERIFY(mp::find_task("no_such_task") == nullptr);
        QCOMPARE(mp::task_name_of(add_two).value_or(""), std::string("add_two"));
        QVERIFY(!mp::task_name_of(&block_forever_unregistered).has_value());
        QCOMPARE(error_of<mp::ValueError>([] {
                     mp::register_task("add_two",
                                       [](const mp::Object&, const mp::Object&) { return mp::Object(); });
                 }),
                 std::string("a task named 'add_two' is already registered"));
        // args are copied to a tuple (lists accepted, like tuple(args)); kwargs must be a dict.
        QCOMPARE(error_of<mp::TypeError>([] { mp::Process(do_nothing, mp::Object(5)); }),
                 std::string("'int' object is not iterable"));
        QCOMPARE(error_of<mp::TypeError>([] { mp::Process(do_nothing, mp::args(), mp::Object()); }),
                 std::string("'NoneType' object is not iterable"));
    }

    void argsReachChild_data() { add_methods(); }
    void argsReachChild() {
        QFETCH(QString, method);
        RawPipe out;
        mp::Object kwargs = mp::Object::dict({{"k", mp::Object::list({1, 2.5, "x"})}});
        mp::Process p = ctx(method).Process(
            echo_arguments,
            mp::Object::list({mp::Object(out.write_handle()), 7, "seven", mp::Object::bytes("b")}), kwargs);
        p.start();
        QCOMPARE(read_line(out.r()).value_or("<none>"),
                 std::string("(7, 'seven', b'b') {'k': [1, 2.5, 'x']}"));
        p.join();
        QCOMPARE(p.exitcode(), std::optional<int>(0));

        // A typed task rejects keyword arguments in the child: TypeError, exit code 1.
        mp::Process q = ctx(method).Process({.target = do_nothing, .kwargs = mp::Object::dict({{"k", 1}})});
        q.start();
        q.join();
        QCOMPARE(q.exitcode(), std::optional<int>(1));
    }

    void connectionArgument_data() { add_methods(); }
    void connectionArgument() {
        QFETCH(QString, method);
        auto [parent_end, child_end] = mp::Pipe(false);
        mp::Process p = ctx(method).Process(send_over_connection, mp::args(child_end));
        p.start();
        // As in the seed's wait() example: once the parent closes its copy, only the child holds the
        // writable end, so the reader sees EOF after the child is done.
        child_end.close();
        QCOMPARE(parent_end.recv().repr(), std::string("[42, None, 'hello']"));
        QCOMPARE(error_of<mp::EOFError>([&] { parent_end.recv(); }), std::string()); // EOFError(), as Python
        p.join();
        QCOMPARE(p.exitcode(), std::optional<int>(0));
    }

    void exitCodes_data() {
        QTest::addColumn<QString>("method");
        QTest::addColumn<QString>("mode");
        QTest::addColumn<int>("expected");
        const std::pair<const char*, int> cases[] = {
            {"return", 0},       {"exit_none", 0},      {"exit_0", 0},    {"exit_3", 3},
            {"exit_256", 0},     {"exit_minus_1", 255}, {"exit_true", 1}, {"exit_false", 0},
            {"exit_message", 1}, {"raise", 1},          {"raise_std", 1}, {"segv", -SIGSEGV},
            {"abort", -SIGABRT}};
        for (const char* m : {"fork", "spawn", "forkserver"})
            for (const auto& [mode, code] : cases)
                QTest::newRow((std::string(m) + "/" + mode).c_str()) << QString(m) << QString(mode) << code;
    }
    void exitCodes() {
        QFETCH(QString, method);
        QFETCH(QString, mode);
        QFETCH(int, expected);
        // Keep the expected error reports of the crashing modes out of the test log.
        int saved_stderr = ::dup(2);
        int devnull = ::open("/dev/null", O_WRONLY);
        ::dup2(devnull, 2);
        ::close(devnull);
        mp::Process p = ctx(method).Process(exit_in_mode, mp::args(mode.toStdString()));
        p.start();
        p.join();
        ::dup2(saved_stderr, 2);
        ::close(saved_stderr);
        QCOMPARE(p.exitcode(), std::optional<int>(expected));
        QVERIFY(!p.is_alive());
    }

    void joinTimeoutAndSentinel_data() { add_methods(); }
    void joinTimeoutAndSentinel() {
        QFETCH(QString, method);
        RawPipe gate;
        mp::Process p = ctx(method).Process(
            {.target = block_until_byte, .args = mp::args(gate.read_handle()), .daemon = true});
        QCOMPARE(error_of<mp::ValueError>([&] { (void)p.sentinel(); }), std::string("process not started"));
        QVERIFY(!p.exitcode().has_value());
        QVERIFY(!p.pid().has_value());
        QVERIFY(!p.is_alive());
        p.start();
        QVERIFY(p.pid().has_value());
        QCOMPARE(p.ident(), p.pid());
        QVERIFY(p.is_alive());
        p.join(0.05);
        QVERIFY(p.is_alive());
        QVERIFY(!p.exitcode().has_value());
        p.join(0);
        p.join(-1);
        QVERIFY(p.is_alive());
        QVERIFY(!fd_readable_now(p.sentinel()));
        gate.send_byte();
        pollfd ready{p.sentinel(), POLLIN, 0};
        QCOMPARE(::poll(&ready, 1, 20000), 1);
        p.join();
        QCOMPARE(p.exitcode(), std::optional<int>(0));
        QVERIFY(!p.is_alive());
        p.join(); // may be called again
        p.join(0);
        QCOMPARE(p.exitcode(), std::optional<int>(0));
    }

    void terminateAndKill_data() { add_methods(); }
    void terminateAndKill() {
        QFETCH(QString, method);
        const std::string cls = class_prefix(method);
        mp::Process p = ctx(method).Process(block_forever);
        auto cleanup = qScopeGuard([&] { kill_if_running(p); });
        QCOMPARE(error_of<mp::AttributeError>([&] { p.terminate(); }),
                 std::string("'NoneType' object has no attribute 'terminate'"));
        const std::string parent = std::to_string(::getpid());
        QCOMPARE(p.repr(), "<" + cls + " name='" + p.name() + "' parent=" + parent + " initial>");
        p.start();
        const std::string pid = std::to_string(p.pid().value());
        QCOMPARE(p.repr(),
                 "<" + cls + " name='" + p.name() + "' pid=" + pid + " parent=" + parent + " started>");
        p.terminate();
        p.join();
        QCOMPARE(p.exitcode(), std::optional<int>(-SIGTERM));
        QCOMPARE(p.repr(), "<" + cls + " name='" + p.name() + "' pid=" + pid + " parent=" + parent +
                               " stopped exitcode=-SIGTERM>");
        p.terminate(); // no-op once the child has ended
        p.kill();
        QCOMPARE(p.exitcode(), std::optional<int>(-SIGTERM));

        mp::Process q = ctx(method).Process({.target = block_forever, .daemon = true});
        q.start();
        q.kill();
        q.join();
        QCOMPARE(q.exitcode(), std::optional<int>(-SIGKILL));
        QCOMPARE(q.repr(), "<" + cls + " name='" + q.name() + "' pid=" + std::to_string(q.pid().value()) +
                               " parent=" + parent + " stopped exitcode=-SIGKILL daemon>");
    }

    void startAndCloseErrors_data() { add_methods(); }
    void startAndCloseErrors() {
        QFETCH(QString, method);
        RawPipe gate;
        mp::Process p = ctx(method).Process(block_until_byte, mp::args(gate.read_handle()));
        QCOMPARE(error_of<mp::AssertionError>([&] { p.join(); }),
                 std::string("can only join a started process"));
        p.start();
        QCOMPARE(error_of<mp::AssertionError>([&] { p.start(); }),
                 std::string("cannot start a process twice"));
        QCOMPARE(error_of<mp::AssertionError>([&] { p.set_daemon(true); }),
                 std::string("process has already started"));
        QCOMPARE(
            error_of<mp::ValueError>([&] { p.close(); }),
            std::string("Cannot close a process while it is still running. You should first call join() or "
                        "terminate()."));
        gate.send_byte();
        p.join();
        p.close();
        p.close(); // idempotent
        const std::string closed = "process object is closed";
        QCOMPARE(error_of<mp::ValueError>([&] { p.start(); }), closed);
        QCOMPARE(error_of<mp::ValueError>([&] { p.join(); }), closed);
        QCOMPARE(error_of<mp::ValueError>([&] { (void)p.is_alive(); }), closed);
        QCOMPARE(error_of<mp::ValueError>([&] { p.terminate(); }), closed);
        QCOMPARE(error_of<mp::ValueError>([&] { p.kill(); }), closed);
        QCOMPARE(error_of<mp::ValueError>([&] { (void)p.exitcode(); }), closed);
        QCOMPARE(error_of<mp::ValueError>([&] { (void)p.pid(); }), closed);
        QCOMPARE(error_of<mp::ValueError>([&] { (void)p.sentinel(); }), closed);
        QVERIFY(!p.name().empty()); // still readable
        QVERIFY(!p.daemon());
        QCOMPARE(p.repr(), "<" + class_prefix(method) + " name='" + p.name() +
                               "' parent=" + std::to_string(::getpid()) + " closed>");

        mp::Process never_started = ctx(method).Process(do_nothing);
        never_started.close();
        QCOMPARE(error_of<mp::ValueError>([&] { never_started.start(); }), closed);
    }

    void objectFromAnotherProcess() {
        // Under fork a child holds a copy of its parent's Process objects; it may not drive them.
        mp::Process sibling(do_nothing);
        RawPipe out;
        auto check = [&sibling, &out] {
            std::string text = error_of<mp::AssertionError>([&] { sibling.start(); }) + "|" +
                               error_of<mp::AssertionError>([&] { sibling.join(); }) + "|" +
                               error_of<mp::AssertionError>([&] { (void)sibling.is_alive(); }) + "|" +
                               sibling.repr();
            write_text(out.w(), text + "\n");
        };
        mp::Process p = mp::get_context("fork").Process(check);
        p.start();
        std::string expected =
            "can only start a process object created by current process|can only join a child "
            "process|can only test a child process|<Process name='" +
            sibling.name() + "' parent=" + std::to_string(::getpid()) + " unknown>";
        QCOMPARE(read_line(out.r()).value_or("<none>"), expected);
        p.join();
        QCOMPARE(p.exitcode(), std::optional<int>(0));
    }

    void finalizersRunInExitOrder_data() { add_methods(); }
    void finalizersRunInExitOrder() {
        QFETCH(QString, method);
        RawPipe out;
        mp::Process p = ctx(method).Process(register_finalizers, mp::args(out.write_handle()));
        p.start();
        QCOMPARE(read_line(out.r()).value_or("<none>"), std::string("a b d10 d03 d02 d01 e STOP"));
        p.join();
        QCOMPARE(p.exitcode(), std::optional<int>(0));
    }

    void daemonCannotHaveChildren_data() { add_methods(); }
    void daemonCannotHaveChildren() {
        QFETCH(QString, method);
        RawPipe out;
        mp::Process p = ctx(method).Process(
            {.target = start_grandchild_from_daemon, .args = mp::args(out.write_handle()), .daemon = true});
        p.start();
        QCOMPARE(read_line(out.r()).value_or("<none>"),
                 std::string("AssertionError: daemonic processes are not allowed to have children"));
        p.join();
        QCOMPARE(p.exitcode(), std::optional<int>(0));
    }

    void childSeesItsContext_data() { add_methods(); }
    void childSeesItsContext() {
        QFETCH(QString, method);
        RawPipe out;
        mp::Process p = ctx(method).Process(report_context, mp::args(out.write_handle()));
        p.set_authkey(std::string(7, 'k'));
        p.start();
        std::string m = method.toStdString();
        QCOMPARE(read_line(out.r()).value_or("<none>"),
                 p.name() + "," + m + ",nondaemon,7,<" + class_prefix(method) + " name='" + p.name() +
                     "' parent=" + std::to_string(::getpid()) + " started>");
        p.join();
        QCOMPARE(p.exitcode(), std::optional<int>(0));

        mp::Process stdin_check = ctx(method).Process(report_stdin, mp::args(out.write_handle()));
        stdin_check.start();
        QCOMPARE(read_line(out.r()).value_or("<none>"), std::string("devnull"));
        stdin_check.join();
    }

    void parentProcessAndGrandchildNames_data() { add_methods(); }
    void parentProcessAndGrandchildNames() {
        QFETCH(QString, method);
        RawPipe out, grand;
        mp::Process p =
            ctx(method).Process(report_parent_of_grandchild,
                                mp::args(out.write_handle(), grand.write_handle(), grand.read_handle()));
        p.start();
        const std::string child = p.name();
        const std::string id = std::to_string(p.identity()[0]);
        const std::string child_pid = std::to_string(p.pid().value());
        // The grandchild is a default-context Process; the counter restarts at 1 in the child.
        const std::string expected = child + "|Process-" + id + ":1|Process-" + id + ":2|" + child_pid + "|" +
                                     child + "," + child_pid + ",alive,<_ParentProcess name='" + child +
                                     "' parent=None unknown>";
        QCOMPARE(read_line(out.r()).value_or("<none>"), expected);
        p.join();
        QCOMPARE(p.exitcode(), std::optional<int>(0));

        mp::Process direct = ctx(method).Process(report_parent, mp::args(out.write_handle()));
        direct.start();
        QCOMPARE(read_line(out.r()).value_or("<none>"),
                 "MainProcess," + std::to_string(::getpid()) +
                     ",alive,<_ParentProcess name='MainProcess' parent=None unknown>");
        direct.join();
    }

    void childSeesParentDie_data() { add_methods(); }
    void childSeesParentDie() {
        QFETCH(QString, method);
        RawPipe out;
        mp::Process middle = ctx(method).Process(start_watcher_then_block, mp::args(out.write_handle()));
        middle.start();
        auto cleanup = qScopeGuard([&] { kill_if_running(middle); });
        // The middle process reports its child's pid, the child reports that it watches: in either order.
        auto first = read_line(out.r());
        auto second = read_line(out.r());
        QVERIFY(first && second);
        if (*first == "watching") std::swap(first, second);
        QCOMPARE(*second, std::string("watching"));
        auto watcher_pid = first;
        middle.kill(); // no exit sequence in the middle process: its child is orphaned
        middle.join();
        QCOMPARE(middle.exitcode(), std::optional<int>(-SIGKILL));
        QCOMPARE(read_line(out.r()).value_or("<none>"), std::string("dead"));
        ::kill(std::stoi(*watcher_pid), SIGKILL); // normally it has exited already
    }

    void activeChildrenReaps_data() { add_methods(); }
    void activeChildrenReaps() {
        QFETCH(QString, method);
        RawPipe gate_a, gate_b;
        // Daemonic, so that a failed check cannot leave them to be joined for ever at exit.
        mp::Process a = ctx(method).Process(
            {.target = block_until_byte, .args = mp::args(gate_a.read_handle()), .daemon = true});
        mp::Process b = ctx(method).Process(
            {.target = block_until_byte, .args = mp::args(gate_b.read_handle()), .daemon = true});
        a.start();
        b.start();
        auto pids_of = [](const std::vector<mp::Process>& ps) {
            std::vector<int> pids;
            for (const auto& p : ps)
                pids.push_back(p.pid().value());
            std::sort(pids.begin(), pids.end());
            return pids;
        };
        std::vector<int> both{a.pid().value(), b.pid().value()};
        std::sort(both.begin(), both.end());
        QCOMPARE(pids_of(mp::active_children()), both);
        gate_a.send_byte();
        pollfd ready{a.sentinel(), POLLIN, 0};
        QCOMPARE(::poll(&ready, 1, 20000), 1);
        // The sentinel turns readable as the child exits; give the kernel the moment to finish it.
        std::vector<int> left;
        for (int i = 0; i < 2000; ++i) {
            left = pids_of(mp::active_children());
            if (left.size() == 1) break;
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        QCOMPARE(left, std::vector<int>{b.pid().value()});
        QCOMPARE(a.exitcode(), std::optional<int>(0)); // reaped by active_children()
        if (method != "forkserver") {
            errno = 0;
            QCOMPARE(::waitpid(a.pid().value(), nullptr, WNOHANG), -1);
            QCOMPARE(errno, ECHILD);
        }
        gate_b.send_byte();
        b.join();
        QVERIFY(mp::active_children().empty());
    }

    void fdInheritance_data() { add_methods(); }
    void fdInheritance() {
        QFETCH(QString, method);
        // A descriptor opened without O_CLOEXEC: fork children share it, spawn and forkserver ones do not.
        int opened = ::open("/dev/null", O_RDONLY);
        QVERIFY(opened >= 0);
        // A high number that no descriptor a spawn or forkserver child needs can share by chance.
        int stray = ::fcntl(opened, F_DUPFD, 900);
        ::close(opened);
        QVERIFY(stray >= 900);
        RawPipe out;
        mp::Process p = ctx(method).Process(report_fd_open, mp::args(out.write_handle(), stray));
        p.start();
        QCOMPARE(read_line(out.r()).value_or("<none>"), std::string(method == "fork" ? "open" : "closed"));
        p.join();
        ::close(stray);
    }

    void subclassRunOverride_data() { add_methods(); }
    void subclassRunOverride() {
        QFETCH(QString, method);
        mp::set_start_method(method.toStdString(), true);
        RawPipe out;
        Worker w(out.write_handle(), "ping");
        w.start();
        QCOMPARE(read_line(out.r()).value_or("<none>"), "ping from " + w.name());
        w.join();
        QCOMPARE(w.exitcode(), std::optional<int>(0));
        QCOMPARE(w.repr().rfind("<Worker name='Worker-", 0), std::size_t(0));

        UnregisteredWorker u;
        if (method == "fork") {
            u.start();
            u.join();
            QCOMPARE(u.exitcode(), std::optional<int>(42));
        } else {
            QCOMPARE(
                error_of<mp::PicklingError>([&] { u.start(); }),
                std::string(
                    "Can't pickle <class 'UnregisteredWorker'>: spawn and forkserver children rebuild "
                    "Process subclasses by name; register it with MP_PROCESS_CLASS(UnregisteredWorker)"));
            QVERIFY(!u.pid().has_value());
        }
        mp::set_start_method(std::nullopt, true);
    }

    void unregisteredTarget_data() { add_methods(); }
    void unregisteredTarget() {
        QFETCH(QString, method);
        int captured = 5;
        mp::Process lambda_target = ctx(method).Process([captured] { mp::exit(captured); });
        mp::Process fn_target = ctx(method).Process(&block_forever_unregistered);
        if (method == "fork") {
            lambda_target.start();
            lambda_target.join();
            QCOMPARE(lambda_target.exitcode(), std::optional<int>(5));
            return;
        }
        QCOMPARE(
            error_of<mp::PicklingError>([&] { lambda_target.start(); }),
            std::string("Can't pickle <lambda>: spawn and forkserver children find their target by name; "
                        "register it with MP_TASK(f)"));
        std::string msg = error_of<mp::PicklingError>([&] { fn_target.start(); });
        QVERIFY2(msg.find("register it with MP_TASK(") != std::string::npos, msg.c_str());
        QVERIFY(!lambda_target.is_alive());
        QVERIFY(!fn_target.pid().has_value());
    }

    void handleChecksCanRefuseAMethod_data() { add_methods(); }
    void handleChecksCanRefuseAMethod() {
        QFETCH(QString, method);
        static const bool registered = [] {
            mp::register_handle_check("fork-only", [](const mp::Handle& h, std::string_view m) {
                if (m != "fork")
                    throw mp::RuntimeError("A " + h.kind +
                                           " handle created in a fork context is being shared "
                                           "with a process in a " +
                                           std::string(m) + " context");
            });
            return true;
        }();
        QVERIFY(registered);
        RawPipe out;
        mp::Handle fork_only{"fork-only", "", {}, {}};
        mp::Process p = ctx(method).Process(write_line, mp::args(out.write_handle(), "started"),
                                            mp::Object::dict({{"unused", mp::Object::list({fork_only})}}));
        if (method != "fork") {
            QCOMPARE(error_of<mp::RuntimeError>([&] { p.start(); }),
                     "A fork-only handle created in a fork context is being shared with a process in a " +
                         method.toStdString() + " context");
            QVERIFY(!p.pid().has_value());
            return;
        }
        // write_line takes no keyword arguments: the child starts (the check passed) and fails with
        // TypeError.
        p.start();
        p.join();
        QCOMPARE(p.exitcode(), std::optional<int>(1));
    }

    void uncaughtExceptionReport_data() { add_methods(); }
    void uncaughtExceptionReport() {
        QFETCH(QString, method);
        ScenarioResult r = run_scenario("raise", method);
        QCOMPARE(r.exit_code, 0);
        QCOMPARE(r.out, std::string("exitcode 1\n"));
        const std::string name = class_prefix(method) + "-1";
        QVERIFY2(r.err.rfind("Process " + name + ":\nTraceback (most recent call last):\n", 0) == 0,
                 r.err.c_str());
        QVERIFY2(r.err.size() > 18 && r.err.substr(r.err.size() - 18) == "\nValueError: boom\n",
                 r.err.c_str());

        r = run_scenario("raise_std", method);
        QVERIFY2(r.err.find("\nIndexError: past the end\n") != std::string::npos, r.err.c_str());

        r = run_scenario("exit_message", method);
        QCOMPARE(r.out, std::string("exitcode 1\n"));
        QCOMPARE(r.err, std::string("bye now\n"));
    }

    void daemonTerminatedAtExit_data() { add_methods(); }
    void daemonTerminatedAtExit() {
        QFETCH(QString, method);
        ScenarioResult r = run_scenario("daemon_at_exit", method);
        QCOMPARE(r.exit_code, 0);
        int pid = std::stoi(r.out);
        // Terminated and reaped by the exit sequence, so the pid no longer exists.
        QCOMPARE(::kill(pid, 0), -1);
        QCOMPARE(errno, ESRCH);
    }

    void nonDaemonJoinedAtExit_data() { add_methods(); }
    void nonDaemonJoinedAtExit() {
        QFETCH(QString, method);
        ScenarioResult r = run_scenario("nondaemon_joined_at_exit", method);
        QCOMPARE(r.exit_code, 0);
        QCOMPARE(r.out, std::string("parent exiting\nchild done\n"));
        int pid = std::stoi(r.err);
        QCOMPARE(::kill(pid, 0), -1);
        QCOMPARE(errno, ESRCH);
    }

private:
    static void block_forever_unregistered() {
        for (;;)
            ::pause();
    }
};

MP_QTEST_MAIN(TestProcess)
#include "tst_process.moc"
