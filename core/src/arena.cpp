// Session arena mapping: creation, attaching, the layout offsets and the robust-locked heap.
#include "arena.hpp"

#include "futex.hpp"

#include "mp/errors.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <new>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace mp::detail {

namespace {

constexpr std::uint64_t align_up(std::uint64_t n, std::uint64_t a) {
    return (n + a - 1) / a * a;
}

struct Offsets {
    std::uint64_t processes, objects, events, heap, total;
};

Offsets layout_for(const ArenaSizes& s) {
    Offsets o{};
    o.processes = align_up(sizeof(scope::Header), 4096);
    o.objects = align_up(o.processes + std::uint64_t{s.processes} * sizeof(scope::ProcessSlot), 4096);
    o.events = align_up(o.objects + std::uint64_t{s.objects} * sizeof(scope::ObjectSlot), 4096);
    o.heap = align_up(o.events + std::uint64_t{s.events} * sizeof(scope::EventRecord), 4096);
    o.total = align_up(o.heap + s.heap, 4096);
    return o;
}

std::optional<std::uint64_t> parse_size(const char* text) {
    if (!text || !*text) return std::nullopt;
    char* end = nullptr;
    errno = 0;
    double value = std::strtod(text, &end);
    if (errno != 0 || end == text || value <= 0) return std::nullopt;
    std::uint64_t unit = 1;
    switch (*end) {
    case '\0':
        break;
    case 'k':
    case 'K':
        unit = 1ull << 10;
        ++end;
        break;
    case 'm':
    case 'M':
        unit = 1ull << 20;
        ++end;
        break;
    case 'g':
    case 'G':
        unit = 1ull << 30;
        ++end;
        break;
    default:
        return std::nullopt;
    }
    if (*end == 'i' || *end == 'I') ++end;
    if (*end == 'b' || *end == 'B') ++end;
    if (*end != '\0') return std::nullopt;
    return static_cast<std::uint64_t>(value * static_cast<double>(unit));
}

std::int64_t realtime_ns() {
    timespec ts{};
    ::clock_gettime(CLOCK_REALTIME, &ts);
    return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

std::string human_bytes(std::uint64_t n) {
    if (n >= (1ull << 30) && n % (1ull << 30) == 0) return std::to_string(n >> 30) + " GiB";
    if (n >= (1ull << 20)) return std::to_string(n >> 20) + " MiB";
    if (n >= (1ull << 10)) return std::to_string(n >> 10) + " KiB";
    return std::to_string(n) + " bytes";
}

} // namespace

// ---- robust mutex --------------------------------------------------------------------------------------

void init_robust_mutex(pthread_mutex_t& m) {
    pthread_mutexattr_t attr;
    ::pthread_mutexattr_init(&attr);
    ::pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
    ::pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
    ::pthread_mutex_init(&m, &attr);
    ::pthread_mutexattr_destroy(&attr);
}

RobustLock::RobustLock(pthread_mutex_t& m)
    : m_(m) {
    // The sections these mutexes guard are short, and glibc's robust mutexes never spin: try for a few
    // microseconds before the futex sleep, whose wake-up costs more than the wait (a Barrier's woken party
    // otherwise slept again on the mutex its waker still held).
    int rc = EBUSY;
    detail::spin_until([&] { return (rc = ::pthread_mutex_trylock(&m_)) != EBUSY; });
    if (rc == EBUSY) rc = ::pthread_mutex_lock(&m_);
    if (rc == EOWNERDEAD) {
        ::pthread_mutex_consistent(&m_);
        recovered_ = true;
    } else if (rc != 0) {
        throw_errno("pthread_mutex_lock", rc);
    }
}

RobustLock::~RobustLock() {
    ::pthread_mutex_unlock(&m_);
}

// ---- sizes ---------------------------------------------------------------------------------------------

ArenaSizes ArenaSizes::from_environment() {
    ArenaSizes sizes;
    if (const char* text = std::getenv("MPSCOPE_ARENA_SIZE")) {
        auto bytes = parse_size(text);
        if (!bytes || *bytes < (1ull << 20))
            throw ValueError("MPSCOPE_ARENA_SIZE must be a size of at least 1M, like 256M or 2G, not '" +
                             std::string(text) + "'");
        sizes.heap = *bytes;
    }
    return sizes;
}

std::string shm_path(const std::string& name) {
    return "/dev/shm/" + name;
}

// ---- segment -------------------------------------------------------------------------------------------

std::unique_ptr<Segment> Segment::create(const std::string& name, const ArenaSizes& sizes) {
    if (sizes.events == 0 || (sizes.events & (sizes.events - 1)) != 0)
        throw ValueError("event ring capacity must be a power of two");
    const Offsets o = layout_for(sizes);
    int fd = ::shm_open(("/" + name).c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) throw_errno("shm_open /" + name);
    if (::ftruncate(fd, static_cast<off_t>(o.total)) != 0) {
        int err = errno;
        ::close(fd);
        ::shm_unlink(("/" + name).c_str());
        throw_errno("ftruncate /dev/shm/" + name, err);
    }
    void* p = ::mmap(nullptr, o.total, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    int err = errno;
    ::close(fd);
    if (p == MAP_FAILED) {
        ::shm_unlink(("/" + name).c_str());
        throw_errno("mmap /dev/shm/" + name, err);
    }
    auto seg = std::make_unique<Segment>(Key{});
    seg->name_ = name;
    seg->base_ = static_cast<char*>(p);
    seg->size_ = o.total;

    // The file is zero-filled, which is every atomic's initial state; only the header and the mutexes
    // need explicit set-up, and nobody else can see the segment before this function returns.
    auto* h = new (seg->base_) scope::Header{};
    h->version = scope::kLayoutVersion;
    h->total_size = o.total;
    std::strncpy(h->session, name.c_str(), sizeof h->session - 1);
    h->creator_pid = static_cast<std::int32_t>(::getpid());
    h->process_capacity = sizes.processes;
    h->object_capacity = sizes.objects;
    h->event_capacity = sizes.events;
    h->processes_offset = o.processes;
    h->objects_offset = o.objects;
    h->events_offset = o.events;
    h->heap_offset = o.heap;
    h->heap_size = o.total - o.heap;
    h->created_realtime_ns = realtime_ns();
    h->created_monotonic_ns = monotonic_ns();
    h->observe_level.store(static_cast<std::uint32_t>(scope::ObserveLevel::Basic));
    h->next_process_serial.store(1);
    h->next_object_serial.store(1);
    init_robust_mutex(h->heap_mutex);
    seg->header_ = h;
    seg->heap_ = std::make_unique<Heap>(boost::interprocess::create_only, seg->base_ + o.heap,
                                        static_cast<std::size_t>(h->heap_size));
    seg->bind_layout();
    // Published last: a reader that sees the magic sees a complete header.
    std::atomic_thread_fence(std::memory_order_release);
    h->magic = scope::kMagic;
    return seg;
}

std::unique_ptr<Segment> Segment::open(const std::string& name) {
    int fd = ::shm_open(("/" + name).c_str(), O_RDWR | O_CLOEXEC, 0);
    if (fd < 0) throw_errno("cannot attach to session '" + name + "'");
    struct stat st {};
    if (::fstat(fd, &st) != 0 || static_cast<std::size_t>(st.st_size) < sizeof(scope::Header)) {
        ::close(fd);
        throw OSError("cannot attach to session '" + name + "': not a session arena");
    }
    void* p =
        ::mmap(nullptr, static_cast<std::size_t>(st.st_size), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    int err = errno;
    ::close(fd);
    if (p == MAP_FAILED) throw_errno("cannot attach to session '" + name + "'", err);
    auto seg = std::make_unique<Segment>(Key{});
    seg->name_ = name;
    seg->base_ = static_cast<char*>(p);
    seg->size_ = static_cast<std::size_t>(st.st_size);
    auto* h = reinterpret_cast<scope::Header*>(seg->base_);
    std::atomic_thread_fence(std::memory_order_acquire);
    if (h->magic != scope::kMagic || h->version != scope::kLayoutVersion || h->total_size != seg->size_)
        throw OSError("cannot attach to session '" + name + "': not a session arena of layout version " +
                      std::to_string(scope::kLayoutVersion));
    seg->header_ = h;
    seg->heap_ = std::make_unique<Heap>(boost::interprocess::open_only, seg->base_ + h->heap_offset,
                                        static_cast<std::size_t>(h->heap_size));
    seg->bind_layout();
    return seg;
}

void Segment::bind_layout() {
    processes_ = reinterpret_cast<scope::ProcessSlot*>(base_ + header_->processes_offset);
    objects_ = reinterpret_cast<scope::ObjectSlot*>(base_ + header_->objects_offset);
    events_ = reinterpret_cast<scope::EventRecord*>(base_ + header_->events_offset);
}

Segment::~Segment() {
    heap_.reset();
    if (base_) ::munmap(base_, size_);
}

std::uint64_t Segment::allocate(std::size_t bytes, std::string_view what) {
    void* p = nullptr;
    {
        RobustLock lock(header_->heap_mutex);
        p = heap_->allocate_aligned(bytes ? bytes : 1, 16, std::nothrow);
    }
    if (!p)
        throw MemoryError("the session arena is full: cannot allocate " + human_bytes(bytes) + " for " +
                          std::string(what) + " (heap of " + human_bytes(header_->heap_size) + ", " +
                          human_bytes(heap_free_bytes()) +
                          " free). Start the program with a larger MPSCOPE_ARENA_SIZE, e.g. "
                          "MPSCOPE_ARENA_SIZE=1G");
    std::memset(p, 0, bytes);
    return offset_of(p);
}

void Segment::deallocate(std::uint64_t offset) noexcept {
    if (offset == 0) return;
    try {
        RobustLock lock(header_->heap_mutex);
        heap_->deallocate(at(offset));
    } catch (...) {
        // a failing robust lock leaves the block allocated: a leak, never corruption
    }
}

std::size_t Segment::heap_free_bytes() {
    RobustLock lock(header_->heap_mutex);
    return heap_->get_free_memory();
}

} // namespace mp::detail
