// Contexts and start methods (SPEC §1): fixing and forcing the default, concrete contexts, the method
// children are started with and see, set_executable.
#include "mp_test_main.hpp"
#include "process_test_support.hpp"

#include <mp/context.hpp>
#include <mp/process.hpp>

#include <QFileInfo>
#include <QProcess>
#include <QTest>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <fcntl.h>
#include <fstream>
#include <iterator>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

namespace {

using namespace test_support;

// Joins the parts with "," (built with append: GCC 12 warns falsely on long operator+ chains).
template <class... Parts> std::string csv(const Parts&... parts) {
    std::string out;
    bool first = true;
    ((out += (first ? "" : ","), out += parts, first = false), ...);
    return out;
}

// argv[1] of the running program: empty for a fork child (a copy of the test), the role marker for a spawn
// child and for a child of the forkserver.
std::string own_role_marker() {
    std::ifstream in("/proc/self/cmdline", std::ios::binary);
    std::string cmdline((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto first_end = cmdline.find('\0');
    if (first_end == std::string::npos || first_end + 1 >= cmdline.size()) return "";
    return std::string(cmdline.c_str() + first_end + 1);
}

// Reports how the child was started and which start method it sees as its default.
void report_start(mp::Handle out) {
    write_text(out.fds.at(0), csv(own_role_marker(), mp::get_start_method(true).value_or("None"),
                                  mp::current_process().name()) +
                                  "\n");
}
MP_TASK(report_start);

std::string marker_of(const std::string& method) {
    if (method == "spawn") return "--multiprocessing-fork";
    if (method == "forkserver") return "--multiprocessing-forkserver";
    return "";
}

} // namespace

class TestContext : public QObject {
    Q_OBJECT
private slots:
    // Runs first: nothing has fixed the default yet in this fresh process.
    void defaultIsFixedByFirstUse() {
        QVERIFY(!mp::get_start_method(true).has_value());
        QCOMPARE(mp::get_start_method().value(), std::string("fork"));
        QCOMPARE(mp::get_start_method(true).value(), std::string("fork"));
        QCOMPARE(error_of<mp::RuntimeError>([] { mp::set_start_method("spawn"); }),
                 std::string("context has already been set"));
        mp::set_start_method(std::nullopt, true); // un-fixes it
        QVERIFY(!mp::get_start_method(true).has_value());
        QCOMPARE(mp::get_context().start_method(), std::string("fork")); // get_context() fixes it too
        QCOMPARE(error_of<mp::RuntimeError>([] { mp::set_start_method("fork"); }),
                 std::string("context has already been set"));
        mp::set_start_method(std::nullopt, true);
        mp::set_start_method(std::nullopt); // None without force fixes the default
        QCOMPARE(mp::get_start_method(true).value(), std::string("fork"));
        mp::set_start_method("spawn", true);
        QCOMPARE(mp::get_start_method().value(), std::string("spawn"));
        QCOMPARE(&mp::get_context(), &mp::get_context("spawn"));
        mp::set_start_method(std::nullopt, true);
    }

    void unknownMethods() {
        QCOMPARE(error_of<mp::ValueError>([] { mp::get_context("thread"); }),
                 std::string("cannot find context for 'thread'"));
        QCOMPARE(error_of<mp::ValueError>([] { mp::set_start_method("it's", true); }),
                 std::string("cannot find context for \"it's\""));
        QVERIFY(!mp::get_start_method(true).has_value()); // a failed set changes nothing
    }

    void allStartMethods() {
        QCOMPARE(mp::get_all_start_methods(), (std::vector<std::string>{"fork", "spawn", "forkserver"}));
    }

    void concreteContexts() {
        const std::pair<const char*, const char*> expected[] = {
            {"fork", "ForkProcess"}, {"spawn", "SpawnProcess"}, {"forkserver", "ForkServerProcess"}};
        for (const auto& [method, cls] : expected) {
            mp::Context& c = mp::get_context(method);
            QCOMPARE(c.start_method(), std::string(method));
            QCOMPARE(c.process_class_name(), std::string(cls));
            QCOMPARE(c.get_start_method().value(), std::string(method));
            QCOMPARE(&c.get_context(), &c);
            QCOMPARE(&c.get_context("spawn"), &mp::get_context("spawn"));
            QCOMPARE(error_of<mp::ValueError>([&] { c.set_start_method("fork"); }),
                     std::string("cannot set start method of concrete context"));
            QCOMPARE(error_of<mp::ValueError>([&] { c.get_context("x"); }),
                     std::string("cannot find context for 'x'"));
            mp::Process p = c.Process();
            QCOMPARE(p.name(), std::string(cls) + "-" + std::to_string(p.identity()[0]));
            std::string repr_start = "<";
            repr_start += cls;
            QCOMPARE(p.repr().rfind(repr_start + " name=", 0), std::size_t(0));
            QCOMPARE(c.Process({.name = "named"}).name(), std::string("named"));
            QCOMPARE(c.get_all_start_methods().size(), std::size_t(3));
            QCOMPARE(&c.current_process(), &mp::current_process());
            QVERIFY(c.parent_process() == nullptr);
            QCOMPARE(c.cpu_count(), mp::cpu_count());
        }
        // Using concrete contexts does not fix the default.
        QVERIFY(!mp::get_start_method(true).has_value());
    }

    void childrenUseAndSeeTheirMethod_data() {
        QTest::addColumn<QString>("default_method");
        QTest::addColumn<QString>("method");
        for (const char* d : {"fork", "spawn", "forkserver"})
            for (const char* m : {"fork", "spawn", "forkserver"})
                QTest::newRow(QByteArray(d) + "/" + m) << QString(d) << QString(m);
    }
    void childrenUseAndSeeTheirMethod() {
        QFETCH(QString, default_method);
        QFETCH(QString, method);
        const std::string d = default_method.toStdString(), m = method.toStdString();
        mp::set_start_method(d, true);
        RawPipe out;
        // A default-context Process is started with the default method and inherits it.
        mp::Process plain(report_start, mp::args(out.write_handle()));
        plain.start();
        QCOMPARE(read_line(out.r()).value_or("<none>"), csv(marker_of(d), d, plain.name()));
        plain.join();
        QCOMPARE(plain.exitcode(), std::optional<int>(0));
        // A concrete context's process uses its method, which becomes the child's default.
        mp::Process bound = mp::get_context(m).Process(report_start, mp::args(out.write_handle()));
        bound.start();
        QCOMPARE(read_line(out.r()).value_or("<none>"), csv(marker_of(m), m, bound.name()));
        bound.join();
        QCOMPARE(bound.exitcode(), std::optional<int>(0));
        mp::set_start_method(std::nullopt, true);
    }

    void startingFixesTheDefault() {
        mp::set_start_method(std::nullopt, true);
        RawPipe out;
        mp::Process p(report_start, mp::args(out.write_handle()));
        p.start();
        QVERIFY(read_line(out.r()).has_value());
        p.join();
        QCOMPARE(mp::get_start_method(true).value_or("None"), std::string("fork"));
        mp::set_start_method(std::nullopt, true);
    }

    // A program whose main() forgets freeze_support (core/examples/missing_main_guard.cpp).
    void missingFreezeSupport_data() {
        QTest::addColumn<QString>("method");
        for (const char* m : {"fork", "spawn", "forkserver"})
            QTest::newRow(m) << QString(m);
    }
    void missingFreezeSupport() {
        QFETCH(QString, method);
        const QString program = QStringLiteral(MPSCOPE_BINARY_DIR "/core/example_missing_main_guard");
        if (!QFileInfo::exists(program)) QSKIP("the examples are not built (MPSCOPE_BUILD_EXAMPLES=OFF)");
        QProcess proc;
        proc.start(program, {"--method", method});
        QVERIFY(proc.waitForFinished(30000));
        const std::string out = proc.readAllStandardOutput().toStdString();
        if (method == "fork") {
            QCOMPARE(out, std::string("hello\n"));
            QCOMPARE(proc.exitCode(), 0);
        } else {
            QCOMPARE(out, std::string(
                              "RuntimeError: the spawn and forkserver start methods re-execute this program, "
                              "but main() did not call mp::freeze_support(argc, argv) first; add it as the "
                              "first statement of main()\n"));
            QCOMPARE(proc.exitCode(), 1);
        }
    }

    void setExecutable_data() {
        QTest::addColumn<QString>("method");
        QTest::newRow("spawn") << QString("spawn");
        QTest::newRow("forkserver") << QString("forkserver");
    }
    void setExecutable() {
        QFETCH(QString, method);
        if (auto server = mp::forkserver::server_pid()) {
            // set_executable applies to servers started from now on.
            ::kill(*server, SIGKILL);
            ::waitpid(*server, nullptr, 0);
        }
        mp::set_executable("/nonexistent/mpscope-child");
        mp::Process p =
            mp::get_context(method.toStdString()).Process(report_start, mp::args(RawPipe().write_handle()));
        std::string err = error_of<mp::OSError>([&] { p.start(); });
        mp::set_executable("/proc/self/exe");
        QCOMPARE(err, std::string("cannot execute '/nonexistent/mpscope-child': No such file or directory"));
        QVERIFY(!p.pid().has_value());
        // The real program works again afterwards.
        RawPipe out;
        mp::Process q =
            mp::get_context(method.toStdString()).Process(report_start, mp::args(out.write_handle()));
        q.start();
        QVERIFY(read_line(out.r()).has_value());
        q.join();
        QCOMPARE(q.exitcode(), std::optional<int>(0));
    }
};

MP_QTEST_MAIN(TestContext)
#include "tst_context.moc"
