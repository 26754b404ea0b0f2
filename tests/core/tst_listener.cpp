// Listener, Client and the authentication handshake (SPEC §5, §15.2), including CPython peers.
#include "connection_test_support.hpp"

#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <mp/connection.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <functional>

using connection_test::error_of;
using connection_test::exit_status;
using mp::Connection;
using mp::connection::Address;
using mp::connection::Client;
using mp::connection::InetAddress;
using mp::connection::Listener;

namespace {

std::string bytes_range(int count) {
    std::string out;
    for (int i = 0; i < count; ++i)
        out += char(i);
    return out;
}

std::string unhex(std::string_view hex) {
    return QByteArray::fromHex(QByteArray(hex.data(), qsizetype(hex.size()))).toStdString();
}

// Runs `body` in a forked child and sends its outcome ("ok" or the error text) back over a pipe.
struct ChildOutcome {
    pid_t pid;
    Connection reader;
    std::string result() const {
        std::string text = reader.recv_bytes();
        int status = 0;
        while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
        return text;
    }
};

ChildOutcome fork_child(const std::function<void()>& body) {
    auto [reader, writer] = mp::Pipe(false);
    const pid_t pid = ::fork();
    if (pid == 0) {
        try {
            body();
            writer.send_bytes("ok");
        } catch (const mp::Exception& e) {
            writer.send_bytes(std::string(e.type_name()) + ": " + e.message());
        }
        ::_exit(0);
    }
    writer.close();
    return {pid, reader};
}

bool is_socket_file(const std::string& path) {
    struct stat info {};
    return ::stat(path.c_str(), &info) == 0 && S_ISSOCK(info.st_mode);
}

// python3 -c script args..., with its stdout on a pipe (returned read end) so it can report readiness.
pid_t start_python(const QString& python, const char* script, const std::vector<std::string>& args,
                   int& stdout_fd) {
    int out[2];
    if (::pipe2(out, O_CLOEXEC) != 0) return -1;
    const pid_t pid = connection_test::start_python(python, script, args, {{out[1], 1}});
    ::close(out[1]);
    stdout_fd = out[0];
    return pid;
}

std::string read_line(int fd) {
    std::string line;
    char c;
    while (::read(fd, &c, 1) == 1 && c != '\n')
        line += c;
    return line;
}

} // namespace

class TestListener : public QObject {
    Q_OBJECT
private slots:
    void handshakeVectors() {
        using mp::connection::challenge_response;
        using mp::connection::verify_challenge_response;
        // SPEC §15.2 vectors, key b'secret'.
        const std::string legacy = bytes_range(20);
        QCOMPARE(challenge_response("secret", legacy), unhex("7defa9cc46abc3583325d17ccda75190"));
        const std::string modern = "{sha256}" + bytes_range(40);
        const std::string reply =
            "{sha256}" + unhex("fc57fbe650d6124b98215e7b5d197d5807ad69982d275a9735ea2d56f1fa6989");
        QCOMPARE(challenge_response("secret", modern), reply);
        QCOMPARE(reply.size(), std::size_t(40));
        verify_challenge_response("secret", modern, reply);
        // A legacy client answers the prefixed message with raw HMAC-MD5; it is accepted.
        verify_challenge_response("secret", modern, unhex("8e48d2bb349b4b72b9382999ed5b62eb"));
        verify_challenge_response("secret", legacy, challenge_response("secret", legacy));

        QCOMPARE(error_of<mp::AuthenticationError>(
                     [&] { verify_challenge_response("secret", modern, reply.substr(0, 39)); }),
                 QString("expected 'sha256' of length 32 got 31"));
        std::string tampered = reply;
        tampered.back() ^= 1;
        QCOMPARE(
            error_of<mp::AuthenticationError>([&] { verify_challenge_response("secret", modern, tampered); }),
            QString("digest received was wrong"));
        QCOMPARE(
            error_of<mp::AuthenticationError>([&] { verify_challenge_response("other", modern, reply); }),
            QString("digest received was wrong"));
        QCOMPARE(error_of<mp::AuthenticationError>([] { challenge_response("secret", "{sha1}abc"); }),
                 QString("unsupported message length, missing digest prefix, or unsupported digest: "
                         "message=b'{sha1}abc'"));
        QVERIFY_THROWS_EXCEPTION(
            mp::AuthenticationError,
            verify_challenge_response("secret", modern, "{sha1}" + std::string(20, 'x')));
        // Other allowed digests produce their own prefix and length.
        QCOMPARE(challenge_response("k", "{sha384}" + bytes_range(40)).size(), std::size_t(8 + 48));
        QCOMPARE(challenge_response("k", "{sha3_256}" + bytes_range(40)).size(), std::size_t(10 + 32));
        QCOMPARE(challenge_response("k", "{md5}" + bytes_range(40)).substr(0, 5), std::string("{md5}"));
    }

    void addressTypes() {
        using mp::connection::address_type;
        QCOMPARE(address_type(InetAddress{"localhost", 1}), std::string("AF_INET"));
        QCOMPARE(address_type(std::string("/tmp/x")), std::string("AF_UNIX"));
        QCOMPARE(address_type(std::string("\0abstract", 9)), std::string("AF_UNIX"));
        QCOMPARE(address_type(std::string("\\\\.\\pipe\\x")), std::string("AF_PIPE"));
        QCOMPARE(mp::connection::families, (std::vector<std::string>{"AF_INET", "AF_UNIX"}));
        QCOMPARE(error_of<mp::ValueError>([] { Listener(std::string("\\\\.\\pipe\\x")); }),
                 QString("Family AF_PIPE is not recognized."));
        QCOMPARE(error_of<mp::ValueError>([] { Client(std::string("\\\\.\\pipe\\x")); }),
                 QString("Family AF_PIPE is not recognized."));
        QCOMPARE(error_of<mp::ValueError>([] { Listener(std::nullopt, "AF_FOO"); }),
                 QString("Family AF_FOO is not recognized."));
        QCOMPARE(error_of<mp::OverflowError>([] {
                     Listener(InetAddress{"localhost", 70000});
                 }),
                 QString("bind(): port must be 0-65535."));
    }

    void addressesAsPythonValues() {
        QCOMPARE(mp::to_object(Address(InetAddress{"127.0.0.1", 6000})).repr(),
                 std::string("('127.0.0.1', 6000)"));
        QCOMPARE(mp::to_object(Address(std::string("/tmp/x"))).repr(), std::string("'/tmp/x'"));
        QCOMPARE(mp::to_object(Address(std::string("\0name", 5))).repr(), std::string("b'\\x00name'"));
        QCOMPARE(mp::from_object<Address>(mp::Object::tuple("localhost", 80)),
                 Address(InetAddress{"localhost", 80}));
        QCOMPARE(mp::from_object<Address>(mp::Object::bytes(std::string("\0n", 2))),
                 Address(std::string("\0n", 2)));
        QCOMPARE(error_of<mp::TypeError>([] { mp::from_object<Address>(mp::Object(3)); }),
                 QString("address type of 3 unrecognized"));
    }

    void arbitraryUnixAddressIsRemovedOnClose() {
        Listener listener;
        const auto* path = std::get_if<std::string>(&listener.address());
        QVERIFY(path);
        QVERIFY(QString::fromStdString(*path).contains("/pymp-"));
        QVERIFY(QString::fromStdString(*path).contains("/listener-"));
        QVERIFY(is_socket_file(*path));
        auto child = fork_child([address = listener.address()] {
            Connection c = Client(address);
            c.send_bytes("over unix");
            if (c.recv_bytes() != "reply") throw mp::AssertionError("wrong reply");
        });
        Connection server = listener.accept();
        QCOMPARE(listener.last_accepted(), std::optional<Address>(std::string())); // unnamed peer
        QCOMPARE(server.recv_bytes(), std::string("over unix"));
        server.send_bytes("reply");
        QCOMPARE(child.result(), std::string("ok"));
        listener.close();
        listener.close();
        QVERIFY(!is_socket_file(*path));
        QCOMPARE(error_of<mp::OSError>([&] { listener.accept(); }), QString("listener is closed"));
    }

    void inetOnLoopback() {
        Listener listener(InetAddress{"localhost", 0});
        const auto* bound = std::get_if<InetAddress>(&listener.address());
        QVERIFY(bound);
        QCOMPARE(bound->host, std::string("127.0.0.1"));
        QVERIFY(bound->port > 0);
        Listener arbitrary(std::nullopt, "AF_INET");
        QCOMPARE(std::get<InetAddress>(arbitrary.address()).host, std::string("127.0.0.1"));
        auto child = fork_child([address = listener.address()] {
            Connection c = Client(address);
            c.send_bytes(c.recv_bytes() + " back");
        });
        Connection server = listener.accept();
        const auto* peer = std::get_if<InetAddress>(&listener.last_accepted().value());
        QVERIFY(peer);
        QCOMPARE(peer->host, std::string("127.0.0.1"));
        server.send_bytes("there and");
        QCOMPARE(server.recv_bytes(), std::string("there and back"));
        QCOMPARE(child.result(), std::string("ok"));
        // The port is still taken while the listener is open.
        QVERIFY(error_of<mp::OSError>([&] {
                    Listener again(listener.address());
                }).contains("Address already in use"));
    }

    void abstractUnixAddress() {
        const std::string name = std::string("\0mpscope-test-", 14) + std::to_string(::getpid());
        Listener listener(name);
        QCOMPARE(listener.address(), Address(name));
        auto child = fork_child([&] { Client(name).send_bytes("abstract"); });
        QCOMPARE(listener.accept().recv_bytes(), std::string("abstract"));
        QCOMPARE(child.result(), std::string("ok"));
    }

    void unixPathInUse() {
        QTemporaryDir dir;
        const std::string path = dir.filePath("socket").toStdString();
        Listener first(path);
        QCOMPARE(first.address(), Address(path));
        QVERIFY(error_of<mp::OSError>([&] { Listener second(path); }).contains("Address already in use"));
        QCOMPARE(error_of<mp::TypeError>([&] { Listener(path, "AF_INET"); }),
                 QString("bind(): AF_INET address must be tuple, not str"));
    }

    void connectRefused() {
        QTemporaryDir dir;
        QVERIFY(error_of<mp::OSError>([&] {
                    Client(dir.filePath("nobody").toStdString());
                }).contains("No such file or directory"));
    }

    void authenticatedBothWays() {
        for (const std::string& key : {std::string("secret password"), std::string()}) {
            Listener listener(std::nullopt, std::nullopt, 1, key);
            auto child = fork_child([&] {
                Connection c = Client(listener.address(), std::nullopt, key);
                c.send_bytes("authenticated");
            });
            QCOMPARE(listener.accept().recv_bytes(), std::string("authenticated"));
            QCOMPARE(child.result(), std::string("ok"));
        }
    }

    void wrongKeyFailsOnBothSides() {
        Listener listener(std::nullopt, std::nullopt, 1, std::string("right"));
        auto child = fork_child([&] { Client(listener.address(), std::nullopt, std::string("wrong")); });
        QCOMPARE(error_of<mp::AuthenticationError>([&] { listener.accept(); }),
                 QString("digest received was wrong"));
        QCOMPARE(child.result(), std::string("AuthenticationError: digest sent was rejected"));
    }

    void clientWithoutKeyAgainstAuthenticatingListener() {
        // The client reads the challenge but never answers: the server's read of the reply meets end of file.
        Listener listener(std::nullopt, std::nullopt, 1, std::string("key"));
        auto child = fork_child([&] {
            Connection c = Client(listener.address());
            if (!c.recv_bytes().starts_with("#CHALLENGE#{sha256}")) throw mp::AssertionError("no challenge");
        });
        QVERIFY_THROWS_EXCEPTION(mp::EOFError, listener.accept());
        QCOMPARE(child.result(), std::string("ok"));
    }

    void challengeErrors() {
        auto [a, b] = mp::Pipe();
        a.send_bytes("#CHALLENGE#short");
        QCOMPARE(error_of<mp::AuthenticationError>([&] { mp::connection::answer_challenge(b, "k"); }),
                 QString("challenge too short: 5 bytes"));
        a.send_bytes("hello");
        QCOMPARE(error_of<mp::AuthenticationError>([&] { mp::connection::answer_challenge(b, "k"); }),
                 QString("Protocol error, expected challenge: message=b'hello'"));
        // Handshake messages are capped at 256 bytes.
        a.send_bytes(std::string(257, 'x'));
        QCOMPARE(error_of<mp::OSError>([&] { mp::connection::answer_challenge(b, "k"); }),
                 QString("bad message length"));
        auto [c, d] = mp::Pipe();
        QCOMPARE(error_of<mp::ValueError>([&] { mp::connection::deliver_challenge(c, "k", "sha1"); }),
                 QString("unsupported digest 'sha1'"));
    }

    void cppClientAgainstCPythonListener() {
        const QString python = QStandardPaths::findExecutable("python3");
        if (python.isEmpty()) QSKIP("python3 is not installed");
        QTemporaryDir dir;
        const std::string path = dir.filePath("py.sock").toStdString();
        const char* script = R"(
import sys
from multiprocessing.connection import Listener
with Listener(sys.argv[1], authkey=b'secret password') as listener:
    print('ready', flush=True)
    with listener.accept() as conn:
        conn.send_bytes(b'hello')
        conn.send_bytes(conn.recv_bytes().upper())
)";
        int out = -1;
        const pid_t pid = start_python(python, script, {path}, out);
        QVERIFY(pid > 0);
        QCOMPARE(read_line(out), std::string("ready"));
        ::close(out);
        Connection c = Client(path, std::nullopt, std::string("secret password"));
        QCOMPARE(c.recv_bytes(), std::string("hello"));
        c.send_bytes("shout");
        QCOMPARE(c.recv_bytes(), std::string("SHOUT"));
        QCOMPARE(exit_status(pid), 0);
    }

    void cpythonClientAgainstCppListener() {
        const QString python = QStandardPaths::findExecutable("python3");
        if (python.isEmpty()) QSKIP("python3 is not installed");
        const char* script = R"(
import sys
from multiprocessing.connection import Client
with Client(('127.0.0.1', int(sys.argv[1])), authkey=b'secret password') as conn:
    conn.send_bytes(conn.recv_bytes()[::-1])
    try:
        Client(('127.0.0.1', int(sys.argv[1])), authkey=b'not the password')
    except Exception as e:
        print(type(e).__name__, e, flush=True)
)";
        Listener listener(InetAddress{"127.0.0.1", 0}, std::nullopt, 1, std::string("secret password"));
        int out = -1;
        const pid_t pid = start_python(python, script,
                                       {std::to_string(std::get<InetAddress>(listener.address()).port)}, out);
        QVERIFY(pid > 0);
        Connection c = listener.accept();
        c.send_bytes("stressed");
        QCOMPARE(c.recv_bytes(), std::string("desserts"));
        QCOMPARE(error_of<mp::AuthenticationError>([&] { listener.accept(); }),
                 QString("digest received was wrong"));
        QCOMPARE(read_line(out), std::string("AuthenticationError digest sent was rejected"));
        ::close(out);
        QCOMPARE(exit_status(pid), 0);
    }
};

QTEST_APPLESS_MAIN(TestListener)
#include "tst_listener.moc"
