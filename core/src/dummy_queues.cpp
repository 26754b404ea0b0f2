// dummy::Queue (queue.Queue) and multiprocessing.dummy.connection: Pipe, Listener and Client over
// in-memory queues (SPEC §12). A Connection is (inbox, outbox); a Listener's address is its backlog queue
// of (inbox, outbox) pairs that Clients put and accept() takes.
#include "dummy_internal.hpp"

namespace mp::dummy {

namespace detail {
struct BacklogState : QueueCore<std::pair<Queue, Queue>> {
    using QueueCore::QueueCore;
};
} // namespace detail

// ---- Queue ------------------------------------------------------------------------------------------------

Queue::Queue(std::int64_t maxsize)
    : state_(std::make_shared<detail::QueueState>(maxsize)) {}

void Queue::put(const Object& item, bool block, std::optional<double> timeout) {
    state_->put(item, block, timeout);
}

Object Queue::get(bool block, std::optional<double> timeout) {
    return state_->get(block, timeout);
}

void Queue::task_done() {
    state_->task_done();
}

void Queue::join() {
    state_->join();
}

std::int64_t Queue::qsize() const {
    return state_->qsize();
}

bool Queue::empty() const {
    return qsize() == 0;
}

bool Queue::full() const {
    const std::int64_t maxsize = state_->maxsize();
    return maxsize > 0 && qsize() >= maxsize;
}

std::int64_t Queue::maxsize() const {
    return state_->maxsize();
}

std::string Queue::repr() const {
    return "<queue.Queue object at " + detail::address_of(state_.get()) + ">";
}

Handle Queue::to_handle() const {
    return detail::pin("dummy.Queue", state_);
}

Queue Queue::from_handle(const Handle& handle) {
    return Queue(detail::unpin_as<detail::QueueState>(handle, "dummy.Queue"));
}

namespace connection {

// ---- Connection -------------------------------------------------------------------------------------------

void Connection::send(const Object& object) const {
    out_.state_->put(object);
}

Object Connection::recv() const {
    return in_.state_->get();
}

void Connection::send_bytes(std::string_view buffer) const {
    send(Object::bytes(std::string(buffer)));
}

std::string Connection::recv_bytes() const {
    return recv().as_bytes();
}

bool Connection::poll(std::optional<double> timeout) const {
    return in_.state_->wait_readable(detail::deadline_after(timeout));
}

// Two queue handles in one: the inbox's ints, then the outbox's.
Handle Connection::to_handle() const {
    Handle handle = in_.to_handle();
    const Handle out = out_.to_handle();
    handle.kind = "dummy.Connection";
    handle.ints.insert(handle.ints.end(), out.ints.begin(), out.ints.end());
    return handle;
}

Connection Connection::from_handle(const Handle& handle) {
    if (handle.kind != "dummy.Connection" || handle.ints.size() % 2 != 0)
        throw TypeError("expected dummy.Connection, got " + handle.kind);
    const auto half = static_cast<std::ptrdiff_t>(handle.ints.size() / 2);
    Handle in = handle, out = handle;
    in.kind = out.kind = "dummy.Queue";
    in.ints.assign(handle.ints.begin(), handle.ints.begin() + half);
    out.ints.assign(handle.ints.begin() + half, handle.ints.end());
    return Connection(Queue::from_handle(in), Queue::from_handle(out));
}

std::pair<Connection, Connection> Pipe(bool) {
    Queue a, b;
    return {Connection(a, b), Connection(b, a)};
}

// ---- Listener and Client ----------------------------------------------------------------------------------

std::string Address::repr() const {
    if (!backlog_) return "None";
    return "<queue.Queue object at " + detail::address_of(backlog_.get()) + ">";
}

Handle Address::to_handle() const {
    if (!backlog_) return Handle{"dummy.Address", "_thread.lock", {}, {}};
    return detail::pin("dummy.Address", backlog_);
}

Address Address::from_handle(const Handle& handle) {
    if (handle.kind == "dummy.Address" && handle.ints.empty()) return Address();
    return Address(detail::unpin_as<detail::BacklogState>(handle, "dummy.Address"));
}

Listener::Listener(const Object&, const Object&, std::int64_t backlog)
    : address_(std::make_shared<detail::BacklogState>(backlog)) {}

Connection Listener::accept() {
    if (!address_) throw AttributeError("'NoneType' object has no attribute 'get'");
    auto [in, out] = address_.backlog_->get();
    return Connection(std::move(in), std::move(out));
}

void Listener::close() {
    address_ = Address();
}

Connection Client(const Address& address) {
    if (!address) throw AttributeError("'NoneType' object has no attribute 'put'");
    Queue in, out;
    address.backlog_->put({out, in});
    return Connection(std::move(in), std::move(out));
}

} // namespace connection
} // namespace mp::dummy
