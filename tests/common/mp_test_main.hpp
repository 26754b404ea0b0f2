#pragma once
// QTEST_MAIN for tests that start processes: spawn children and the forkserver re-execute the test
// binary, so freeze_support() must run before QtTest parses the command line.
#include <QCoreApplication>
#include <QTest>
#include <mp/process.hpp>

#define MP_QTEST_MAIN(TestObject)                                                                            \
    int main(int argc, char** argv) {                                                                        \
        mp::freeze_support(argc, argv);                                                                      \
        QCoreApplication app(argc, argv);                                                                    \
        TestObject tc;                                                                                       \
        return QTest::qExec(&tc, argc, argv);                                                                \
    }
