#pragma once
// A mapping of one session arena (scope_layout.hpp): the POSIX shared-memory segment
// /dev/shm/mpscope-<pid>-<random> holding the process table, the object table, the event ring and a heap
// (a Boost.Interprocess allocator) for variable-sized shared data. The writer side (this program's own
// session) and the reader side (an inspector attaching by name) use the same class.
#include "scope_layout.hpp"

#include <boost/interprocess/indexes/iset_index.hpp>
#include <boost/interprocess/managed_external_buffer.hpp>
#include <boost/interprocess/mem_algo/rbtree_best_fit.hpp>
#include <boost/interprocess/sync/mutex_family.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace mp::detail {

// A robust, process-shared pthread mutex held for short critical sections: a holder that dies is
// detected (EOWNERDEAD) and the mutex made consistent again rather than wedging everyone else.
void init_robust_mutex(pthread_mutex_t& m);
class RobustLock {
public:
    explicit RobustLock(pthread_mutex_t& m);
    ~RobustLock();
    RobustLock(const RobustLock&) = delete;
    RobustLock& operator=(const RobustLock&) = delete;
    // True when the previous holder died inside its critical section.
    bool recovered() const noexcept { return recovered_; }

private:
    pthread_mutex_t& m_;
    bool recovered_ = false;
};

struct ArenaSizes {
    std::uint32_t processes = 1024;
    std::uint32_t objects = 8192;
    std::uint32_t events = 65536;      // power of two
    std::uint64_t heap = 256ull << 20; // sparse: pages cost memory only once touched
    // Defaults, with the heap size from MPSCOPE_ARENA_SIZE ("256M", "1G", bytes) when set.
    static ArenaSizes from_environment();
};

class Segment {
    struct Key {}; // only create() and open() make segments

public:
    explicit Segment(Key) {}
    // Creates /dev/shm/<name> (O_EXCL) and initialises the layout. The caller registers it with the
    // resource tracker.
    static std::unique_ptr<Segment> create(const std::string& name, const ArenaSizes& sizes);
    // Maps an existing arena; OSError when it does not exist or is not an arena of this layout version.
    static std::unique_ptr<Segment> open(const std::string& name);
    ~Segment();
    Segment(const Segment&) = delete;
    Segment& operator=(const Segment&) = delete;

    const std::string& name() const noexcept { return name_; }
    scope::Header& header() const noexcept { return *header_; }
    std::uint32_t process_capacity() const noexcept { return header_->process_capacity; }
    std::uint32_t object_capacity() const noexcept { return header_->object_capacity; }
    scope::ProcessSlot& process_at(std::uint32_t index) const noexcept { return processes_[index]; }
    scope::ObjectSlot& object_at(std::uint32_t index) const noexcept { return objects_[index]; }
    scope::EventRecord& event_at(std::uint64_t seq) const noexcept {
        return events_[seq & (header_->event_capacity - 1)];
    }

    // Heap: offsets are valid in every process of the session. MemoryError names the fix when it is full.
    std::uint64_t allocate(std::size_t bytes, std::string_view what);
    void deallocate(std::uint64_t offset) noexcept;
    std::size_t heap_free_bytes();
    void* at(std::uint64_t offset) const noexcept { return base_ + offset; }
    std::uint64_t offset_of(const void* p) const noexcept {
        return static_cast<std::uint64_t>(static_cast<const char*>(p) - base_);
    }

private:
    using Heap = boost::interprocess::basic_managed_external_buffer<
        char, boost::interprocess::rbtree_best_fit<boost::interprocess::null_mutex_family>,
        boost::interprocess::iset_index>;
    void bind_layout();

    std::string name_;
    char* base_ = nullptr;
    std::size_t size_ = 0;
    scope::Header* header_ = nullptr;
    scope::ProcessSlot* processes_ = nullptr;
    scope::ObjectSlot* objects_ = nullptr;
    scope::EventRecord* events_ = nullptr;
    std::unique_ptr<Heap> heap_;
};

// "/dev/shm/<name>" exists and is an arena whose creator or tracker may still be alive.
std::string shm_path(const std::string& name);

} // namespace mp::detail
