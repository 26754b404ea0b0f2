#pragma once
// The exception hierarchy users catch, mirroring the Python types of the same names (SPEC §0).
// Each type knows its Python name so that an exception can travel between processes as an mp::Object
// (an exception value: type name, message, traceback text) and be rebuilt as the same C++ type.
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace mp {

// Base of every error libmpcore throws: Python's `Exception`.
class Exception : public std::runtime_error {
public:
    explicit Exception(const std::string& message)
        : std::runtime_error(message) {}
    // Python type name, e.g. "ValueError", "multiprocessing.TimeoutError" is reported as "TimeoutError".
    virtual std::string_view type_name() const noexcept { return "Exception"; }
    // Python's str(exc): the message.
    std::string message() const { return what(); }
};

#define MP_DEFINE_ERROR(Name, Base)                                                                          \
    class Name : public Base {                                                                               \
    public:                                                                                                  \
        explicit Name(const std::string& message)                                                            \
            : Base(message) {}                                                                               \
        std::string_view type_name() const noexcept override { return #Name; }                               \
    }

// multiprocessing's own errors.
MP_DEFINE_ERROR(ProcessError, Exception);
MP_DEFINE_ERROR(TimeoutError, ProcessError); // multiprocessing.TimeoutError, not the builtin one
MP_DEFINE_ERROR(AuthenticationError, ProcessError);
// A pool worker died (killed, or ended by _exit) while it held a task: that task's result (beyond CPython,
// where the result never arrives).
MP_DEFINE_ERROR(WorkerLostError, ProcessError);

// Builtins users meet.
MP_DEFINE_ERROR(ValueError, Exception);
MP_DEFINE_ERROR(TypeError, Exception);
MP_DEFINE_ERROR(AssertionError, Exception);
MP_DEFINE_ERROR(OSError, Exception);
MP_DEFINE_ERROR(EOFError, Exception);
MP_DEFINE_ERROR(RuntimeError, Exception);
MP_DEFINE_ERROR(NotImplementedError, RuntimeError);
MP_DEFINE_ERROR(LookupError, Exception);
MP_DEFINE_ERROR(KeyError, LookupError);
MP_DEFINE_ERROR(IndexError, LookupError);
MP_DEFINE_ERROR(AttributeError, Exception);
MP_DEFINE_ERROR(ZeroDivisionError, Exception);
MP_DEFINE_ERROR(OverflowError, Exception);
MP_DEFINE_ERROR(MemoryError, Exception);
MP_DEFINE_ERROR(BrokenBarrierError, RuntimeError); // threading.BrokenBarrierError
MP_DEFINE_ERROR(Empty, Exception);                 // queue.Empty
MP_DEFINE_ERROR(Full, Exception);                  // queue.Full
MP_DEFINE_ERROR(StopIteration, Exception);
MP_DEFINE_ERROR(MaybeEncodingError, Exception); // pool.MaybeEncodingError: a result that could not be sent
MP_DEFINE_ERROR(UnpicklingError, Exception);    // pickle.UnpicklingError
MP_DEFINE_ERROR(PicklingError, Exception);      // pickle.PicklingError

#undef MP_DEFINE_ERROR

// managers.RemoteError, and what an exception of a type this process does not know arrives as from another
// process: then it carries the remote type name, message and traceback text, and its message reads
// "<type>: <message>".
class RemoteError : public Exception {
public:
    explicit RemoteError(const std::string& message)
        : Exception(message) {}
    RemoteError(std::string remote_type, std::string remote_message, std::string remote_traceback)
        : Exception(remote_type + ": " + remote_message)
        , remote_type_(std::move(remote_type))
        , remote_message_(std::move(remote_message))
        , remote_traceback_(std::move(remote_traceback)) {}
    std::string_view type_name() const noexcept override { return "RemoteError"; }
    const std::string& remote_type() const noexcept { return remote_type_; }
    const std::string& remote_message() const noexcept { return remote_message_; }
    const std::string& remote_traceback() const noexcept { return remote_traceback_; }

private:
    std::string remote_type_, remote_message_, remote_traceback_;
};

// Python's KeyboardInterrupt: Ctrl-C (SIGINT) arrived while a pool operation was waiting. Like Python's
// (a BaseException), it is not an mp::Exception, so `catch (const mp::Exception&)` lets it through.
class KeyboardInterrupt : public std::exception {
public:
    const char* what() const noexcept override { return "KeyboardInterrupt"; }
};

// BufferTooShort carries the complete message that did not fit (Python: args[0]).
class BufferTooShort : public ProcessError {
public:
    explicit BufferTooShort(std::string message_bytes)
        : ProcessError("buffer too short for message of " + std::to_string(message_bytes.size()) + " bytes")
        , message_bytes_(std::move(message_bytes)) {}
    std::string_view type_name() const noexcept override { return "BufferTooShort"; }
    const std::string& message_bytes() const noexcept { return message_bytes_; }

private:
    std::string message_bytes_;
};

// An OSError that also carries errno.
class SystemError : public OSError {
public:
    SystemError(int err, const std::string& what);
    int error_code() const noexcept { return errno_; }

private:
    int errno_;
};

// Throws SystemError for errno with "<what>: <strerror>" text.
[[noreturn]] void throw_errno(const std::string& what, int err);
[[noreturn]] void throw_errno(const std::string& what); // uses the current errno

// Rebuilds an exception of the registered C++ type for a Python type name and throws it; unknown names
// become RemoteError("<type>: <message>"). User types opt in with register_exception_type<T>("Name").
[[noreturn]] void throw_by_type_name(std::string_view type_name, const std::string& message);
void register_exception_thrower(std::string type_name, std::function<void(const std::string&)> thrower);
// Whether throw_by_type_name knows `type_name` (built in or registered).
bool has_exception_type(std::string_view type_name);

template <class E> void register_exception_type(std::string type_name) {
    register_exception_thrower(std::move(type_name), [](const std::string& message) { throw E(message); });
}

} // namespace mp
