// Pipe and Connection (SPEC §4, §15.1): flags, argument errors, exact wire bytes, end-of-file rules,
// bad message length, recv_bytes_into and its BufferTooShort, poll, SIGPIPE, large payloads.
#include "connection_test_support.hpp"
#include "mp_test_main.hpp"
#include <QStandardPaths>

#include <QTest>
#include <mp/connection.hpp>
#include <mp/context.hpp>
#include <mp/process.hpp>

#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <functional>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <string>
#include <thread>
#include <vector>

using connection_test::error_of;
using connection_test::exit_status;
using connection_test::fork_child;
using mp::Connection;

namespace {

void write_raw(int fd, std::string_view bytes) {
    while (!bytes.empty()) {
        const ssize_t n = ::write(fd, bytes.data(), bytes.size());
        if (n < 0 && errno == EINTR) continue;
        QVERIFY(n > 0);
        bytes.remove_prefix(std::size_t(n));
    }
}

// Reads exactly `size` bytes from the other end with read(2), bypassing the frame parser.
std::string read_raw(int fd, std::size_t size) {
    std::string out(size, '\0');
    std::size_t done = 0;
    while (done < size) {
        const ssize_t n = ::read(fd, out.data() + done, size - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        done += std::size_t(n);
    }
    out.resize(done);
    return out;
}

bool descriptor_open(int fd) {
    return ::fcntl(fd, F_GETFD) != -1;
}

} // namespace

// Child-process targets for the cross-process cases (registered, so spawn and forkserver find them).

// Echoes every object until None arrives.
void echo_objects(Connection conn) {
    for (mp::Object object = conn.recv(); !object.is_none(); object = conn.recv())
        conn.send(object);
}
MP_TASK(echo_objects);

// Echoes byte messages until an empty one arrives.
void echo_messages(Connection conn) {
    for (std::string message = conn.recv_bytes(); !message.empty(); message = conn.recv_bytes())
        conn.send_bytes(message);
}
MP_TASK(echo_messages);

// Sends back the one message it receives, on a possibly different connection.
void echo_one_message(Connection in, Connection out) {
    out.send_bytes(in.recv_bytes());
}
MP_TASK(echo_one_message);

// Sends `count` numbers, closes its end, then stays alive until a message arrives on `release`, so that
// the reader's end of file can only come from the close.
void send_close_and_linger(Connection w, int count, Connection release) {
    for (int i = 0; i < count; ++i)
        w.send(i);
    w.close();
    release.recv_bytes();
}
MP_TASK(send_close_and_linger);

// Sends `text` after a pause long enough for the parent to be blocked in poll().
void send_after_pause(Connection conn, std::string text) {
    ::usleep(50'000);
    conn.send_bytes(text);
}
MP_TASK(send_after_pause);

// Exits with 0 only if the connection arrived with the expected directions.
void expect_directions(Connection conn, bool readable, bool writable) {
    if (conn.readable() != readable || conn.writable() != writable) mp::exit(3);
}
MP_TASK(expect_directions);

class TestConnection : public QObject {
    Q_OBJECT
private slots:
    void duplexAndSimplexFlags() {
        auto [a, b] = mp::Pipe();
        QVERIFY(a.readable() && a.writable() && b.readable() && b.writable());
        auto [r, w] = mp::Pipe(false);
        QVERIFY(r.readable() && !r.writable());
        QVERIFY(!w.readable() && w.writable());
        // Not inherited across exec unless a start method passes them on explicitly.
        for (const Connection& c : {a, b, r, w})
            QVERIFY(::fcntl(c.fileno(), F_GETFD) & FD_CLOEXEC);
    }

    void constructorErrors() {
        QCOMPARE(error_of<mp::ValueError>([] { Connection(-1); }), QString("invalid handle"));
        int fds[2];
        QCOMPARE(::pipe(fds), 0);
        QCOMPARE(error_of<mp::ValueError>([&] { Connection(fds[0], false, false); }),
                 QString("at least one of `readable` and `writable` must be True"));
        Connection reader(fds[0], true, false);
        Connection writer(fds[1], false, true);
        writer.send_bytes("x");
        QCOMPARE(reader.recv_bytes(), std::string("x"));
    }

    void closedConnectionRejectsEverything() {
        auto [a, b] = mp::Pipe();
        const int fd = a.fileno();
        a.close();
        a.close(); // idempotent
        QVERIFY(a.closed());
        QVERIFY(!descriptor_open(fd));
        const QString closed("handle is closed");
        QCOMPARE(error_of<mp::OSError>([&] { a.fileno(); }), closed);
        QCOMPARE(error_of<mp::OSError>([&] { a.send_bytes("x"); }), closed);
        QCOMPARE(error_of<mp::OSError>([&] { a.recv_bytes(); }), closed);
        QCOMPARE(error_of<mp::OSError>([&] { a.poll(); }), closed);
        std::array<char, 4> buffer{};
        QCOMPARE(error_of<mp::OSError>([&] { a.recv_bytes_into(buffer); }), closed);
        // Closed is checked before the argument errors, as in CPython.
        QCOMPARE(error_of<mp::OSError>([&] { a.recv_bytes(-1); }), closed);
        QCOMPARE(error_of<mp::OSError>([&] { a.send_bytes("x", -1); }), closed);
    }

    void directionErrors() {
        auto [r, w] = mp::Pipe(false);
        QCOMPARE(error_of<mp::OSError>([&] { r.send_bytes("x"); }), QString("connection is read-only"));
        QCOMPARE(error_of<mp::OSError>([&] { w.recv_bytes(); }), QString("connection is write-only"));
        QCOMPARE(error_of<mp::OSError>([&] { w.poll(); }), QString("connection is write-only"));
        std::array<char, 4> buffer{};
        QCOMPARE(error_of<mp::OSError>([&] { w.recv_bytes_into(buffer); }),
                 QString("connection is write-only"));
    }

    void copiesShareOneEnd() {
        int fd = -1;
        {
            auto [a, b] = mp::Pipe();
            fd = a.fileno();
            Connection copy = a;
            QVERIFY(copy == a);
            QVERIFY(!(a == b));
            {
                Connection another = a;
                (void)another;
            }
            QVERIFY(descriptor_open(fd)); // a copy going away leaves the end open
            copy.close();
            QVERIFY(a.closed()); // closing through one copy closes it for all
        }
        {
            auto [a, b] = mp::Pipe();
            fd = a.fileno();
        }
        QVERIFY(!descriptor_open(fd)); // the last copy closes the descriptor
    }

    void sendBytesWireFormat() {
        // SPEC §15.1 vector, read back from the other end with read(2).
        auto [a, b] = mp::Pipe();
        a.send_bytes("abc");
        QCOMPARE(read_raw(b.fileno(), 7), std::string("\x00\x00\x00\x03"
                                                      "abc",
                                                      7));
        a.send_bytes("");
        QCOMPARE(read_raw(b.fileno(), 4), std::string("\x00\x00\x00\x00", 4));
        auto [r, w] = mp::Pipe(false);
        w.send_bytes("abc");
        QCOMPARE(read_raw(r.fileno(), 7), std::string("\x00\x00\x00\x03"
                                                      "abc",
                                                      7));
    }

    void sendWireFormat() {
        auto [a, b] = mp::Pipe();
        a.send(mp::None);
        QCOMPARE(read_raw(b.fileno(), 8), std::string("\x00\x00\x00\x04\x80\x04\x4e\x2e", 8));
        // SPEC §15.4 golden vector for [1, 2, 3], framed: 22 bytes of pickle after the 4-byte header.
        a.send(mp::Object::list({1, 2, 3}));
        QCOMPARE(read_raw(b.fileno(), 26),
                 std::string("\x00\x00\x00\x16\x80\x04\x95\x0b\x00\x00\x00\x00\x00\x00\x00"
                             "\x5d\x94\x28\x4b\x01\x4b\x02\x4b\x03\x65\x2e",
                             26));
    }

    void sendAndRecvObjects() {
        auto [a, b] = mp::Pipe();
        const std::vector<mp::Object> values{
            mp::Object::list({42, mp::None, "hello"}),
            mp::Object::dict({{"a", 1}, {0.25, mp::Object::tuple(1, "x")}}),
            mp::Object::bytes(std::string("\0\xff", 2)),
            mp::Object::parse_int("123456789012345678901234567890"),
            mp::Object(-1.5),
            mp::Object(true),
            mp::Object(""),
            mp::Object::set({1, 2, 3}),
            mp::Object(mp::ExceptionValue{"ValueError", "bad value", ""}),
        };
        for (const mp::Object& value : values) {
            a.send(value);
            QCOMPARE(b.recv().repr(), value.repr());
        }
        b.send(std::vector<int>{1, 2, 3}); // typed values convert on the way
        QCOMPARE(a.recv(), mp::Object::list({1, 2, 3}));
        b.send(std::string("text"));
        QCOMPARE(a.recv(), mp::Object("text"));
    }

    void recvOfNonPickleIsUnpicklingError() {
        auto [a, b] = mp::Pipe();
        a.send_bytes("definitely not a pickle");
        QVERIFY_THROWS_EXCEPTION(mp::UnpicklingError, b.recv());
        a.send("next"); // the bad message was consumed; the stream is still in step
        QCOMPARE(b.recv(), mp::Object("next"));
        a.close();
        QVERIFY_THROWS_EXCEPTION(mp::EOFError, b.recv());
    }

    void sendChecksBeforePickling() {
        auto [r, w] = mp::Pipe(false);
        const mp::Object not_utf8 = mp::Object(std::string("\xff"));
        QVERIFY_THROWS_EXCEPTION(mp::PicklingError, w.send(not_utf8));
        QCOMPARE(error_of<mp::OSError>([&] { r.send(not_utf8); }), QString("connection is read-only"));
        QCOMPARE(error_of<mp::OSError>([&] { w.recv(); }), QString("connection is write-only"));
        QVERIFY(!r.poll()); // nothing was written by the failed sends
        w.close();
        QCOMPARE(error_of<mp::OSError>([&] { w.send(not_utf8); }), QString("handle is closed"));
    }

    void largeObjectBetweenProcesses_data() { connection_test::add_start_methods(); }
    void largeObjectBetweenProcesses() {
        // A 200,000-element list: about 1 MiB of pickle, far beyond one pipe buffer, there and back.
        QFETCH(QString, method);
        auto [ours, theirs] = mp::Pipe();
        std::vector<mp::Object> items;
        items.reserve(200'000);
        for (int i = 0; i < 200'000; ++i)
            items.emplace_back(i);
        const mp::Object big = mp::Object::list(std::move(items));
        mp::Process p = mp::get_context(method.toStdString()).Process(echo_objects, mp::args(theirs));
        p.start();
        ours.send(big);
        const mp::Object received = ours.recv();
        QCOMPARE(received.size(), std::size_t(200'000));
        QVERIFY(received == big);
        ours.send(mp::None);
        p.join();
        QCOMPARE(p.exitcode(), std::optional<int>(0));
    }

    void emptyMessagesAreDistinct() {
        auto [a, b] = mp::Pipe();
        a.send_bytes("");
        a.send_bytes("");
        a.send_bytes("z");
        QCOMPARE(b.recv_bytes(), std::string());
        QCOMPARE(b.recv_bytes(), std::string());
        QCOMPARE(b.recv_bytes(), std::string("z"));
    }

    void sendBytesOffsetAndSize() {
        auto [a, b] = mp::Pipe();
        a.send_bytes("abcdefg", 2, 3);
        QCOMPARE(b.recv_bytes(), std::string("cde"));
        a.send_bytes("abcdefg", 4);
        QCOMPARE(b.recv_bytes(), std::string("efg"));
        a.send_bytes("abcdefg", 7);
        QCOMPARE(b.recv_bytes(), std::string());
        // Multi-byte buffers are viewed as bytes: offset and size count bytes, not elements.
        const std::vector<std::int32_t> ints{1, 2, 3};
        a.send_bytes(ints, 4, 8);
        const std::string received = b.recv_bytes();
        QCOMPARE(received.size(), std::size_t(8));
        std::int32_t back[2];
        std::memcpy(back, received.data(), 8);
        QCOMPARE(back[0], 2);
        QCOMPARE(back[1], 3);
        const std::vector<std::byte> raw{std::byte{1}, std::byte{2}};
        a.send_bytes(std::span<const std::byte>(raw));
        QCOMPARE(b.recv_bytes(), std::string("\x01\x02"));
    }

    void sendBytesArgumentErrors() {
        auto [a, b] = mp::Pipe();
        QCOMPARE(error_of<mp::ValueError>([&] { a.send_bytes("abc", -1); }), QString("offset is negative"));
        QCOMPARE(error_of<mp::ValueError>([&] { a.send_bytes("abc", 4); }),
                 QString("buffer length < offset"));
        QCOMPARE(error_of<mp::ValueError>([&] { a.send_bytes("abc", 0, -1); }), QString("size is negative"));
        QCOMPARE(error_of<mp::ValueError>([&] { a.send_bytes("abc", 1, 3); }),
                 QString("buffer length < offset + size"));
        QCOMPARE(error_of<mp::ValueError>([&] { a.send_bytes("abc", 1, INT64_MAX); }),
                 QString("buffer length < offset + size"));
        QVERIFY(!b.poll()); // nothing was sent by the failed calls
    }

    void badMessageLengthOnDuplex() {
        auto [a, b] = mp::Pipe();
        QCOMPARE(error_of<mp::ValueError>([&] { b.recv_bytes(-1); }), QString("negative maxlength"));
        a.send_bytes("hello");
        QCOMPARE(error_of<mp::OSError>([&] { b.recv_bytes(4); }), QString("bad message length"));
        QVERIFY(!b.readable());
        QVERIFY(b.writable());
        QVERIFY(!b.closed());
        QCOMPARE(error_of<mp::OSError>([&] { b.recv_bytes(); }), QString("connection is write-only"));
        // Only the header was consumed: the body is still in the stream.
        QCOMPARE(read_raw(b.fileno(), 5), std::string("hello"));
        b.send_bytes("still writable");
        QCOMPARE(a.recv_bytes(), std::string("still writable"));
    }

    void badMessageLengthClosesReadOnly() {
        auto [r, w] = mp::Pipe(false);
        w.send_bytes("hello");
        QCOMPARE(error_of<mp::OSError>([&] { r.recv_bytes(3); }), QString("bad message length"));
        QVERIFY(r.closed());
    }

    void maxlengthEqualToLengthIsFine() {
        auto [a, b] = mp::Pipe();
        a.send_bytes("hello");
        QCOMPARE(b.recv_bytes(5), std::string("hello"));
        a.send_bytes("");
        QCOMPARE(b.recv_bytes(0), std::string());
    }

    void headerBelowMinusOneIsRejected() {
        // CPython would read −5 as an empty message; here it is a corrupt stream.
        auto [a, b] = mp::Pipe();
        write_raw(a.fileno(), std::string("\xff\xff\xff\xfb", 4));
        QCOMPARE(error_of<mp::OSError>([&] { b.recv_bytes(); }), QString("bad message length"));
        QVERIFY(!b.readable());
    }

    void extendedHeaderFromPeer() {
        auto [a, b] = mp::Pipe();
        write_raw(a.fileno(), std::string("\xff\xff\xff\xff\0\0\0\0\0\0\0\x05hello", 17));
        QCOMPARE(b.recv_bytes(), std::string("hello"));
    }

    void recvBytesIntoDocExample() {
        // The Connection docs' session: arr1 = array('i', range(5)) into array('i', [0] * 10).
        auto [a, b] = mp::Pipe();
        const std::array<std::int32_t, 5> arr1{0, 1, 2, 3, 4};
        std::array<std::int32_t, 10> arr2{};
        a.send_bytes(arr1);
        QCOMPARE(b.recv_bytes_into(arr2), arr1.size() * sizeof(std::int32_t));
        QCOMPARE(arr2, (std::array<std::int32_t, 10>{0, 1, 2, 3, 4, 0, 0, 0, 0, 0}));
    }

    void recvBytesIntoOffsets() {
        auto [a, b] = mp::Pipe();
        std::string buffer(8, '.');
        a.send_bytes("abc");
        QCOMPARE(b.recv_bytes_into(buffer, 2), std::size_t(3));
        QCOMPARE(buffer, std::string("..abc..."));
        a.send_bytes("");
        QCOMPARE(b.recv_bytes_into(buffer, 8), std::size_t(0)); // offset == size is allowed
        QCOMPARE(error_of<mp::ValueError>([&] { b.recv_bytes_into(buffer, -1); }),
                 QString("negative offset"));
        QCOMPARE(error_of<mp::ValueError>([&] { b.recv_bytes_into(buffer, 9); }),
                 QString("offset too large"));
        std::vector<std::int32_t> ints(4);
        QCOMPARE(error_of<mp::ValueError>([&] { b.recv_bytes_into(ints, 17); }), QString("offset too large"));
    }

    void recvBytesIntoWholeItemsQuirk() {
        // Values checked against CPython 3.11 with array('i', [0] * 4).
        auto [a, b] = mp::Pipe();
        std::array<std::int32_t, 4> ints{};
        auto as_bytes = [&] { return std::string(reinterpret_cast<const char*>(ints.data()), 16); };
        a.send_bytes("abc");
        QCOMPARE(b.recv_bytes_into(ints, 4), std::size_t(3)); // slice [1:1]: nothing copied
        QCOMPARE(as_bytes(), std::string(16, '\0'));
        a.send_bytes("abcde");
        QCOMPARE(b.recv_bytes_into(ints, 2), std::size_t(5)); // slice [0:1] gets the first 4 message bytes
        QCOMPARE(as_bytes(), std::string("abcd") + std::string(12, '\0'));
        ints = {};
        a.send_bytes("ab");
        QCOMPARE(b.recv_bytes_into(ints, 3), std::size_t(2)); // slice [0:1], only 2 bytes available
        QCOMPARE(as_bytes(), std::string("ab") + std::string(14, '\0'));
    }

    void bufferTooShortCarriesWholeMessage() {
        auto [a, b] = mp::Pipe();
        std::array<char, 4> buffer{};
        a.send_bytes("too long for it");
        try {
            b.recv_bytes_into(buffer);
            QFAIL("expected BufferTooShort");
        } catch (const mp::BufferTooShort& e) {
            QCOMPARE(e.message_bytes(), std::string("too long for it"));
        }
        a.send_bytes("abc");
        QVERIFY_THROWS_EXCEPTION(mp::BufferTooShort, b.recv_bytes_into(buffer, 2));
        // The message was consumed and the connection stays usable.
        a.send_bytes("ok");
        QCOMPARE(b.recv_bytes_into(buffer, 2), std::size_t(2));
        QCOMPARE(std::string(buffer.data(), 4), std::string("\0\0ok", 4));
    }

    void endOfFileCases() {
        {
            auto [a, b] = mp::Pipe();
            a.close();
            QVERIFY_THROWS_EXCEPTION(mp::EOFError, b.recv_bytes());
        }
        {
            auto [a, b] = mp::Pipe();
            a.send_bytes("last");
            a.close();
            QCOMPARE(b.recv_bytes(), std::string("last")); // pending data first, then EOF
            QVERIFY_THROWS_EXCEPTION(mp::EOFError, b.recv_bytes());
        }
        const QString truncated("got end of file during message");
        {
            auto [r, w] = mp::Pipe(false);
            write_raw(w.fileno(), std::string("\0\0", 2));
            w.close();
            QCOMPARE(error_of<mp::OSError>([&] { r.recv_bytes(); }), truncated);
        }
        {
            auto [r, w] = mp::Pipe(false);
            write_raw(w.fileno(), std::string("\0\0\0\x05", 4));
            w.close();
            QVERIFY_THROWS_EXCEPTION(mp::EOFError, r.recv_bytes());
        }
        {
            auto [r, w] = mp::Pipe(false);
            write_raw(w.fileno(), std::string("\0\0\0\x05he", 6));
            w.close();
            QCOMPARE(error_of<mp::OSError>([&] { r.recv_bytes(); }), truncated);
        }
        {
            auto [a, b] = mp::Pipe();
            write_raw(a.fileno(), std::string("\xff\xff\xff\xff\0\0\0", 7));
            a.close();
            QCOMPARE(error_of<mp::OSError>([&] { b.recv_bytes(); }), truncated);
        }
        {
            auto [a, b] = mp::Pipe();
            a.close();
            std::array<char, 4> buffer{};
            QVERIFY_THROWS_EXCEPTION(mp::EOFError, b.recv_bytes_into(buffer));
        }
    }

    void pollRules() {
        auto [a, b] = mp::Pipe();
        QVERIFY(!b.poll());
        QVERIFY(!b.poll(-1.0)); // negative is 0: returns at once
        QVERIFY(!b.poll(0.01));
        a.send_bytes("x");
        QVERIFY(b.poll());
        QVERIFY(b.poll(std::nullopt));
        QVERIFY(b.poll()); // polling consumes nothing
        QCOMPARE(b.recv_bytes(), std::string("x"));
        QVERIFY(!b.poll());
        // A partial message makes the end readable but is left in place.
        write_raw(a.fileno(), std::string("\0\0", 2));
        QVERIFY(b.poll());
        QVERIFY(b.poll());
        write_raw(a.fileno(), std::string("\0\x02hi", 4));
        QCOMPARE(b.recv_bytes(), std::string("hi"));
        QCOMPARE(error_of<mp::ValueError>([&] { b.poll(std::nan("")); }),
                 QString("cannot convert float NaN to integer"));
        // End of file counts as readable.
        a.close();
        QVERIFY(b.poll(std::nullopt));
        QVERIFY_THROWS_EXCEPTION(mp::EOFError, b.recv_bytes());
    }

    void pollWaitsForAnotherProcess_data() { connection_test::add_start_methods(); }
    void pollWaitsForAnotherProcess() {
        QFETCH(QString, method);
        auto [a, b] = mp::Pipe();
        mp::Process p = mp::get_context(method.toStdString()).Process(send_after_pause, mp::args(a, "late"));
        p.start();
        QVERIFY(b.poll(std::nullopt));
        QCOMPARE(b.recv_bytes(), std::string("late"));
        p.join();
        QCOMPARE(p.exitcode(), std::optional<int>(0));
    }

    void writeToVanishedReaderIsOSError() {
        // SIGPIPE must not kill the process: sockets use MSG_NOSIGNAL, pipes block it during the write.
        {
            auto [r, w] = mp::Pipe(false);
            r.close();
            QVERIFY(error_of<mp::OSError>([&] { w.send_bytes("x"); }).contains("Broken pipe"));
            QVERIFY(error_of<mp::OSError>([&] {
                        w.send_bytes(std::string(100000, 'x'));
                    }).contains("Broken pipe"));
        }
        {
            auto [a, b] = mp::Pipe();
            b.close();
            QVERIFY(error_of<mp::OSError>([&] { a.send_bytes("x"); }).contains("Broken pipe"));
        }
        sigset_t pending;
        sigpending(&pending);
        QVERIFY(!sigismember(&pending, SIGPIPE));
        sigset_t mask;
        pthread_sigmask(SIG_SETMASK, nullptr, &mask);
        QVERIFY(!sigismember(&mask, SIGPIPE)); // the caller's mask is restored
    }

    void objectsBetweenProcesses_data() { connection_test::add_start_methods(); }
    void objectsBetweenProcesses() {
        QFETCH(QString, method);
        auto [ours, theirs] = mp::Pipe();
        mp::Process p = mp::get_context(method.toStdString()).Process(echo_objects, mp::args(theirs));
        p.start();
        theirs.close();
        for (const mp::Object& value :
             {mp::Object::list({42, mp::None, "hello"}),
              mp::Object::dict({{"k", mp::Object::tuple(1.5, mp::Object::bytes("b"))}}),
              mp::Object(std::string(100000, 'x'))}) {
            ours.send(value);
            QCOMPARE(ours.recv().repr(), value.repr());
        }
        ours.send(mp::None);
        p.join();
        QCOMPARE(p.exitcode(), std::optional<int>(0));
        // The child's end is gone and the parent closed its copy: nothing else holds it open.
        QVERIFY_THROWS_EXCEPTION(mp::EOFError, ours.recv());
    }

    void largePayloadBetweenProcesses_data() {
        QTest::addColumn<QString>("method");
        QTest::addColumn<bool>("duplex");
        for (const char* method : {"fork", "spawn", "forkserver"}) {
            QTest::addRow("%s/duplex", method) << QString(method) << true;
            QTest::addRow("%s/simplex", method) << QString(method) << false;
        }
    }
    void largePayloadBetweenProcesses() {
        // 64 MiB to a child and back: far beyond any pipe or socket buffer, so both sides block part-way.
        QFETCH(QString, method);
        QFETCH(bool, duplex);
        auto [to_child_r, to_child_w] = mp::Pipe(duplex);
        auto [from_child_r, from_child_w] = mp::Pipe(duplex);
        std::string payload(64 << 20, '\0');
        for (std::size_t i = 0; i < payload.size(); i += 4096)
            payload[i] = char(i / 4096);
        payload.back() = 'Z';
        mp::Process p = mp::get_context(method.toStdString())
                            .Process(echo_one_message, mp::args(to_child_r, from_child_w));
        p.start();
        to_child_w.send_bytes(payload);
        const std::string echoed = from_child_r.recv_bytes();
        QCOMPARE(echoed.size(), payload.size());
        QVERIFY(echoed == payload);
        p.join();
        QCOMPARE(p.exitcode(), std::optional<int>(0));
    }

    void endOfFileFromChildClose_data() { connection_test::add_start_methods(); }
    void endOfFileFromChildClose() {
        QFETCH(QString, method);
        auto [r, w] = mp::Pipe(false);
        auto [release_r, release_w] = mp::Pipe(false);
        mp::Process p =
            mp::get_context(method.toStdString()).Process(send_close_and_linger, mp::args(w, 3, release_r));
        p.start();
        w.close();
        release_r.close();
        for (int i = 0; i < 3; ++i)
            QCOMPARE(r.recv(), mp::Object(i));
        QVERIFY_THROWS_EXCEPTION(mp::EOFError, r.recv()); // while the child is still alive
        QVERIFY(p.is_alive());
        release_w.send_bytes("go");
        p.join();
        QCOMPARE(p.exitcode(), std::optional<int>(0));
    }

    void directionsSurviveTheTrip_data() { connection_test::add_start_methods(); }
    void directionsSurviveTheTrip() {
        QFETCH(QString, method);
        mp::Context& context = mp::get_context(method.toStdString());
        auto [r, w] = mp::Pipe(false);
        auto [a, b] = mp::Pipe();
        for (const auto& [conn, readable, writable] :
             {std::tuple(r, true, false), std::tuple(w, false, true), std::tuple(b, true, true)}) {
            mp::Process p = context.Process(expect_directions, mp::args(conn, readable, writable));
            p.start();
            p.join();
            QCOMPARE(p.exitcode(), std::optional<int>(0));
        }
    }

    void messagesAroundTheSingleWriteLimit_data() { connection_test::add_start_methods(); }
    void messagesAroundTheSingleWriteLimit() {
        // One write below and at 16384 bytes of body, two above; the reader cannot tell the difference.
        QFETCH(QString, method);
        auto [ours, theirs] = mp::Pipe();
        mp::Process p = mp::get_context(method.toStdString()).Process(echo_messages, mp::args(theirs));
        p.start();
        for (std::size_t size : {std::size_t(16383), std::size_t(16384), std::size_t(16385)}) {
            ours.send_bytes(std::string(size, 'q'));
            QCOMPARE(ours.recv_bytes(), std::string(size, 'q'));
        }
        ours.send_bytes("");
        p.join();
        QCOMPARE(p.exitcode(), std::optional<int>(0));
    }

    void forkWhileAnotherThreadOpensConnections() {
        // A child forked while another thread is inside Connection bookkeeping must still be able to make
        // connections (SIGALRM ends a child that would otherwise hang).
        std::atomic<bool> stop = false;
        std::thread churn([&] {
            while (!stop)
                mp::Pipe();
        });
        int failures = 0;
        for (int i = 0; i < 300; ++i) {
            const pid_t pid = ::fork();
            if (pid == 0) {
                ::alarm(2);
                auto [a, b] = mp::Pipe();
                a.send_bytes("x");
                ::_exit(b.recv_bytes() == "x" ? 0 : 1);
            }
            if (exit_status(pid) != 0) ++failures;
        }
        stop = true;
        churn.join();
        QCOMPARE(failures, 0);
    }

    void convertsThroughHandle() {
        auto [r, w] = mp::Pipe(false);
        const mp::Object object = mp::to_object(w);
        QCOMPARE(object.type_name(), std::string("Connection"));
        QCOMPARE(object.as_handle(),
                 (mp::Handle{.kind = "Connection", .name = {}, .ints = {0, 1}, .fds = {w.fileno()}}));
        // In the process that owns the descriptor, the handle leads back to the very same connection.
        const Connection back = mp::from_object<Connection>(object);
        QVERIFY(back == w);
        QVERIFY(!back.readable() && back.writable());
        back.send_bytes("via handle");
        QCOMPARE(r.recv_bytes(), std::string("via handle"));
        // A descriptor no connection owns yet becomes a new connection that owns it.
        int fds[2];
        QCOMPARE(::pipe(fds), 0);
        ::close(fds[1]);
        {
            const Connection adopted = mp::from_object<Connection>(
                mp::Handle{.kind = "Connection", .name = {}, .ints = {1, 0}, .fds = {fds[0]}});
            QVERIFY(adopted.readable() && !adopted.writable());
            QVERIFY_THROWS_EXCEPTION(mp::EOFError, adopted.recv_bytes());
        }
        QVERIFY(!descriptor_open(fds[0]));
        QCOMPARE(error_of<mp::TypeError>([] {
                     mp::from_object<Connection>(
                         mp::Handle{.kind = "Lock", .name = {}, .ints = {}, .fds = {}});
                 }),
                 QString("expected a Connection handle, got 'Lock'"));
        QVERIFY_THROWS_EXCEPTION(mp::TypeError, mp::from_object<Connection>(mp::Object(3)));
        w.close();
        QCOMPARE(error_of<mp::OSError>([&] { mp::to_object(w); }), QString("handle is closed"));
    }

    void handleInForkChildIsTheInheritedConnection() {
        // Closing the converted connection in a fork child closes the child's only copy of the write end,
        // so the parent sees end of file once it has closed its own.
        auto [r, w] = mp::Pipe(false);
        const mp::Object handle = mp::to_object(w);
        const pid_t pid = fork_child([&] {
            const Connection child_end = mp::from_object<Connection>(handle);
            child_end.send_bytes("from child");
            child_end.close();
            if (!w.closed()) throw mp::AssertionError("not the same connection");
            ::pause(); // stay alive: end of file must come from the close, not from exiting
        });
        w.close();
        QCOMPARE(r.recv_bytes(), std::string("from child"));
        QVERIFY_THROWS_EXCEPTION(mp::EOFError, r.recv_bytes());
        ::kill(pid, SIGKILL);
        QCOMPARE(exit_status(pid), 128 + SIGKILL);
    }

    void objectsWithCPythonPeer() {
        const QString python = QStandardPaths::findExecutable("python3");
        if (python.isEmpty()) QSKIP("python3 is not installed");
        // Python sends its own objects first, then echoes every object it receives inside a tuple.
        const char* script = R"(
import sys
from multiprocessing.connection import Connection
c = Connection(int(sys.argv[1]))
c.send([42, None, 'hello', 3.25, b'\x00b', {'k': (1, 2)}, 2**70, -1, True, {1, 2}, frozenset(), bytearray(b'x')])
while True:
    try:
        obj = c.recv()
    except EOFError:
        break
    c.send(('echo', obj))
)";
        auto [ours, theirs] = mp::Pipe();
        const pid_t pid = connection_test::start_python(python, script, {"100"}, {{theirs.fileno(), 100}});
        QVERIFY(pid > 0);
        theirs.close();
        QCOMPARE(ours.recv().repr(),
                 std::string(
                     "[42, None, 'hello', 3.25, b'\\x00b', {'k': (1, 2)}, 1180591620717411303424, -1, True, "
                     "{1, 2}, frozenset(), bytearray(b'x')]"));
        const std::vector<mp::Object> values{
            mp::Object::list({1, "abc", mp::None}),
            mp::Object::dict({{"nested", mp::Object::list({mp::Object::tuple(), mp::Object::dict()})}}),
            mp::Object(std::string(100000, 'z')),
            mp::Object(mp::ExceptionValue{"KeyError", "missing", ""}),
            mp::Object(0.1),
        };
        for (const mp::Object& value : values) {
            ours.send(value);
            const mp::Object echoed = ours.recv();
            QCOMPARE(echoed[0], mp::Object("echo"));
            QCOMPARE(echoed[1].repr(), value.repr());
        }
        ours.close();
        QCOMPARE(exit_status(pid), 0);
    }

    void bytesWithCPythonPeer() {
        const QString python = QStandardPaths::findExecutable("python3");
        if (python.isEmpty()) QSKIP("python3 is not installed");
        // CPython's own Connection on the other end: it greets, then echoes every message reversed.
        const char* script = R"(
import sys
from multiprocessing.connection import Connection
c = Connection(int(sys.argv[1]))
c.send_bytes(b'hello from python')
while True:
    try:
        m = c.recv_bytes()
    except EOFError:
        break
    c.send_bytes(m[::-1])
)";
        auto [ours, theirs] = mp::Pipe();
        const pid_t pid = connection_test::start_python(python, script, {"100"}, {{theirs.fileno(), 100}});
        QVERIFY(pid > 0);
        theirs.close();
        QCOMPARE(ours.recv_bytes(), std::string("hello from python"));
        ours.send_bytes("abc");
        QCOMPARE(ours.recv_bytes(), std::string("cba"));
        ours.send_bytes("");
        QCOMPARE(ours.recv_bytes(), std::string());
        std::string big(300000, '\0');
        for (std::size_t i = 0; i < big.size(); ++i)
            big[i] = char(i % 253);
        ours.send_bytes(big);
        QVERIFY(ours.recv_bytes() == std::string(big.rbegin(), big.rend()));
        ours.close(); // python sees EOFError and exits normally
        QCOMPARE(exit_status(pid), 0);
    }
};

MP_QTEST_MAIN(TestConnection)
#include "tst_connection.moc"
