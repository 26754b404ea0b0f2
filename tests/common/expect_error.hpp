#pragma once
// Checking the exceptions libmpcore throws: their type and Python's message.
#include <QtGlobal>

#include <exception>
#include <string>

namespace test_support {

// Runs `action`, requires it to throw exactly E (or a subclass) with `message`.
template <class E, class F> bool throws_with(F&& action, const std::string& message) {
    try {
        action();
    } catch (const E& e) {
        if (e.message() == message) return true;
        qWarning("wrong message: '%s' (expected '%s')", e.what(), message.c_str());
        return false;
    } catch (const std::exception& e) {
        qWarning("wrong exception type: %s", e.what());
        return false;
    }
    qWarning("no exception (expected '%s')", message.c_str());
    return false;
}

// The message of the E that f() throws, or "<no exception>".
template <class E, class F> std::string error_of(F&& f) {
    try {
        f();
    } catch (const E& e) {
        return e.what();
    }
    return "<no exception>";
}

} // namespace test_support
