#pragma once
// QTEST_MAIN for tests that start processes: spawn children and the forkserver re-execute the test
// binary, so freeze_support() must run before QtTest parses the command line.
// QtTest's crash handler is switched off (-nocrashhandler): fork children would inherit it, and a SIGTERM
// or SIGKILL-worthy signal reaching a child (terminate(), a crash under test) would run QtTest's
// reporting - which forks a debugger - inside the child instead of the default action whose exit code
// the tests check.
#include <QCoreApplication>
#include <QTest>
#include <cstring>
#include <mp/process.hpp>
#include <vector>

#define MP_QTEST_MAIN(TestObject)                                                                            \
    int main(int argc, char** argv) {                                                                        \
        mp::freeze_support(argc, argv);                                                                      \
        std::vector<char*> args(argv, argv + argc);                                                          \
        static char no_crash_handler[] = "-nocrashhandler";                                                  \
        args.push_back(no_crash_handler);                                                                    \
        int count = static_cast<int>(args.size());                                                           \
        args.push_back(nullptr);                                                                             \
        QCoreApplication app(count, args.data());                                                            \
        TestObject tc;                                                                                       \
        return QTest::qExec(&tc, count, args.data());                                                        \
    }
