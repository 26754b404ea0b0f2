#pragma once
// Helpers shared by the connection tests: the text of an expected error, forked children, and python3
// peers started with chosen descriptors.
#include <QByteArray>
#include <QString>
#include <QTest>
#include <mp/errors.hpp>

#include <cerrno>
#include <functional>
#include <spawn.h>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <utility>
#include <vector>

namespace connection_test {

// The message of the E that `operation` throws, or "<no error>" (other exception types propagate).
template <class E, class F> QString error_of(F&& operation) {
    try {
        operation();
    } catch (const E& e) {
        return QString::fromStdString(e.message());
    }
    return QStringLiteral("<no error>");
}

// The "method" column: one row per start method, for cases that run in child processes.
inline void add_start_methods() {
    QTest::addColumn<QString>("method");
    for (const char* method : {"fork", "spawn", "forkserver"})
        QTest::newRow(method) << QString(method);
}

// Waits for `pid`: its exit code, or 128 + the signal that ended it.
inline int exit_status(pid_t pid) {
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// Runs `body` in a forked child, which exits 0, or 1 when `body` throws.
inline pid_t fork_child(const std::function<void()>& body) {
    const pid_t pid = ::fork();
    if (pid == 0) {
        int status = 0;
        try {
            body();
        } catch (...) {
            status = 1;
        }
        ::_exit(status);
    }
    return pid;
}

// Starts `python3 -c script args...`. Each (fd, target) pair is dup2'ed to `target` in the child, which
// also clears close-on-exec on the copy. Returns the pid, or -1.
inline pid_t start_python(const QString& python, const char* script, const std::vector<std::string>& args,
                          const std::vector<std::pair<int, int>>& descriptors) {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    for (const auto& [fd, target] : descriptors)
        posix_spawn_file_actions_adddup2(&actions, fd, target);
    const QByteArray program = python.toLocal8Bit();
    std::vector<char*> argv{const_cast<char*>("python3"), const_cast<char*>("-c"), const_cast<char*>(script)};
    for (const std::string& arg : args)
        argv.push_back(const_cast<char*>(arg.c_str()));
    argv.push_back(nullptr);
    pid_t pid = -1;
    const int err = posix_spawn(&pid, program.constData(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    return err == 0 ? pid : -1;
}

} // namespace connection_test
