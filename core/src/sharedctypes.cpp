// Shared ctypes (SPEC §8) in the session arena. The elements live in a heap block of the arena, described by
// the object's ArrayState (typecode, itemsize, length, a struct's layout string) so that the inspector can
// read them without help. Every write passes the step-mode gate, counts as an operation and lands in the
// row's ring of recent writes; reads stay a lock round trip plus a copy.
#include "mp/sharedctypes.hpp"

#include "arena.hpp"
#include "futex.hpp"
#include "process_internal.hpp"
#include "scope_writer.hpp"
#include "synchronize_internal.hpp"
#include "unicode.hpp"

#include "mp/context.hpp"
#include "mp/process.hpp"

#include <algorithm>
#include <atomic>
#include <cfloat>
#include <climits>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <deque>
#include <limits>
#include <mutex>
#include <utility>

namespace mp {

namespace detail {

using scope::ObjectKind;
using scope::ObjectRef;
using scope::Op;

struct CDataParts {
    std::shared_ptr<ObjectRef> ref;
    CType type;
    std::size_t length;
    unsigned char* data;
    std::optional<AnyLock> lock;
};

struct CDataAccess {
    static ObjectRef& ref(const SharedCData& o) { return SharedObjectAccess::ref(o); }
    static const CType& type(const SharedCData& o) noexcept { return o.type_; }
    static std::size_t length(const SharedCData& o) noexcept { return o.length_; }
    static unsigned char* data(const SharedCData& o) noexcept { return o.data_; }
    static const std::optional<AnyLock>& lock(const SharedCData& o) noexcept { return o.lock_; }
    static const std::optional<AnyLock>& given_lock(const LockOption& l) noexcept { return l.lock_; }
    static const Object& lock_object(const LockOption& l) noexcept { return l.object_; }
    // Another front end over the same memory, with `lock` (nullopt: raw).
    static CDataParts parts(const SharedCData& o, std::optional<AnyLock> lock) {
        return {SharedObjectAccess::pointer(o), o.type_, o.length_, o.data_, std::move(lock)};
    }
    template <class T> static T make(CDataParts&& parts) { return T(std::move(parts)); }
};

namespace {

// ---- C scalars -----------------------------------------------------------------------------------------

// One naturally aligned scalar as a single relaxed atomic access, so that concurrent raw accesses from
// other threads or processes never see half of a value.
template <class U> void load_as(const unsigned char* shared, unsigned char* local) noexcept {
    const U v = std::atomic_ref<U>(*reinterpret_cast<U*>(const_cast<unsigned char*>(shared)))
                    .load(std::memory_order_relaxed);
    std::memcpy(local, &v, sizeof v);
}
template <class U> void store_as(const unsigned char* local, unsigned char* shared) noexcept {
    U v;
    std::memcpy(&v, local, sizeof v);
    std::atomic_ref<U>(*reinterpret_cast<U*>(shared)).store(v, std::memory_order_relaxed);
}

void load_scalar(std::size_t size, const unsigned char* shared, unsigned char* local) noexcept {
    switch (size) {
    case 1:
        return load_as<std::uint8_t>(shared, local);
    case 2:
        return load_as<std::uint16_t>(shared, local);
    case 4:
        return load_as<std::uint32_t>(shared, local);
    default:
        return load_as<std::uint64_t>(shared, local);
    }
}
void store_scalar(std::size_t size, const unsigned char* local, unsigned char* shared) noexcept {
    switch (size) {
    case 1:
        return store_as<std::uint8_t>(local, shared);
    case 2:
        return store_as<std::uint16_t>(local, shared);
    case 4:
        return store_as<std::uint32_t>(local, shared);
    default:
        return store_as<std::uint64_t>(local, shared);
    }
}

void load_element(const CType& type, const unsigned char* shared, unsigned char* local) noexcept {
    if (const CStructType* st = type.structure()) {
        for (const CField& f : st->fields)
            load_scalar(scope::typecode_size(f.typecode), shared + f.offset, local + f.offset);
    } else {
        load_scalar(scope::typecode_size(type.typecode()), shared, local);
    }
}
void store_element(const CType& type, const unsigned char* local, unsigned char* shared) noexcept {
    if (const CStructType* st = type.structure()) {
        for (const CField& f : st->fields)
            store_scalar(scope::typecode_size(f.typecode), local + f.offset, shared + f.offset);
    } else {
        store_scalar(scope::typecode_size(type.typecode()), local, shared);
    }
}

template <class T> T read_local(const unsigned char* p) noexcept {
    T v;
    std::memcpy(&v, p, sizeof v);
    return v;
}
template <class T> void write_local(unsigned char* p, T v) noexcept {
    std::memcpy(p, &v, sizeof v);
}

char32_t checked_wchar(char32_t cp) {
    if (cp > 0x10FFFF) {
        char hex[16];
        std::snprintf(hex, sizeof hex, "%X", static_cast<unsigned>(cp));
        throw ValueError("character U+" + std::string(hex) + " is not in range [U+0000; U+10ffff]");
    }
    return cp;
}

std::vector<char32_t> code_points(const std::string& text) {
    std::vector<char32_t> out;
    for (std::size_t pos = 0; pos < text.size();) {
        const Utf8Char c = decode_utf8(text, pos);
        out.push_back(c.code_point);
        pos += c.length;
    }
    return out;
}

Object load_object(char code, const unsigned char* p) {
    switch (code) {
    case 'c':
        return Object::bytes(std::string(1, static_cast<char>(p[0])));
    case 'u': {
        std::string text;
        append_utf8(text, checked_wchar(read_local<char32_t>(p)));
        return Object(std::move(text));
    }
    case 'b':
        return Object(read_local<std::int8_t>(p));
    case 'B':
        return Object(read_local<std::uint8_t>(p));
    case 'h':
        return Object(read_local<std::int16_t>(p));
    case 'H':
        return Object(read_local<std::uint16_t>(p));
    case 'i':
        return Object(read_local<std::int32_t>(p));
    case 'I':
        return Object(read_local<std::uint32_t>(p));
    case 'l':
    case 'q':
        return Object(read_local<std::int64_t>(p));
    case 'L':
    case 'Q':
        return Object(read_local<std::uint64_t>(p));
    case 'f':
        return Object(static_cast<double>(read_local<float>(p)));
    default:
        return Object(read_local<double>(p));
    }
}

// The low 64 bits of a Python int, as ctypes takes them (PyLong_AsUnsignedLongLongMask): C wrap-around.
std::uint64_t integer_bits(const Object& v) {
    if (v.is_bool()) return v.as_bool() ? 1 : 0;
    if (v.kind() == Object::Kind::Int) return static_cast<std::uint64_t>(v.as_int());
    if (v.is_big_int()) {
        const BigInt big = v.as_big_int();
        const std::string twos = big.to_twos_complement(); // little endian
        std::uint64_t bits = big.is_negative() ? ~std::uint64_t{0} : 0;
        for (std::size_t i = 0; i < std::min<std::size_t>(twos.size(), 8); ++i) {
            bits &= ~(std::uint64_t{0xFF} << (8 * i));
            bits |= std::uint64_t{static_cast<unsigned char>(twos[i])} << (8 * i);
        }
        return bits;
    }
    throw TypeError("'" + v.type_name() + "' object cannot be interpreted as an integer");
}

double real_value(const Object& v) {
    if (v.is_float() || v.is_int() || v.is_bool()) return v.as_float();
    throw TypeError("must be real number, not " + v.type_name());
}

// C's double -> float on IEEE hardware, spelled out: beyond FLT_MAX the cast itself is undefined in C++.
float to_float(double d) noexcept {
    if (std::isnan(d) || std::fabs(d) <= static_cast<double>(FLT_MAX)) return static_cast<float>(d);
    const double half_ulp = std::ldexp(1.0, 103); // FLT_MAX rounds to itself below FLT_MAX + ulp/2
    const float limit = std::fabs(d) < static_cast<double>(FLT_MAX) + half_ulp
                            ? FLT_MAX
                            : std::numeric_limits<float>::infinity();
    return std::signbit(d) ? -limit : limit;
}

// ctypes' setter for one scalar: the value's C bytes into `out`, or Python's TypeError.
void store_object(char code, const Object& v, unsigned char* out) {
    switch (code) {
    case 'c':
        if ((v.is_bytes() || v.is_bytearray()) && v.as_bytes().size() == 1) {
            out[0] = static_cast<unsigned char>(v.as_bytes()[0]);
            return;
        }
        if ((v.kind() == Object::Kind::Int || v.is_bool()) && v.as_int() >= 0 && v.as_int() <= 255) {
            out[0] = static_cast<unsigned char>(v.as_int());
            return;
        }
        throw TypeError("one character bytes, bytearray or integer expected");
    case 'u': {
        if (!v.is_str()) throw TypeError("unicode string expected instead of " + v.type_name() + " instance");
        const auto cps = code_points(v.as_str());
        if (cps.size() != 1) throw TypeError("one character unicode string expected");
        write_local<char32_t>(out, cps[0]);
        return;
    }
    case 'f':
        write_local(out, to_float(real_value(v)));
        return;
    case 'd':
        write_local(out, real_value(v));
        return;
    default:
        break;
    }
    const std::uint64_t bits = integer_bits(v);
    switch (scope::typecode_size(code)) {
    case 1:
        return write_local(out, static_cast<std::uint8_t>(bits));
    case 2:
        return write_local(out, static_cast<std::uint16_t>(bits));
    case 4:
        return write_local(out, static_cast<std::uint32_t>(bits));
    default:
        return write_local(out, bits);
    }
}

// ---- structs -------------------------------------------------------------------------------------------

struct StructRegistry {
    std::mutex mutex;
    std::deque<CStructType> types; // a deque never moves its elements: CTypes point into it
};

StructRegistry& struct_registry() {
    static StructRegistry registry;
    return registry;
}

} // namespace

void construct_struct_registry() {
    (void)struct_registry();
}

namespace {

const CStructType* remember_struct(CStructType type) {
    StructRegistry& r = struct_registry();
    std::lock_guard lock(r.mutex);
    for (const CStructType& known : r.types)
        if (known.name == type.name && known.layout == type.layout && known.size == type.size &&
            known.problem == type.problem)
            return &known;
    r.types.push_back(std::move(type));
    return &r.types.back();
}

std::string_view trimmed(std::string_view s) {
    while (!s.empty() && s.front() == ' ')
        s.remove_prefix(1);
    while (!s.empty() && s.back() == ' ')
        s.remove_suffix(1);
    return s;
}

std::size_t align_up(std::size_t offset, std::size_t alignment) noexcept {
    return (offset + alignment - 1) / alignment * alignment;
}

// Fields at their natural C alignment, and the struct's size (padded to its largest field).
std::size_t natural_layout(std::vector<CField>& fields) noexcept {
    std::size_t offset = 0;
    std::size_t alignment = 1;
    for (CField& f : fields) {
        const std::size_t size = scope::typecode_size(f.typecode);
        f.offset = align_up(offset, size);
        offset = f.offset + size;
        alignment = std::max(alignment, size);
    }
    return align_up(offset, alignment);
}

std::string layout_of(const std::vector<CField>& fields) {
    std::string layout;
    for (const CField& f : fields) {
        if (!layout.empty()) layout += ',';
        layout += f.name + ':' + f.typecode;
    }
    return layout;
}

// The element type of an arena row: the layout block holds "x:d,y:d\0Point\0" (the inspector reads the
// first string). The program's registered type when it has one of that name and layout.
const CStructType* struct_from_arena(Segment& segment, std::uint64_t offset, std::size_t itemsize) {
    if (offset == 0) throw TypeError("the shared struct has no layout");
    const char* text = static_cast<const char*>(segment.at(offset));
    CStructType type;
    type.layout.assign(text, strnlen(text, 4096));
    const char* name = text + type.layout.size() + 1;
    type.name.assign(name, strnlen(name, 256));
    std::string_view rest = type.layout;
    while (!rest.empty()) {
        const std::size_t comma = rest.find(',');
        const std::string_view item = rest.substr(0, comma);
        rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
        const std::size_t colon = item.rfind(':');
        if (colon == std::string_view::npos || colon + 2 != item.size() || !valid_typecode(item.back()))
            throw TypeError("malformed struct layout '" + type.layout + "'");
        type.fields.push_back({std::string(item.substr(0, colon)), 0, item.back()});
    }
    if (type.fields.empty() || natural_layout(type.fields) > itemsize)
        throw TypeError("malformed struct layout '" + type.layout + "'");
    type.size = itemsize;
    return remember_struct(std::move(type));
}

// Point(*args) into `out`: fields in order, the others zero.
void struct_from_args(const CStructType& st, const std::vector<Object>& args, unsigned char* out) {
    if (args.size() > st.fields.size()) throw TypeError("too many initializers");
    std::memset(out, 0, st.size);
    for (std::size_t i = 0; i < args.size(); ++i)
        store_object(st.fields[i].typecode, args[i], out + st.fields[i].offset);
}

Object struct_object(const CStructType& st, const unsigned char* local) {
    std::vector<Object> items;
    items.reserve(st.fields.size());
    for (const CField& f : st.fields)
        items.push_back(load_object(f.typecode, local + f.offset));
    return Object::tuple(std::move(items));
}

// How a value becomes an element: an array item (a struct from a tuple, errors as ctypes wraps them) or
// the arguments of Value(type, *args) (a tuple, or a single argument).
enum class From { Item, Args };

void element_from_object(const CType& type, const Object& v, unsigned char* out, From from) {
    const CStructType* st = type.structure();
    if (!st) return store_object(type.typecode(), v, out);
    if (from == From::Args)
        return struct_from_args(*st, v.is_tuple() ? v.items() : std::vector<Object>{v}, out);
    if (!v.is_tuple()) throw TypeError("expected " + st->name + " instance, got " + v.type_name());
    try {
        struct_from_args(*st, v.items(), out);
    } catch (const Exception& e) {
        throw RuntimeError("(" + st->name + ") " + std::string(e.type_name()) + ": " + e.message());
    }
}

Object element_object(const CType& type, const unsigned char* local) {
    if (const CStructType* st = type.structure()) return struct_object(*st, local);
    return load_object(type.typecode(), local);
}

void check_usable(const CType& type) {
    if (type.is_struct() && !type.structure()->problem.empty()) throw TypeError(type.structure()->problem);
}

// ---- Python sequences ----------------------------------------------------------------------------------

// What iterating `v` yields (len() must work: TypeError "object of type 'float' has no len()").
std::vector<Object> items_of(const Object& v) {
    const std::size_t n = v.size();
    std::vector<Object> out;
    out.reserve(n);
    switch (v.kind()) {
    case Object::Kind::List:
    case Object::Kind::Tuple:
        return v.items();
    case Object::Kind::Bytes:
    case Object::Kind::ByteArray:
        for (char c : v.as_bytes())
            out.emplace_back(static_cast<unsigned char>(c));
        return out;
    case Object::Kind::Str:
        for (char32_t cp : code_points(v.as_str())) {
            std::string one;
            append_utf8(one, cp);
            out.emplace_back(std::move(one));
        }
        return out;
    case Object::Kind::Dict:
        for (const auto& [key, value] : v.as_dict())
            out.push_back(key);
        return out;
    default:
        for (const Object& item : v.as_set())
            out.push_back(item);
        return out;
    }
}

bool is_sequence(const Object& v) noexcept {
    switch (v.kind()) {
    case Object::Kind::List:
    case Object::Kind::Tuple:
    case Object::Kind::Bytes:
    case Object::Kind::ByteArray:
    case Object::Kind::Str:
        return true;
    default:
        return false;
    }
}

struct SliceRange {
    std::int64_t start;
    std::int64_t step;
    std::size_t count;
};

// Python's slice.indices() and slice length for a sequence of `length` items.
SliceRange slice_range(const Slice& s, std::size_t length) {
    std::int64_t step = s.step.value_or(1);
    if (step == 0) throw ValueError("slice step cannot be zero");
    step = std::max(step, -std::numeric_limits<std::int64_t>::max());
    const auto n = static_cast<std::int64_t>(length);
    auto adjust = [&](std::optional<std::int64_t> v, std::int64_t if_none) {
        if (!v) return if_none;
        std::int64_t i = *v;
        if (i < 0) {
            i = i < -n ? (step < 0 ? -1 : 0) : i + n;
        } else if (i >= n) {
            i = step < 0 ? n - 1 : n;
        }
        return i;
    };
    const std::int64_t start = adjust(s.start, step < 0 ? n - 1 : 0);
    const std::int64_t stop = adjust(s.stop, step < 0 ? -1 : n);
    std::int64_t count = 0;
    if (step < 0 && stop < start) count = (start - stop - 1) / -step + 1;
    if (step > 0 && start < stop) count = (stop - start - 1) / step + 1;
    return {start, step, static_cast<std::size_t>(count)};
}

// ---- locked, observed access ---------------------------------------------------------------------------

// Runs `copy` (which never throws) under the object's lock, if it has one. An RLock the caller already
// holds (`with v.get_lock(): v.value += 1`) is not taken again: re-entering and leaving it changes nothing.
template <class F> void under_lock(const std::optional<AnyLock>& lock, F&& copy) {
    if (lock && lock->is_rlock() &&
        sync::held_by_caller(SharedObjectAccess::ref(*lock).slot().state.sem, scope::self())) {
        copy();
        return;
    }
    if (lock) lock->acquire();
    copy();
    if (lock) lock->release();
}

// Records writes to element `first`, `first + step` ... (`count` of them) in the row: the operation count,
// the ring of the last 8 writes the inspector's heat map shows, and events when an inspector is attached.
// Inlined, so that a single write's loop folds away.
[[gnu::always_inline]] inline void note_writes(ObjectRef& r, std::int64_t first, std::int64_t step,
                                               std::size_t count) noexcept {
    r.count_op();
    auto& a = r.slot().state.array;
    constexpr std::size_t ring = std::extent_v<decltype(a.recent)>;
    const scope::ObserveLevel level = scope::level();
    const bool events = level == scope::ObserveLevel::Full;
    if (level == scope::ObserveLevel::Off) return;
    const std::int64_t now = monotonic_coarse_ns();
    for (std::size_t k = count > ring ? count - ring : 0; k < count; ++k) {
        const auto index = static_cast<std::uint32_t>(first + static_cast<std::int64_t>(k) * step);
        // Not a read-modify-write: two writers racing here at worst share a ring entry.
        const std::uint32_t head = a.writes_head.load(std::memory_order_relaxed);
        a.writes_head.store(head + 1, std::memory_order_relaxed);
        auto& w = a.recent[head % ring];
        w.index.store(index, std::memory_order_relaxed);
        w.process.store(scope::self(), std::memory_order_relaxed);
        w.time_ns.store(now, std::memory_order_relaxed);
        if (events) scope::record(Op::Write, r.serial(), static_cast<std::int32_t>(index));
    }
}

void note_read(ObjectRef& r, std::int64_t first) noexcept {
    r.count_op();
    if (scope::full_events()) scope::record(Op::Read, r.serial(), static_cast<std::int32_t>(first));
}

// Copies the elements of a slice out of shared memory into `out`, under the lock.
void read_range(const SharedCData& o, const SliceRange& range, unsigned char* out) {
    ObjectRef& r = CDataAccess::ref(o);
    const CType& type = CDataAccess::type(o);
    const std::size_t itemsize = type.size();
    const unsigned char* data = CDataAccess::data(o);
    under_lock(CDataAccess::lock(o), [&]() noexcept {
        for (std::size_t k = 0; k < range.count; ++k) {
            const auto index =
                static_cast<std::size_t>(range.start + static_cast<std::int64_t>(k) * range.step);
            load_element(type, data + index * itemsize, out + k * itemsize);
        }
    });
    note_read(r, range.start);
}

// Copies `count` converted elements from `in` into a slice of shared memory, under the lock.
void write_range(const SharedCData& o, const SliceRange& range, std::size_t count, const unsigned char* in) {
    ObjectRef& r = CDataAccess::ref(o);
    scope::gate(Op::Write, r.serial());
    const CType& type = CDataAccess::type(o);
    const std::size_t itemsize = type.size();
    unsigned char* data = CDataAccess::data(o);
    under_lock(CDataAccess::lock(o), [&]() noexcept {
        for (std::size_t k = 0; k < count; ++k) {
            const auto index =
                static_cast<std::size_t>(range.start + static_cast<std::int64_t>(k) * range.step);
            store_element(type, in + k * itemsize, data + index * itemsize);
        }
    });
    note_writes(r, range.start, range.step, count);
}

// Stores one scalar of `size` bytes at `target` (element `index`, or a field of it) under the lock, observed
// as a write of that element.
void write_one_scalar(ObjectRef& r, const std::optional<AnyLock>& lock, std::size_t index,
                      unsigned char* target, std::size_t size, const unsigned char* in) {
    scope::gate(Op::Write, r.serial());
    under_lock(lock, [&]() noexcept { store_scalar(size, in, target); });
    note_writes(r, static_cast<std::int64_t>(index), 1, 1);
}

SliceRange one(std::size_t index) noexcept {
    return {static_cast<std::int64_t>(index), 1, 1};
}
SliceRange first_n(std::size_t n) noexcept {
    return {0, 1, n};
}

std::vector<unsigned char> read_all(const SharedCData& o) {
    std::vector<unsigned char> bytes(CDataAccess::length(o) * CDataAccess::type(o).size());
    read_range(o, first_n(CDataAccess::length(o)), bytes.data());
    return bytes;
}

// ---- creation ------------------------------------------------------------------------------------------

// A heap block of the arena, returned unless ownership passes to an object row.
class HeapBlock {
public:
    HeapBlock(Segment& segment, std::size_t bytes, const std::string& what)
        : segment_(&segment)
        , offset_(segment.allocate(std::max<std::size_t>(bytes, 1), what)) {}
    ~HeapBlock() { segment_->deallocate(offset_); }
    HeapBlock(const HeapBlock&) = delete;
    HeapBlock& operator=(const HeapBlock&) = delete;
    std::uint64_t offset() const noexcept { return offset_; }
    std::uint64_t release() noexcept { return std::exchange(offset_, 0); }

private:
    Segment* segment_;
    std::uint64_t offset_;
};

AnyLock new_rlock(const Context* ctx) {
    return ctx ? AnyLock(RLock(*ctx)) : AnyLock(RLock());
}

// Value(..., lock=x) / Array(..., lock=x): nullopt for a raw object.
std::optional<AnyLock> lock_for_new_object(const LockOption& option, const Context* ctx) {
    if (const auto& given = CDataAccess::given_lock(option)) return *given;
    const Object& o = CDataAccess::lock_object(option);
    if (o.is_bool() && !o.as_bool()) return std::nullopt; // `lock is False`
    if (o.is_none() || o == Object(true)) return new_rlock(ctx);
    throw AttributeError(o.repr() + " has no method 'acquire'");
}

// synchronized(obj, lock): Python's `lock or RLock()`.
AnyLock lock_for_wrapper(const LockOption& option) {
    if (const auto& given = CDataAccess::given_lock(option)) return *given;
    const Object& o = CDataAccess::lock_object(option);
    if (!o.truthy()) return new_rlock(nullptr);
    throw AttributeError("'" + o.type_name() + "' object has no attribute 'acquire'");
}

// The row remembers (and keeps alive) the first lock that wraps it, for the inspector.
void attach_lock(ObjectRef& r, const AnyLock& lock) noexcept {
    auto& a = r.slot().state.array;
    ObjectRef& l = SharedObjectAccess::ref(lock);
    std::uint32_t none = 0;
    if (a.lock_index.compare_exchange_strong(none, l.index(), std::memory_order_relaxed)) {
        a.lock_serial.store(l.serial(), std::memory_order_relaxed);
        scope::add_reference(l.segment(), l.index());
    }
}

std::string describe(ObjectKind kind, const CType& type, std::size_t length) {
    if (kind == ObjectKind::Value) return "a shared Value of " + type.name();
    return "a shared Array of " + std::to_string(length) + " " + type.name();
}

// A new row for `length` elements of `type`, holding `init` (length * itemsize bytes) or zeros.
CDataParts create(ObjectKind kind, const CType& type, std::size_t length, const unsigned char* init,
                  std::optional<AnyLock> lock) {
    if (length > std::numeric_limits<std::uint32_t>::max())
        throw MemoryError("the session arena holds arrays of at most 4294967295 elements");
    Segment& segment = scope::ensure_session();
    const std::size_t bytes = length * type.size();
    HeapBlock data(segment, bytes, describe(kind, type, length));
    auto* p = static_cast<unsigned char*>(segment.at(data.offset()));
    if (init) std::memcpy(p, init, bytes);
    std::optional<HeapBlock> layout;
    if (const CStructType* st = type.structure()) {
        std::string text = st->layout + '\0' + st->name + '\0';
        layout.emplace(segment, text.size(), "the layout of " + st->name);
        std::memcpy(segment.at(layout->offset()), text.data(), text.size());
    }
    auto ref = scope::create_object(kind, 0, [&](scope::ObjectSlot& slot) {
        auto& a = slot.state.array;
        a.data_offset.store(data.offset(), std::memory_order_relaxed);
        a.layout_offset.store(layout ? layout->offset() : 0, std::memory_order_relaxed);
        a.length.store(static_cast<std::uint32_t>(length), std::memory_order_relaxed);
        a.itemsize.store(static_cast<std::uint32_t>(type.size()), std::memory_order_relaxed);
        a.typecode.store(static_cast<unsigned char>(type.typecode()), std::memory_order_relaxed);
    });
    data.release();
    if (layout) layout->release();
    if (lock) attach_lock(*ref, *lock);
    return {std::move(ref), type, length, p, std::move(lock)};
}

CDataParts make_value(const Context* ctx, const CType& type, const std::optional<Object>& init,
                      const LockOption& lock) {
    check_usable(type);
    std::vector<unsigned char> bytes(type.size(), 0);
    if (init) element_from_object(type, *init, bytes.data(), From::Args);
    auto chosen = lock_for_new_object(lock, ctx);
    return create(ObjectKind::Value, type, 1, bytes.data(), std::move(chosen));
}

CDataParts make_array(const Context* ctx, const CType& type, const Object& size_or_initializer,
                      const LockOption& lock) {
    check_usable(type);
    const Object& v = size_or_initializer;
    const std::size_t itemsize = type.size();
    std::size_t length;
    std::vector<unsigned char> bytes;
    if (v.is_int() || v.is_bool()) {
        if (v.is_big_int()) throw OverflowError("cannot fit 'int' into an index-sized integer");
        const std::int64_t n = v.as_int();
        if (n < 0) throw ValueError("Array length must be >= 0, not " + std::to_string(n));
        if (static_cast<std::uint64_t>(n) > static_cast<std::uint64_t>(INT64_MAX) / itemsize)
            throw OverflowError("array too large");
        length = static_cast<std::size_t>(n);
    } else {
        const std::vector<Object> items = items_of(v);
        length = items.size();
        bytes.assign(length * itemsize, 0);
        for (std::size_t i = 0; i < length; ++i)
            element_from_object(type, items[i], bytes.data() + i * itemsize, From::Item);
    }
    auto chosen = lock_for_new_object(lock, ctx);
    return create(ObjectKind::Array, type, length, bytes.empty() ? nullptr : bytes.data(), std::move(chosen));
}

CDataParts copy_of(const SharedCData& o, ObjectKind kind) {
    if (o.is_synchronized()) throw TypeError("this type has no size");
    const std::vector<unsigned char> bytes = read_all(o);
    return create(kind, o.type(), CDataAccess::length(o), bytes.data(), std::nullopt);
}

// ---- handles -------------------------------------------------------------------------------------------

// A handle is the row's (index, serial, flags) followed by its lock's (index, serial, flags, 1 Lock |
// 2 RLock), zeros for a raw object.
Handle handle_of(const SharedCData& o, std::string_view kind) {
    Handle h = CDataAccess::ref(o).to_handle(kind);
    if (const auto& lock = CDataAccess::lock(o)) {
        const Handle l = lock->to_handle(); // pins the lock as the handle pins the object
        h.ints.insert(h.ints.end(), l.ints.begin(), l.ints.begin() + 3);
        h.ints.push_back(lock->is_rlock() ? 2 : 1);
    } else {
        h.ints.insert(h.ints.end(), {0, 0, 0, 0});
    }
    return h;
}

std::optional<Handle> lock_handle_in(const Handle& h) {
    if (h.ints.size() < 7 || h.ints[3] == 0) return std::nullopt;
    return Handle{h.ints[6] == 2 ? "RLock" : "Lock", h.name, {h.ints[3], h.ints[4], h.ints[5]}, {}};
}

CDataParts attach(const Handle& h, ObjectKind kind, std::string_view label) {
    auto ref = scope::object_from_handle(h, kind, label);
    auto& a = ref->slot().state.array;
    const auto code = static_cast<char>(a.typecode.load(std::memory_order_relaxed));
    const std::size_t itemsize = a.itemsize.load(std::memory_order_relaxed);
    const CType type =
        code == 'T' ? CType(*struct_from_arena(ref->segment(),
                                               a.layout_offset.load(std::memory_order_relaxed), itemsize))
                    : CType(code);
    const std::size_t length = a.length.load(std::memory_order_relaxed);
    auto* data =
        static_cast<unsigned char*>(ref->segment().at(a.data_offset.load(std::memory_order_relaxed)));
    std::optional<AnyLock> lock;
    if (auto lh = lock_handle_in(h)) lock = AnyLock::from_handle(*lh);
    return {std::move(ref), type, length, data, std::move(lock)};
}

// A Value or Array whose lock was made in a fork context refuses spawn and forkserver children, as the
// lock itself does (Python's SemLock RuntimeError); raw memory goes anywhere.
void check_handle(const Handle& h, std::string_view method) {
    if (auto lh = lock_handle_in(h)) sync::check_fork_context(*lh, method);
}

// Frees what a row owns once the last reference anywhere in the session is gone.
void free_cdata(Segment& segment, scope::ObjectSlot& slot) noexcept {
    auto& a = slot.state.array;
    segment.deallocate(a.data_offset.exchange(0, std::memory_order_relaxed));
    segment.deallocate(a.layout_offset.exchange(0, std::memory_order_relaxed));
    if (const std::uint32_t lock = a.lock_index.exchange(0, std::memory_order_relaxed))
        scope::drop_reference(segment, lock);
}

const bool registered = [] {
    scope::register_finalizer(ObjectKind::Value, free_cdata);
    scope::register_finalizer(ObjectKind::Array, free_cdata);
    register_handle_check("Value", check_handle);
    register_handle_check("Array", check_handle);
    return true;
}();

std::string address_of(const void* p) {
    char text[32];
    std::snprintf(text, sizeof text, "%p", p);
    return text;
}

} // namespace

void throw_no_size() {
    throw TypeError("this type has no size");
}

const CStructType* register_ctypes_struct(std::string_view name, std::string_view field_names,
                                          const std::vector<std::pair<std::size_t, char>>& fields,
                                          std::size_t size) {
    CStructType type;
    type.name = std::string(name);
    type.size = size;
    for (std::size_t i = 0; i < fields.size(); ++i) {
        const std::size_t comma = field_names.find(',');
        type.fields.push_back({std::string(trimmed(field_names.substr(0, comma))), 0, fields[i].second});
        field_names = comma == std::string_view::npos ? std::string_view{} : field_names.substr(comma + 1);
    }
    bool natural = natural_layout(type.fields) == size;
    for (std::size_t i = 0; i < fields.size(); ++i)
        natural = natural && type.fields[i].offset == fields[i].first;
    if (!natural)
        type.problem = "MP_CTYPES_STRUCT(" + type.name + ", ...) does not describe " + type.name +
                       ": list every member in declaration order (a shared struct is laid out as in C, "
                       "each field at its natural alignment)";
    type.layout = layout_of(type.fields);
    return remember_struct(std::move(type));
}

} // namespace detail

using detail::CDataAccess;
using detail::SliceRange;
namespace sc = detail::scope;

// ---- CType ---------------------------------------------------------------------------------------------

CType::CType(std::string_view typecode)
    : code_(typecode.size() == 1 ? typecode[0] : '\0') {
    if (!detail::valid_typecode(code_)) detail::throw_no_size();
}

std::size_t CType::size() const noexcept {
    return struct_ ? struct_->size : detail::scope::typecode_size(code_);
}

std::string CType::name() const {
    if (struct_) return struct_->name;
    switch (code_) {
    case 'c':
        return "c_char";
    case 'u':
        return "c_wchar";
    case 'b':
        return "c_byte";
    case 'B':
        return "c_ubyte";
    case 'h':
        return "c_short";
    case 'H':
        return "c_ushort";
    case 'i':
        return "c_int";
    case 'I':
        return "c_uint";
    case 'l':
    case 'q':
        return "c_long";
    case 'L':
    case 'Q':
        return "c_ulong";
    case 'f':
        return "c_float";
    default:
        return "c_double";
    }
}

bool CType::same_struct(const CType& other) const noexcept {
    if (!struct_ || !other.struct_) return false;
    return struct_ == other.struct_ ||
           (struct_->name == other.struct_->name && struct_->layout == other.struct_->layout &&
            struct_->size == other.struct_->size);
}

// ---- AnyLock -------------------------------------------------------------------------------------------

AnyLock::AnyLock(const Lock& lock)
    : SharedObject(detail::SharedObjectAccess::pointer(lock))
    , lock_(lock) {}
AnyLock::AnyLock(const RLock& lock)
    : SharedObject(detail::SharedObjectAccess::pointer(lock))
    , lock_(lock) {}

bool AnyLock::acquire(bool block, std::optional<double> timeout) const {
    return std::visit([&](auto& l) { return l.acquire(block, timeout); }, lock_);
}
// acquire(bool) and release() are in synchronize.cpp, beside the inline paths they take.
bool AnyLock::locked() const {
    return std::visit([](const auto& l) { return l.locked(); }, lock_);
}
Lock AnyLock::as_lock() const {
    if (is_rlock()) throw TypeError("the lock is an RLock, not a Lock");
    return std::get<Lock>(lock_);
}
RLock AnyLock::as_rlock() const {
    if (!is_rlock()) throw TypeError("the lock is a Lock, not an RLock");
    return std::get<RLock>(lock_);
}
std::string AnyLock::repr() const {
    return std::visit([](const auto& l) { return l.repr(); }, lock_);
}
Handle AnyLock::to_handle() const {
    return std::visit([](const auto& l) { return l.to_handle(); }, lock_);
}
AnyLock AnyLock::from_handle(const Handle& handle) {
    if (handle.kind == "Lock") return AnyLock(Lock::from_handle(handle));
    if (handle.kind == "RLock") return AnyLock(RLock::from_handle(handle));
    throw TypeError("expected a Lock or RLock handle, not a " + handle.kind + " handle");
}

// ---- LockOption ----------------------------------------------------------------------------------------

LockOption::LockOption(const Lock& lock)
    : lock_(AnyLock(lock)) {}
LockOption::LockOption(const RLock& lock)
    : lock_(AnyLock(lock)) {}
LockOption::LockOption(const AnyLock& lock)
    : lock_(lock) {}
LockOption::LockOption(const Object& object) {
    if (object.is_handle() && (object.as_handle().kind == "Lock" || object.as_handle().kind == "RLock"))
        lock_ = AnyLock::from_handle(object.as_handle());
    else
        object_ = object;
}

// ---- SharedCData ---------------------------------------------------------------------------------------

SharedCData::SharedCData(detail::CDataParts&& parts)
    : SharedObject(std::move(parts.ref))
    , type_(parts.type)
    , length_(parts.length)
    , data_(parts.data)
    , lock_(std::move(parts.lock)) {}

std::string SharedCData::type_name() const {
    const bool array = ref().kind() == sc::ObjectKind::Array;
    if (!lock_) return array ? type_.name() + "_Array_" + std::to_string(length_) : type_.name();
    if (array) return type_.typecode() == 'c' ? "SynchronizedString" : "SynchronizedArray";
    return type_.is_struct() ? "Synchronized" + type_.name() : "Synchronized";
}

void SharedCData::throw_no_attribute(std::string_view attribute) const {
    throw AttributeError("'" + type_name() + "' object has no attribute '" + std::string(attribute) + "'");
}

bool SharedCData::acquire(bool block, std::optional<double> timeout) const {
    if (!lock_) throw_no_attribute("acquire");
    return lock_->acquire(block, timeout);
}
bool SharedCData::acquire(bool block) const {
    if (!lock_) throw_no_attribute("acquire");
    return lock_->acquire(block);
}

void SharedCData::release() const {
    if (!lock_) throw_no_attribute("release");
    lock_->release();
}

std::size_t SharedCData::checked_index(std::int64_t index) const {
    const auto n = static_cast<std::int64_t>(length_);
    if (index < 0) index += n;
    if (index < 0 || index >= n) throw IndexError("invalid index");
    return static_cast<std::size_t>(index);
}

void SharedCData::read_elements(std::size_t first, std::size_t count, void* bytes) const {
    detail::read_range(*this, {static_cast<std::int64_t>(first), 1, count},
                       static_cast<unsigned char*>(bytes));
}

void SharedCData::write_element(std::size_t index, const void* bytes) const {
    detail::write_range(*this, detail::one(index), 1, static_cast<const unsigned char*>(bytes));
}

void SharedCData::read_scalar(std::size_t index, std::size_t size, void* bytes) const {
    sc::ObjectRef& r = ref();
    const unsigned char* source = data_ + index * size;
    detail::under_lock(
        lock_, [&]() noexcept { detail::load_scalar(size, source, static_cast<unsigned char*>(bytes)); });
    detail::note_read(r, static_cast<std::int64_t>(index));
}

void SharedCData::write_scalar(std::size_t index, std::size_t size, const void* bytes) const {
    detail::write_one_scalar(ref(), lock_, index, data_ + index * size, size,
                             static_cast<const unsigned char*>(bytes));
}

// ---- Value ---------------------------------------------------------------------------------------------

Value::Value(detail::CDataParts&& parts)
    : SharedCData(std::move(parts)) {}

Value::Value(CType type, std::optional<Object> init, LockOption lock)
    : SharedCData(detail::make_value(nullptr, type, init, lock)) {}

Value::Value(const Context& ctx, CType type, std::optional<Object> init, LockOption lock)
    : SharedCData(detail::make_value(&ctx, type, init, lock)) {}

Object Value::value() const {
    std::vector<unsigned char> bytes(type().size());
    read_elements(0, 1, bytes.data());
    return detail::element_object(type(), bytes.data());
}

void Value::set_value(const Object& value) {
    ref(); // a moved-from object fails before converting
    std::vector<unsigned char> bytes(type().size(), 0);
    detail::element_from_object(type(), value, bytes.data(), detail::From::Args);
    write_element(0, bytes.data());
}

namespace {
const detail::CField* field_named(const CType& type, std::string_view name) {
    if (const detail::CStructType* st = type.structure())
        for (const detail::CField& f : st->fields)
            if (f.name == name) return &f;
    return nullptr;
}
} // namespace

Object Value::field(std::string_view name) const {
    const detail::CField* f = field_named(type(), name);
    if (!f) throw_no_attribute(name);
    std::vector<unsigned char> bytes(type().size());
    read_elements(0, 1, bytes.data());
    return detail::load_object(f->typecode, bytes.data() + f->offset);
}

void Value::set_field(std::string_view name, const Object& value) {
    const detail::CField* f = field_named(type(), name);
    if (!f) throw_no_attribute(name);
    unsigned char bytes[8] = {};
    detail::store_object(f->typecode, value, bytes);
    detail::write_one_scalar(ref(), CDataAccess::lock(*this), 0, CDataAccess::data(*this) + f->offset,
                             detail::scope::typecode_size(f->typecode), bytes);
}

Value Value::get_obj() const {
    if (!is_synchronized()) throw_no_attribute("get_obj");
    return Value(CDataAccess::parts(*this, std::nullopt));
}

std::string Value::repr() const {
    ref();
    // Like Python's repr, a plain look at the memory: neither locked nor counted as an access.
    std::vector<unsigned char> bytes(type().size());
    detail::load_element(type(), CDataAccess::data(*this), bytes.data());
    const std::string object =
        type().is_struct()
            ? "<" + type().name() + " object at " + detail::address_of(CDataAccess::data(*this)) + ">"
            : type().name() + "(" + detail::element_object(type(), bytes.data()).repr() + ")";
    if (!is_synchronized()) return object;
    return "<" + type_name() + " wrapper for " + object + ">";
}

Handle Value::to_handle() const {
    return detail::handle_of(*this, "Value");
}

Value Value::from_handle(const Handle& handle) {
    return Value(detail::attach(handle, sc::ObjectKind::Value, "Value"));
}

Value RawValue(CType type, std::optional<Object> init) {
    return Value(type, std::move(init), false);
}

Value synchronized(const Value& object, LockOption lock) {
    if (object.is_synchronized()) throw AssertionError("object already synchronized");
    AnyLock chosen = detail::lock_for_wrapper(lock);
    detail::attach_lock(CDataAccess::ref(object), chosen);
    return CDataAccess::make<Value>(CDataAccess::parts(object, std::move(chosen)));
}

Value copy(const Value& object) {
    return CDataAccess::make<Value>(detail::copy_of(object, sc::ObjectKind::Value));
}

// ---- Array ---------------------------------------------------------------------------------------------

Array::Array(detail::CDataParts&& parts)
    : SharedCData(std::move(parts)) {}

Array::Array(CType type, const Object& size_or_initializer, LockOption lock)
    : SharedCData(detail::make_array(nullptr, type, size_or_initializer, lock)) {}

Array::Array(CType type, std::initializer_list<Object> init, LockOption lock)
    : SharedCData(detail::make_array(nullptr, type, Object::list(std::vector<Object>(init)), lock)) {}

Array::Array(const Context& ctx, CType type, const Object& size_or_initializer, LockOption lock)
    : SharedCData(detail::make_array(&ctx, type, size_or_initializer, lock)) {}

Array::Array(const Context& ctx, CType type, std::initializer_list<Object> init, LockOption lock)
    : SharedCData(detail::make_array(&ctx, type, Object::list(std::vector<Object>(init)), lock)) {}

Object Array::item(std::int64_t index) const {
    const std::size_t i = checked_index(index);
    std::vector<unsigned char> bytes(type().size());
    read_elements(i, 1, bytes.data());
    return detail::element_object(type(), bytes.data());
}

void Array::set_item(std::int64_t index, const Object& value) {
    const std::size_t i = checked_index(index);
    std::vector<unsigned char> bytes(type().size(), 0);
    detail::element_from_object(type(), value, bytes.data(), detail::From::Item);
    write_element(i, bytes.data());
}

namespace {

// A slice's elements as Python shows them: bytes for c_char, str for c_wchar, a list otherwise.
Object elements_object(const CType& type, const unsigned char* bytes, std::size_t count) {
    if (type.typecode() == 'c')
        return Object::bytes(std::string(reinterpret_cast<const char*>(bytes), count));
    if (type.typecode() == 'u') {
        std::string text;
        for (std::size_t k = 0; k < count; ++k)
            detail::append_utf8(text, detail::checked_wchar(detail::read_local<char32_t>(bytes + 4 * k)));
        return Object(std::move(text));
    }
    std::vector<Object> items;
    items.reserve(count);
    for (std::size_t k = 0; k < count; ++k)
        items.push_back(detail::element_object(type, bytes + k * type.size()));
    return Object::list(std::move(items));
}

} // namespace

Object Array::slice(Slice s) const {
    const SliceRange range = detail::slice_range(s, size());
    std::vector<unsigned char> bytes(range.count * type().size());
    detail::read_range(*this, range, bytes.data());
    return elements_object(type(), bytes.data(), range.count);
}

void Array::set_slice(Slice s, const Object& values) {
    ref();
    const SliceRange range = detail::slice_range(s, size());
    if (!detail::is_sequence(values) || values.size() != range.count)
        throw ValueError("Can only assign sequence of same size");
    const std::vector<Object> items = detail::items_of(values);
    const std::size_t itemsize = type().size();
    std::vector<unsigned char> bytes(range.count * itemsize, 0);
    // ctypes assigns item by item: the items before a bad one are written when the error surfaces.
    std::size_t converted = 0;
    try {
        for (; converted < range.count; ++converted)
            detail::element_from_object(type(), items[converted], bytes.data() + converted * itemsize,
                                        detail::From::Item);
    } catch (...) {
        if (converted) detail::write_range(*this, range, converted, bytes.data());
        throw;
    }
    if (range.count) detail::write_range(*this, range, range.count, bytes.data());
}

Object Array::value() const {
    const char code = type().typecode();
    if (code != 'c' && (code != 'u' || is_synchronized())) throw_no_attribute("value");
    const std::vector<unsigned char> bytes = detail::read_all(*this);
    if (code == 'c') {
        const auto* text = reinterpret_cast<const char*>(bytes.data());
        return Object::bytes(std::string(text, strnlen(text, bytes.size())));
    }
    std::size_t count = 0;
    while (count < size() && detail::read_local<char32_t>(bytes.data() + 4 * count) != 0)
        ++count;
    return elements_object(type(), bytes.data(), count);
}

void Array::set_value(const Object& value) {
    const char code = type().typecode();
    if (code != 'c' && (code != 'u' || is_synchronized())) throw_no_attribute("value");
    std::vector<unsigned char> bytes;
    std::size_t count;
    if (code == 'c') {
        if (!value.is_bytes())
            throw TypeError("bytes expected instead of " + value.type_name() + " instance");
        const std::string& data = value.as_bytes();
        if (data.size() > size()) throw ValueError("byte string too long");
        bytes.assign(data.begin(), data.end());
        count = data.size();
    } else {
        if (!value.is_str())
            throw TypeError("unicode string expected instead of " + value.type_name() + " instance");
        const auto cps = detail::code_points(value.as_str());
        if (cps.size() > size()) throw ValueError("string too long");
        bytes.resize(cps.size() * 4);
        for (std::size_t k = 0; k < cps.size(); ++k)
            detail::write_local(bytes.data() + 4 * k, cps[k]);
        count = cps.size();
    }
    // A NUL ends the value when there is room for one; exactly len(a) characters leave none.
    if (count < size()) {
        bytes.resize(bytes.size() + type().size(), 0);
        ++count;
    }
    detail::write_range(*this, detail::first_n(count), count, bytes.data());
}

Object Array::raw() const {
    if (type().typecode() != 'c') throw_no_attribute("raw");
    const std::vector<unsigned char> bytes = detail::read_all(*this);
    return Object::bytes(std::string(bytes.begin(), bytes.end()));
}

void Array::set_raw(const Object& value) {
    if (type().typecode() != 'c') throw_no_attribute("raw");
    if (!value.is_bytes() && !value.is_bytearray())
        throw TypeError("a bytes-like object is required, not '" + value.type_name() + "'");
    const std::string& data = value.as_bytes();
    if (data.size() > size()) throw ValueError("byte string too long");
    detail::write_range(*this, detail::first_n(data.size()), data.size(),
                        reinterpret_cast<const unsigned char*>(data.data()));
}

Array Array::get_obj() const {
    if (!is_synchronized()) throw_no_attribute("get_obj");
    return Array(CDataAccess::parts(*this, std::nullopt));
}

std::string Array::repr() const {
    ref();
    const std::string object = "<multiprocessing.sharedctypes." + type().name() + "_Array_" +
                               std::to_string(size()) + " object at " +
                               detail::address_of(CDataAccess::data(*this)) + ">";
    if (!is_synchronized()) return object;
    return "<" + type_name() + " wrapper for " + object + ">";
}

Handle Array::to_handle() const {
    return detail::handle_of(*this, "Array");
}

Array Array::from_handle(const Handle& handle) {
    return Array(detail::attach(handle, sc::ObjectKind::Array, "Array"));
}

Array RawArray(CType type, const Object& size_or_initializer) {
    return Array(type, size_or_initializer, false);
}

Array RawArray(CType type, std::initializer_list<Object> init) {
    return Array(type, init, false);
}

Array synchronized(const Array& object, LockOption lock) {
    if (object.is_synchronized()) throw AssertionError("object already synchronized");
    AnyLock chosen = detail::lock_for_wrapper(lock);
    detail::attach_lock(CDataAccess::ref(object), chosen);
    return CDataAccess::make<Array>(CDataAccess::parts(object, std::move(chosen)));
}

Array copy(const Array& object) {
    return CDataAccess::make<Array>(detail::copy_of(object, sc::ObjectKind::Array));
}

// ---- context members -----------------------------------------------------------------------------------

Value Context::Value(CType type) const {
    return mp::Value(*this, type);
}
Value Context::Value(CType type, Object init) const {
    return mp::Value(*this, type, std::move(init));
}
Value Context::Value(CType type, Object init, LockOption lock) const {
    return mp::Value(*this, type, std::move(init), std::move(lock));
}
Array Context::Array(CType type, const Object& size_or_initializer) const {
    return mp::Array(*this, type, size_or_initializer);
}
Array Context::Array(CType type, const Object& size_or_initializer, LockOption lock) const {
    return mp::Array(*this, type, size_or_initializer, std::move(lock));
}
Array Context::Array(CType type, std::initializer_list<Object> init) const {
    return mp::Array(*this, type, init);
}
Array Context::Array(CType type, std::initializer_list<Object> init, LockOption lock) const {
    return mp::Array(*this, type, init, std::move(lock));
}
Value Context::RawValue(CType type) const {
    return mp::RawValue(type);
}
Value Context::RawValue(CType type, Object init) const {
    return mp::RawValue(type, std::move(init));
}
Array Context::RawArray(CType type, const Object& size_or_initializer) const {
    return mp::RawArray(type, size_or_initializer);
}

} // namespace mp
