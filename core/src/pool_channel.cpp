// The pool's channels in the session arena (pool_internal.hpp, PoolState in scope_layout.hpp).
//
// Tasks: a ring of cells with one putter (the parent) and many takers (the workers), after Vyukov's
// bounded queue, except that a taker claims a cell by writing its own slot number into the cell's word.
// So at every instant a task is in exactly one place the parent can see: a cell ready to take, a cell a
// worker has claimed (named in the word), or the current task of a worker's slot - which the worker
// records before it releases the cell. A worker that dies anywhere in between is found holding it.
//
// Results: one byte ring per worker, written by that worker only and read by the result handler only, so a
// worker that dies in the middle of a message damages nothing but its own ring, which the parent discards
// after reading the complete messages before the damage.
#include "pool_internal.hpp"

#include "futex.hpp"

#include <algorithm>
#include <cstring>

namespace mp::detail::pool {

namespace {

// Sleeps are sliced so that a waiter regularly asks keep_waiting() (parent alive, pool not terminated).
constexpr std::int64_t kSliceNs = 200'000'000;

constexpr std::uint32_t ticket_of(std::uint64_t word) noexcept {
    return static_cast<std::uint32_t>(word >> 32);
}
constexpr std::uint32_t owner_in(std::uint64_t word) noexcept {
    return static_cast<std::uint32_t>(word);
}
constexpr std::uint64_t make_word(std::uint64_t ticket) noexcept {
    return static_cast<std::uint64_t>(static_cast<std::uint32_t>(ticket)) << 32;
}

// These two are the re-checks of the sleep hand-shakes, so their loads are sequentially consistent.
bool cell_free_for(const L::PoolCell& c, std::uint64_t position) noexcept {
    return ticket_of(c.word.load()) == static_cast<std::uint32_t>(position);
}

void wake_one_worker(L::PoolState& st) noexcept {
    if (st.sleepers.load() == 0) return;
    st.tasks_seq.fetch_add(1);
    futex_wake(st.tasks_seq, 1);
}

// A task ready at take_pos (not claimed yet).
bool task_ready(const View& v) noexcept {
    const std::uint64_t pos = v.st->take_pos.load();
    return ticket_of(v.cell(pos).word.load()) == static_cast<std::uint32_t>(pos + 1);
}

// Frees a cell for the putter's next lap round the ring and wakes the putter if it waits for it.
void release_cell(const View& v, L::PoolCell& c, std::uint32_t ticket_minus_one) noexcept {
    c.word.store(make_word(static_cast<std::uint64_t>(ticket_minus_one) + v.cell_mask + 1));
    if (v.st->putter_waiting.load() != 0) {
        v.st->space_seq.fetch_add(1);
        futex_wake_all(v.st->space_seq);
    }
}

void copy_in(char* ring, std::uint64_t capacity, std::uint64_t at, const char* data, std::size_t k) noexcept {
    const std::size_t offset = static_cast<std::size_t>(at % capacity);
    const std::size_t first = std::min<std::size_t>(k, capacity - offset);
    std::memcpy(ring + offset, data, first);
    std::memcpy(ring, data + first, k - first);
}

} // namespace

View View::of(Segment& segment, L::ObjectSlot& row) noexcept {
    View v;
    v.segment = &segment;
    v.st = &row.state.pool;
    v.cells = static_cast<L::PoolCell*>(segment.at(v.st->cells_offset.load(std::memory_order_relaxed)));
    v.workers =
        static_cast<L::PoolWorkerSlot*>(segment.at(v.st->workers_offset.load(std::memory_order_relaxed)));
    v.cell_mask = v.st->cell_count.load(std::memory_order_relaxed) - 1;
    return v;
}

// ---- tasks ---------------------------------------------------------------------------------------------

bool can_put(const View& v) noexcept {
    const std::uint64_t pos = v.st->put_pos.load(std::memory_order_relaxed);
    return cell_free_for(v.cell(pos), pos);
}

bool put_task(const View& v, const TaskHeader& header, std::string_view payload,
              const KeepWaiting& keep_waiting) {
    L::PoolState& st = *v.st;
    const std::uint64_t pos = st.put_pos.load(std::memory_order_relaxed);
    L::PoolCell& c = v.cell(pos);
    if (!spin_until([&] { return cell_free_for(c, pos); })) {
        for (;;) {
            // Announce the sleeper, then look again: a taker that freed the cell meanwhile either sees the
            // announcement and bumps the word, or its release is seen here (all sequentially consistent).
            st.putter_waiting.store(1);
            const std::uint32_t seq = st.space_seq.load();
            if (!cell_free_for(c, pos)) futex_wait(st.space_seq, seq, monotonic_ns() + kSliceNs);
            st.putter_waiting.store(0);
            if (cell_free_for(c, pos)) break;
            if (!keep_waiting()) return false;
        }
    }
    std::uint64_t spill = 0;
    if (payload.size() > sizeof c.data) {
        spill = v.segment->allocate(payload.size(), "a pool task");
        std::memcpy(v.segment->at(spill), payload.data(), payload.size());
    } else if (!payload.empty()) { // a Stop task has none
        std::memcpy(c.data, payload.data(), payload.size());
    }
    c.job.store(header.job, std::memory_order_relaxed);
    c.index.store(header.index, std::memory_order_relaxed);
    c.kind.store(static_cast<std::uint32_t>(header.kind), std::memory_order_relaxed);
    c.size.store(static_cast<std::uint32_t>(payload.size()), std::memory_order_relaxed);
    c.spill.store(spill, std::memory_order_relaxed);
    c.word.store(make_word(pos + 1));
    st.put_pos.store(pos + 1, std::memory_order_release);
    // A spinning worker takes it; one that finds more wakes the next (see take_task).
    if (st.spinning.load() == 0) wake_one_worker(st);
    return true;
}

namespace {

// Moves take_pos from `pos` to the next position unless someone did already.
void advance(L::PoolState& st, std::uint64_t pos) noexcept {
    st.take_pos.compare_exchange_strong(pos, pos + 1);
}

// One attempt to claim the task at take_pos; helps take_pos past cells others claimed.
std::optional<TakenTask> try_take(const View& v, std::uint32_t slot) {
    L::PoolState& st = *v.st;
    const std::uint32_t me = owner_of(slot);
    for (;;) {
        const std::uint64_t pos = st.take_pos.load(std::memory_order_acquire);
        L::PoolCell& c = v.cell(pos);
        std::uint64_t w = c.word.load(std::memory_order_acquire);
        const std::uint32_t ticket = ticket_of(w);
        if (ticket == static_cast<std::uint32_t>(pos + 1) && owner_in(w) == 0) {
            if (!c.word.compare_exchange_strong(w, w | me)) continue;
            advance(st, pos);
            TakenTask t;
            t.seq = pos + 1;
            t.header.job = c.job.load(std::memory_order_relaxed);
            t.header.index = c.index.load(std::memory_order_relaxed);
            t.header.kind = static_cast<L::PoolTaskKind>(c.kind.load(std::memory_order_relaxed));
            // Recorded before the cell is released: from here on the slot names the task.
            L::PoolWorkerSlot& ws = v.workers[slot];
            ws.task_seq.fetch_add(1, std::memory_order_relaxed);
            std::atomic_thread_fence(std::memory_order_release);
            ws.current_job.store(t.header.job, std::memory_order_relaxed);
            ws.current_index.store(t.header.index, std::memory_order_relaxed);
            ws.current_seq.store(t.header.kind == L::PoolTaskKind::Stop ? 0 : t.seq);
            ws.task_seq.fetch_add(1, std::memory_order_release);
            const std::uint32_t size = c.size.load(std::memory_order_relaxed);
            const std::uint64_t spill = c.spill.load(std::memory_order_relaxed);
            if (spill != 0) {
                t.payload.assign(static_cast<const char*>(v.segment->at(spill)), size);
                // Cleared first: dying in between leaks the block rather than freeing it twice.
                c.spill.store(0, std::memory_order_relaxed);
                v.segment->deallocate(spill);
            } else {
                t.payload.assign(reinterpret_cast<const char*>(c.data), size);
            }
            release_cell(v, c, static_cast<std::uint32_t>(pos));
            return t;
        }
        if (ticket == static_cast<std::uint32_t>(pos + 1) ||
            ticket == static_cast<std::uint32_t>(pos + v.cell_mask + 1)) {
            // Claimed or already released by another worker that has not moved take_pos on yet.
            advance(st, pos);
            continue;
        }
        return std::nullopt; // not filled yet
    }
}

} // namespace

std::optional<TakenTask> take_task(const View& v, std::uint32_t slot, const KeepWaiting& keep_waiting) {
    L::PoolState& st = *v.st;
    static AdaptiveSpin spin; // this worker process's
    std::int64_t since = 0;   // when this wait began (0: not waiting yet)
    for (;;) {
        if (auto t = try_take(v, slot)) {
            if (since != 0) spin.waited(monotonic_ns() - since);
            // More work and nobody looking for it: wake a sleeper (a put woke nobody while we spun).
            if (st.spinning.load() == 0 && task_ready(v)) wake_one_worker(st);
            return t;
        }
        if (since == 0) since = monotonic_ns();
        // Announced, so that a put need not wake anyone: this worker will see the task. The sleep below
        // re-checks after the announcement is withdrawn (all sequentially consistent), so no put is missed.
        st.spinning.fetch_add(1);
        const bool found = spin.spin([&] { return task_ready(v); });
        st.spinning.fetch_sub(1);
        if (found) continue;
        st.sleepers.fetch_add(1);
        const std::uint32_t seq = st.tasks_seq.load();
        if (!task_ready(v)) futex_wait(st.tasks_seq, seq, monotonic_ns() + kSliceNs);
        st.sleepers.fetch_sub(1);
        if (!task_ready(v) && !keep_waiting()) return std::nullopt;
    }
}

std::vector<HeldTask> reclaim_cells(const View& v, std::uint32_t slot) {
    std::vector<HeldTask> held;
    const std::uint32_t me = owner_of(slot);
    for (std::uint32_t i = 0; i <= v.cell_mask; ++i) {
        L::PoolCell& c = v.cells[i];
        const std::uint64_t w = c.word.load(std::memory_order_acquire);
        if (owner_in(w) != me) continue;
        const std::uint32_t ticket = ticket_of(w);
        if (static_cast<L::PoolTaskKind>(c.kind.load(std::memory_order_relaxed)) != L::PoolTaskKind::Stop)
            held.push_back(
                {ticket, c.job.load(std::memory_order_relaxed), c.index.load(std::memory_order_relaxed)});
        if (const std::uint64_t spill = c.spill.exchange(0)) v.segment->deallocate(spill);
        release_cell(v, c, ticket - 1);
    }
    return held;
}

void free_cell_spills(const View& v) noexcept {
    for (std::uint32_t i = 0; i <= v.cell_mask; ++i) {
        L::PoolCell& c = v.cells[i];
        const std::uint64_t w = c.word.load(std::memory_order_acquire);
        // A cell holds an unreleased payload while its ticket is one past a position.
        if ((ticket_of(w) & v.cell_mask) != ((i + 1) & v.cell_mask)) continue;
        if (const std::uint64_t spill = c.spill.exchange(0)) v.segment->deallocate(spill);
    }
}

// ---- results -------------------------------------------------------------------------------------------

bool write_result(const View& v, std::uint32_t slot, const ResultHeader& header, std::string_view payload,
                  const KeepWaiting& keep_waiting) {
    L::PoolWorkerSlot& ws = v.workers[slot];
    char* ring = static_cast<char*>(v.segment->at(ws.ring_offset.load(std::memory_order_relaxed)));
    const std::uint64_t capacity = ws.ring_capacity.load(std::memory_order_relaxed);
    const std::uint64_t head[5] = {payload.size(), header.seq, header.job,
                                   static_cast<std::uint64_t>(header.index), header.ok ? 1u : 0u};
    static_assert(sizeof head == kResultHeaderBytes);
    const std::string_view parts[2] = {{reinterpret_cast<const char*>(head), sizeof head}, payload};
    for (std::string_view part : parts) {
        while (!part.empty()) {
            const std::uint64_t w = ws.write_pos.load(std::memory_order_relaxed);
            std::uint64_t r = ws.read_pos.load(std::memory_order_acquire);
            if (w - r == capacity &&
                !spin_until([&] { return ws.read_pos.load(std::memory_order_acquire) != r; })) {
                ws.writer_waiting.store(1);
                const std::uint32_t seq = ws.space_seq.load();
                if (ws.read_pos.load() == r) futex_wait(ws.space_seq, seq, monotonic_ns() + kSliceNs);
                ws.writer_waiting.store(0);
                if (ws.read_pos.load() == r && !keep_waiting()) return false;
                continue;
            }
            r = ws.read_pos.load(std::memory_order_acquire);
            const std::size_t k = std::min<std::size_t>(part.size(), capacity - (w - r));
            copy_in(ring, capacity, w, part.data(), k);
            ws.write_pos.store(w + k);
            part.remove_prefix(k);
            wake_result_handler(v);
        }
    }
    return true;
}

std::size_t read_results(const View& v, std::uint32_t slot, std::string& buffer) {
    L::PoolWorkerSlot& ws = v.workers[slot];
    const std::uint64_t r = ws.read_pos.load(std::memory_order_relaxed);
    const std::uint64_t w = ws.write_pos.load(std::memory_order_acquire);
    if (w == r) return 0;
    const char* ring =
        static_cast<const char*>(v.segment->at(ws.ring_offset.load(std::memory_order_relaxed)));
    const std::uint64_t capacity = ws.ring_capacity.load(std::memory_order_relaxed);
    const std::size_t n = static_cast<std::size_t>(w - r);
    const std::size_t offset = static_cast<std::size_t>(r % capacity);
    const std::size_t first = std::min<std::size_t>(n, capacity - offset);
    buffer.append(ring + offset, first);
    buffer.append(ring, n - first);
    ws.read_pos.store(w);
    if (ws.writer_waiting.load() != 0) {
        ws.space_seq.fetch_add(1);
        futex_wake_all(ws.space_seq);
    }
    return n;
}

std::optional<ResultMessage> next_result(const std::string& buffer, std::size_t& offset) {
    if (buffer.size() - offset < kResultHeaderBytes) return std::nullopt;
    std::uint64_t head[5];
    std::memcpy(head, buffer.data() + offset, sizeof head);
    if (buffer.size() - offset - kResultHeaderBytes < head[0]) return std::nullopt;
    ResultMessage m;
    m.header = {head[1], head[2], static_cast<std::int64_t>(head[3]), head[4] != 0};
    m.payload = std::string_view(buffer).substr(offset + kResultHeaderBytes, head[0]);
    offset += kResultHeaderBytes + head[0];
    return m;
}

bool results_waiting(const View& v) noexcept {
    const std::uint32_t n = v.st->processes.load(std::memory_order_relaxed);
    for (std::uint32_t i = 0; i < n; ++i) {
        const L::PoolWorkerSlot& ws = v.workers[i];
        if (ws.write_pos.load(std::memory_order_acquire) != ws.read_pos.load(std::memory_order_relaxed))
            return true;
    }
    return false;
}

void wake_result_handler(const View& v) noexcept {
    // A helper reads it, or re-checks after it stops helping (see PoolCore::stop_helping).
    if (v.st->helpers.load() != 0) return;
    if (v.st->results_sleeping.load() != 0) {
        v.st->results_seq.fetch_add(1);
        futex_wake(v.st->results_seq, 1);
    }
}

} // namespace mp::detail::pool
