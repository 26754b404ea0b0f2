// Listener and Client over AF_UNIX and AF_INET stream sockets (SPEC §5).
#include "mp/connection.hpp"
#include "mp/util.hpp"

#include <arpa/inet.h>
#include <cerrno>
#include <cstddef>
#include <cstring>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <random>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace mp::connection {

namespace {

struct SocketAddress {
    sockaddr_storage storage{};
    socklen_t length = 0;
    const sockaddr* get() const noexcept { return reinterpret_cast<const sockaddr*>(&storage); }
};

// Python's _validate_family, extended to every name this platform lacks.
void check_family(const std::string& family) {
    if (std::find(families.begin(), families.end(), family) == families.end())
        throw ValueError("Family " + family + " is not recognized.");
}

SocketAddress unix_socket_address(const std::string& path) {
    SocketAddress result;
    auto* un = reinterpret_cast<sockaddr_un*>(&result.storage);
    un->sun_family = AF_UNIX;
    const bool abstract = !path.empty() && path[0] == '\0';
    // A filesystem path needs room for its terminating NUL; an abstract name may fill sun_path.
    if (path.size() + (abstract ? 0 : 1) > sizeof(un->sun_path)) throw OSError("AF_UNIX path too long");
    std::memcpy(un->sun_path, path.data(), path.size());
    result.length =
        static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + path.size() + (abstract ? 0 : 1));
    if (path.empty()) result.length = sizeof(sa_family_t); // Linux autobinds an abstract name
    return result;
}

SocketAddress inet_socket_address(const InetAddress& address, const char* operation) {
    if (address.port < 0 || address.port > 65535)
        throw OverflowError(std::string(operation) + "(): port must be 0-65535.");
    SocketAddress result;
    auto* in = reinterpret_cast<sockaddr_in*>(&result.storage);
    result.length = sizeof(sockaddr_in);
    in->sin_family = AF_INET;
    in->sin_port = htons(static_cast<std::uint16_t>(address.port));
    if (address.host.empty()) { // Python's '' is INADDR_ANY
        in->sin_addr.s_addr = htonl(INADDR_ANY);
        return result;
    }
    addrinfo hints{};
    hints.ai_family = AF_INET;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    if (const int err = ::getaddrinfo(address.host.c_str(), nullptr, &hints, &found); err != 0)
        throw OSError(std::string(gai_strerror(err)));
    in->sin_addr = reinterpret_cast<const sockaddr_in*>(found->ai_addr)->sin_addr;
    ::freeaddrinfo(found);
    return result;
}

SocketAddress socket_address(const Address& address, const std::string& family, const char* operation) {
    if (family == "AF_UNIX") {
        if (const auto* path = std::get_if<std::string>(&address)) return unix_socket_address(*path);
        throw TypeError(std::string(operation) + "(): AF_UNIX address must be str or bytes, not tuple");
    }
    if (const auto* inet = std::get_if<InetAddress>(&address)) return inet_socket_address(*inet, operation);
    throw TypeError(std::string(operation) + "(): AF_INET address must be tuple, not str");
}

Address address_of(const sockaddr_storage& storage, socklen_t length) {
    if (storage.ss_family == AF_INET) {
        const auto* in = reinterpret_cast<const sockaddr_in*>(&storage);
        char text[INET_ADDRSTRLEN] = {};
        ::inet_ntop(AF_INET, &in->sin_addr, text, sizeof text);
        return InetAddress{text, ntohs(in->sin_port)};
    }
    const auto* un = reinterpret_cast<const sockaddr_un*>(&storage);
    const std::size_t path_offset = offsetof(sockaddr_un, sun_path);
    if (length <= path_offset) return std::string(); // an unnamed peer
    const std::size_t size = std::min<std::size_t>(length - path_offset, sizeof(un->sun_path));
    if (un->sun_path[0] == '\0') return std::string(un->sun_path, size);
    return std::string(un->sun_path, ::strnlen(un->sun_path, size));
}

int open_socket(const std::string& family) {
    const int fd = ::socket(family == "AF_UNIX" ? AF_UNIX : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) throw_errno("socket");
    return fd;
}

std::string random_name(std::size_t length) {
    static constexpr std::string_view alphabet = "abcdefghijklmnopqrstuvwxyz0123456789_";
    std::random_device device;
    std::string name;
    for (std::size_t i = 0; i < length; ++i)
        name += alphabet[device() % alphabet.size()];
    return name;
}

Address arbitrary_address(const std::string& family) {
    if (family == "AF_INET") return InetAddress{"localhost", 0};
    return util::get_temp_dir() + "/listener-" + random_name(8);
}

void connect_socket(int fd, const SocketAddress& address) {
    if (::connect(fd, address.get(), address.length) == 0) return;
    if (errno != EINTR) throw_errno("connect");
    // An interrupted connect keeps going in the background: wait for it and collect its result.
    pollfd watched{.fd = fd, .events = POLLOUT, .revents = 0};
    while (::poll(&watched, 1, -1) < 0)
        if (errno != EINTR) throw_errno("connect");
    int err = 0;
    socklen_t size = sizeof err;
    ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &size);
    if (err != 0) throw_errno("connect", err);
}

// Closes a descriptor on scope exit until it is handed over.
struct DescriptorGuard {
    int fd;
    ~DescriptorGuard() {
        if (fd >= 0) ::close(fd);
    }
    int release() noexcept { return std::exchange(fd, -1); }
};

} // namespace

} // namespace mp::connection

namespace mp {

Object Convert<connection::InetAddress>::to(const connection::InetAddress& address) {
    return Object::tuple(address.host, address.port);
}

connection::InetAddress Convert<connection::InetAddress>::from(const Object& object) {
    if (!object.is_tuple() || object.size() != 2)
        throw TypeError("AF_INET address must be tuple, not " + object.type_name());
    return {from_object<std::string>(object[0]), from_object<int>(object[1])};
}

Object Convert<connection::Address>::to(const connection::Address& address) {
    if (const auto* inet = std::get_if<connection::InetAddress>(&address)) return to_object(*inet);
    const std::string& path = std::get<std::string>(address);
    // Python reports abstract-namespace names as bytes.
    return !path.empty() && path[0] == '\0' ? Object::bytes(path) : Object(path);
}

connection::Address Convert<connection::Address>::from(const Object& object) {
    if (object.is_tuple()) return from_object<connection::InetAddress>(object);
    if (object.is_str()) return object.as_str();
    if (object.is_bytes()) return object.as_bytes();
    throw TypeError("address type of " + object.repr() + " unrecognized");
}

} // namespace mp

namespace mp::connection {

std::string address_type(const Address& address) {
    if (std::holds_alternative<InetAddress>(address)) return "AF_INET";
    return std::get<std::string>(address).starts_with("\\\\") ? "AF_PIPE" : "AF_UNIX";
}

Listener::Listener(std::optional<Address> address, std::optional<std::string> family, int backlog,
                   std::optional<std::string> authkey)
    : authkey_(std::move(authkey)) {
    const std::string family_name = family ? *family : address ? address_type(*address) : "AF_UNIX";
    check_family(family_name);
    const SocketAddress bind_to =
        socket_address(address ? *address : arbitrary_address(family_name), family_name, "bind");
    DescriptorGuard socket{open_socket(family_name)};
    const int on = 1;
    if (::setsockopt(socket.fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) != 0) throw_errno("setsockopt");
    if (::bind(socket.fd, bind_to.get(), bind_to.length) != 0) throw_errno("bind");
    if (::listen(socket.fd, backlog) != 0) throw_errno("listen");
    sockaddr_storage bound{};
    socklen_t length = sizeof bound;
    if (::getsockname(socket.fd, reinterpret_cast<sockaddr*>(&bound), &length) != 0)
        throw_errno("getsockname");
    address_ = address_of(bound, length);
    if (const auto* path = std::get_if<std::string>(&address_))
        unlink_on_close_ = !path->empty() && (*path)[0] != '\0';
    fd_ = socket.release();
}

Listener::Listener(Listener&& other) noexcept
    : fd_(std::exchange(other.fd_, -1))
    , address_(std::move(other.address_))
    , unlink_on_close_(std::exchange(other.unlink_on_close_, false))
    , authkey_(std::move(other.authkey_))
    , last_accepted_(std::move(other.last_accepted_)) {}

Listener& Listener::operator=(Listener&& other) noexcept {
    if (this != &other) {
        close();
        fd_ = std::exchange(other.fd_, -1);
        address_ = std::move(other.address_);
        unlink_on_close_ = std::exchange(other.unlink_on_close_, false);
        authkey_ = std::move(other.authkey_);
        last_accepted_ = std::move(other.last_accepted_);
    }
    return *this;
}

Listener::~Listener() {
    close();
}

void Listener::close() {
    if (fd_ < 0) return;
    ::close(std::exchange(fd_, -1));
    if (unlink_on_close_) ::unlink(std::get<std::string>(address_).c_str());
    unlink_on_close_ = false;
}

Connection Listener::accept() {
    if (fd_ < 0) throw OSError("listener is closed");
    sockaddr_storage peer{};
    socklen_t length = sizeof peer;
    int fd;
    while ((fd = ::accept4(fd_, reinterpret_cast<sockaddr*>(&peer), &length, SOCK_CLOEXEC)) < 0)
        if (errno != EINTR) throw_errno("accept");
    Connection connection(fd);
    last_accepted_ = address_of(peer, length);
    // CPython 3.13 semantics: any authkey, even an empty one, means authenticating (3.11 skipped b'').
    if (authkey_) {
        deliver_challenge(connection, *authkey_);
        answer_challenge(connection, *authkey_);
    }
    return connection;
}

Connection Client(const Address& address, std::optional<std::string> family,
                  std::optional<std::string> authkey) {
    const std::string family_name = family ? *family : address_type(address);
    check_family(family_name);
    const SocketAddress target = socket_address(address, family_name, "connect");
    DescriptorGuard socket{open_socket(family_name)};
    connect_socket(socket.fd, target);
    Connection connection(socket.release());
    if (authkey) {
        answer_challenge(connection, *authkey);
        deliver_challenge(connection, *authkey);
    }
    return connection;
}

} // namespace mp::connection
