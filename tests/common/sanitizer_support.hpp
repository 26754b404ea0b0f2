#pragma once
// What the sanitizer presets cannot check, and the cases that skip because of it.
#include <QTest>

namespace test_support {

#if defined(__SANITIZE_THREAD__)
inline constexpr bool kThreadSanitizer = true;
#else
inline constexpr bool kThreadSanitizer = false;
#endif

} // namespace test_support

// ThreadSanitizer ends a child forked from a multi-threaded process - every QtTest program is one, through
// its watchdog thread - as soon as the child starts a thread of its own ("starting new threads after
// multi-threaded fork is not supported"), which glibc allows and Python's fork children do. Under fork, the
// feeder thread of a Queue a child puts to is such a thread, so these cases run in the release and asan
// presets only; their spawn and forkserver rows still run under ThreadSanitizer.
#define MP_SKIP_IF_FORK_CHILD_STARTS_THREADS_UNDER_TSAN(method)                                              \
    do {                                                                                                     \
        if (test_support::kThreadSanitizer && (method) == QLatin1String("fork"))                             \
            QSKIP("ThreadSanitizer cannot follow a fork child of a multi-threaded process that starts a "    \
                  "thread (a Queue's feeder)");                                                              \
    } while (false)
