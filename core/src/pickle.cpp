// Protocol 4 writer mirroring CPython's C pickler, and a reader for protocols 2-5 that builds values
// only (no code runs) and survives any input with an UnpicklingError.
#include "mp/pickle.hpp"

#include "pickle_internal.hpp"
#include "unicode.hpp"

#include <algorithm>
#include <cstring>
#include <memory>
#include <optional>
#include <span>
#include <unordered_map>
#include <unordered_set>

namespace mp::pickle {
namespace {

namespace op {
constexpr unsigned char MARK = '(';
constexpr unsigned char STOP = '.';
constexpr unsigned char POP = '0';
constexpr unsigned char POP_MARK = '1';
constexpr unsigned char BININT = 'J';
constexpr unsigned char BININT1 = 'K';
constexpr unsigned char BININT2 = 'M';
constexpr unsigned char NONE = 'N';
constexpr unsigned char REDUCE = 'R';
constexpr unsigned char BINUNICODE = 'X';
constexpr unsigned char APPEND = 'a';
constexpr unsigned char BUILD = 'b';
constexpr unsigned char GLOBAL = 'c';
constexpr unsigned char EMPTY_DICT = '}';
constexpr unsigned char APPENDS = 'e';
constexpr unsigned char BINGET = 'h';
constexpr unsigned char LONG_BINGET = 'j';
constexpr unsigned char EMPTY_LIST = ']';
constexpr unsigned char BINPUT = 'q';
constexpr unsigned char LONG_BINPUT = 'r';
constexpr unsigned char SETITEM = 's';
constexpr unsigned char TUPLE = 't';
constexpr unsigned char EMPTY_TUPLE = ')';
constexpr unsigned char SETITEMS = 'u';
constexpr unsigned char BINFLOAT = 'G';
constexpr unsigned char PROTO = 0x80;
constexpr unsigned char NEWOBJ = 0x81;
constexpr unsigned char TUPLE1 = 0x85;
constexpr unsigned char TUPLE2 = 0x86;
constexpr unsigned char TUPLE3 = 0x87;
constexpr unsigned char NEWTRUE = 0x88;
constexpr unsigned char NEWFALSE = 0x89;
constexpr unsigned char LONG1 = 0x8a;
constexpr unsigned char LONG4 = 0x8b;
constexpr unsigned char BINBYTES = 'B';
constexpr unsigned char SHORT_BINBYTES = 'C';
constexpr unsigned char SHORT_BINUNICODE = 0x8c;
constexpr unsigned char BINUNICODE8 = 0x8d;
constexpr unsigned char BINBYTES8 = 0x8e;
constexpr unsigned char EMPTY_SET = 0x8f;
constexpr unsigned char ADDITEMS = 0x90;
constexpr unsigned char FROZENSET = 0x91;
constexpr unsigned char STACK_GLOBAL = 0x93;
constexpr unsigned char MEMOIZE = 0x94;
constexpr unsigned char FRAME = 0x95;
constexpr unsigned char BYTEARRAY8 = 0x96;
} // namespace op

constexpr std::size_t frame_header_size = 9; // FRAME + u64 length
constexpr std::size_t frame_size_min = 4;    // smaller frames are not worth their header
constexpr std::size_t frame_size_target = 64 * 1024;
constexpr std::size_t batch_size = 1000; // items per APPENDS / SETITEMS / ADDITEMS

// Python's exception types that do not live in builtins, by the name ExceptionValue carries.
struct ExceptionModule {
    std::string_view type;
    std::string_view module;
};
constexpr ExceptionModule exception_modules[] = {
    {"Empty", "_queue"},
    {"Full", "queue"},
    {"BrokenBarrierError", "threading"},
    {"ProcessError", "multiprocessing.context"},
    {"TimeoutError", "multiprocessing.context"}, // mp::TimeoutError is multiprocessing's
    {"AuthenticationError", "multiprocessing.context"},
    {"BufferTooShort", "multiprocessing.context"},
    {"RemoteError", "multiprocessing.managers"},
};

std::string_view module_of_exception(std::string_view type) {
    for (const auto& entry : exception_modules)
        if (entry.type == type) return entry.module;
    return "builtins";
}

template <class T> void append_le(std::string& out, T value, std::size_t bytes) {
    for (std::size_t i = 0; i < bytes; ++i)
        out += static_cast<char>(static_cast<std::uint64_t>(value) >> (8 * i));
}

// --------------------------------------------------------------------------------------------------
// Writer

// The bytes written so far. Most writes are an opcode and a few operand bytes, so room is grown ahead
// and bytes are stored in place, without std::string's bookkeeping (and a memmove call) per append.
class Output {
public:
    std::size_t size() const noexcept { return size_; }
    // `n` more bytes at the end, to be filled by the caller.
    char* extend(std::size_t n) {
        char* at = tail(n);
        size_ += n;
        return at;
    }
    // Room for up to `n` more bytes at the end, which the caller fills and then claims with resize().
    char* tail(std::size_t n) {
        if (buffer_.size() - size_ < n) buffer_.resize(std::max(2 * buffer_.size(), size_ + n + 256));
        return buffer_.data() + size_;
    }
    void resize(std::size_t size) noexcept { size_ = size; }
    void append(std::string_view bytes) {
        char* at = extend(bytes.size());
        if (!bytes.empty()) std::memcpy(at, bytes.data(), bytes.size());
    }
    char& operator[](std::size_t i) noexcept { return buffer_[i]; }
    void erase(std::size_t at, std::size_t n) noexcept {
        std::memmove(buffer_.data() + at, buffer_.data() + at + n, size_ - at - n);
        size_ -= n;
    }
    std::string take() {
        buffer_.resize(size_);
        return std::move(buffer_);
    }

private:
    std::string buffer_;
    std::size_t size_ = 0;
};

class Pickler {
public:
    std::string run(const Object& value) {
        begin();
        save(value, 0);
        return end();
    }

    // What run(Object::tuple(func, Object::tuple(args...), kwds)) writes, step for step.
    std::string run_call(std::string_view func, std::span<const Object> args, const Object& kwds) {
        begin();
        object_boundary(); // the outer tuple
        object_boundary();
        save_text(func, str_memo_);
        object_boundary();
        save_tuple(args, 1);
        save(kwds, 1);
        write_op(op::TUPLE3);
        memoize();
        return end();
    }

private:
    void begin() {
        char* head = out_.extend(2);
        head[0] = static_cast<char>(op::PROTO);
        head[1] = static_cast<char>(protocol);
        framing_ = true;
    }
    std::string end() {
        write_op(op::STOP);
        commit_frame();
        return out_.take();
    }

    // Room for `n` bytes; every write goes into the open frame, the first one after a commit opens a new
    // one.
    char* room(std::size_t n) {
        if (framing_ && !frame_open_) {
            frame_start_ = out_.size();
            std::memset(out_.extend(frame_header_size), 0, frame_header_size);
            frame_open_ = true;
        }
        return out_.extend(n);
    }
    void write(std::string_view bytes) {
        char* at = room(bytes.size());
        if (!bytes.empty()) std::memcpy(at, bytes.data(), bytes.size());
    }
    void write_op(unsigned char code) { *room(1) = static_cast<char>(code); }
    void write_op_le(unsigned char code, std::uint64_t value, std::size_t bytes) {
        char* at = room(1 + bytes);
        at[0] = static_cast<char>(code);
        for (std::size_t i = 0; i < bytes; ++i)
            at[1 + i] = static_cast<char>(value >> (8 * i));
    }

    void commit_frame() {
        if (!frame_open_) return;
        frame_open_ = false;
        const std::size_t length = out_.size() - frame_start_ - frame_header_size;
        if (length >= frame_size_min) {
            out_[frame_start_] = static_cast<char>(op::FRAME);
            for (std::size_t i = 0; i < 8; ++i)
                out_[frame_start_ + 1 + i] = static_cast<char>(static_cast<std::uint64_t>(length) >> (8 * i));
        } else {
            out_.erase(frame_start_, frame_header_size);
        }
    }

    // CPython checks the frame size when it starts saving each object and cuts the frame once it holds
    // at least 64 KiB.
    void object_boundary() {
        if (frame_open_ && out_.size() - frame_start_ - frame_header_size >= frame_size_target)
            commit_frame();
    }

    // Large str/bytes payloads bypass framing: the current frame is committed and header plus data are
    // written unframed.
    void write_payload(std::string_view header, std::string_view data) {
        if (data.size() >= frame_size_target) {
            commit_frame();
            out_.append(header);
            out_.append(data);
        } else {
            write(header);
            write(data);
        }
    }

    void memoize() {
        write_op(op::MEMOIZE);
        ++memo_count_;
    }
    void write_get(std::uint32_t index) {
        if (index < 256) {
            write_op_le(op::BINGET, index, 1);
        } else {
            write_op_le(op::LONG_BINGET, index, 4);
        }
    }

    // Keys view text inside the value being dumped (or static names), which outlives the Pickler.
    using TextMemo = std::unordered_map<std::string_view, std::uint32_t>;

    void save_text(std::string_view text, TextMemo& memo) {
        if (auto it = memo.find(text); it != memo.end()) {
            write_get(it->second);
            return;
        }
        if (!detail::is_valid_utf8(text))
            throw PicklingError("str is not valid UTF-8: " + Object(text).repr());
        std::string header;
        if (text.size() <= 0xFF) {
            header += static_cast<char>(op::SHORT_BINUNICODE);
            append_le(header, text.size(), 1);
        } else if (text.size() <= 0xFFFFFFFFULL) {
            header += static_cast<char>(op::BINUNICODE);
            append_le(header, text.size(), 4);
        } else {
            header += static_cast<char>(op::BINUNICODE8);
            append_le(header, text.size(), 8);
        }
        write_payload(header, text);
        memo.emplace(text, memo_count_);
        memoize();
    }

    void save_bytes_payload(std::string_view data) {
        std::string header;
        if (data.size() <= 0xFF) {
            header += static_cast<char>(op::SHORT_BINBYTES);
            append_le(header, data.size(), 1);
        } else if (data.size() <= 0xFFFFFFFFULL) {
            header += static_cast<char>(op::BINBYTES);
            append_le(header, data.size(), 4);
        } else {
            header += static_cast<char>(op::BINBYTES8);
            append_le(header, data.size(), 8);
        }
        write_payload(header, data);
        memoize();
    }

    void save_bytes(std::string_view data) {
        // Python's b'' is a single shared object; other bytes objects are distinct in practice.
        if (data.empty()) {
            if (empty_bytes_memo_) {
                write_get(*empty_bytes_memo_);
                return;
            }
            empty_bytes_memo_ = memo_count_;
        }
        save_bytes_payload(data);
    }

    void save_long(const BigInt& value) {
        const std::string bytes = value.to_twos_complement();
        if (bytes.size() < 256) {
            write_op_le(op::LONG1, bytes.size(), 1);
        } else {
            write_op_le(op::LONG4, bytes.size(), 4);
        }
        write(bytes);
    }

    void save_int(std::int64_t v) {
        const auto u = static_cast<std::uint64_t>(v);
        if (v >= 0 && v <= 0xFF) {
            char* at = room(2);
            at[0] = static_cast<char>(op::BININT1);
            at[1] = static_cast<char>(u);
        } else if (v >= 0 && v <= 0xFFFF) {
            char* at = room(3);
            at[0] = static_cast<char>(op::BININT2);
            at[1] = static_cast<char>(u);
            at[2] = static_cast<char>(u >> 8);
        } else if (v >= INT32_MIN && v <= INT32_MAX) {
            char* at = room(5);
            at[0] = static_cast<char>(op::BININT);
            for (int i = 0; i < 4; ++i)
                at[1 + i] = static_cast<char>(u >> (8 * i));
        } else {
            save_long64(v);
        }
    }

    // An item of a list or tuple. Ints, the bulk of large containers, skip save()'s dispatch.
    void save_item(const Object& item, std::size_t level) {
        if (item.kind() == ObjectKind::Int) {
            object_boundary();
            save_int(item.as_int());
        } else {
            save(item, level);
        }
    }

    // save_long for an int64, without a BigInt: CPython's LONG1 payload, the shortest two's complement.
    void save_long64(std::int64_t v) {
        char buffer[11];
        write(std::string_view(buffer, long1_of(v, buffer)));
    }

    // The LONG1 opcode of a value beyond 32 bits (so that its payload is 8 bytes at most) at `out`, which
    // has room for 11 bytes; its length.
    static std::size_t long1_of(std::int64_t v, char* out) noexcept {
        const std::uint64_t magnitude =
            v < 0 ? ~static_cast<std::uint64_t>(v) + 1 : static_cast<std::uint64_t>(v);
        std::size_t nbytes = static_cast<std::size_t>(64 - __builtin_clzll(magnitude)) / 8 + 1;
        out[0] = static_cast<char>(op::LONG1);
        for (std::size_t i = 0; i < nbytes; ++i)
            out[2 + i] =
                static_cast<char>(i < 8 ? static_cast<std::uint64_t>(v) >> (8 * i) : (v < 0 ? 0xFF : 0));
        // Like CPython, a negative value may not need the extra sign byte (-128 fits one byte).
        if (v < 0 && nbytes > 1 && static_cast<unsigned char>(out[1 + nbytes]) == 0xFF &&
            (static_cast<unsigned char>(out[nbytes]) & 0x80) != 0)
            --nbytes;
        out[1] = static_cast<char>(nbytes);
        return 2 + nbytes;
    }

    void save_float(double v) {
        std::uint64_t bits;
        std::memcpy(&bits, &v, sizeof bits);
        char buffer[9];
        buffer[0] = static_cast<char>(op::BINFLOAT);
        for (int i = 0; i < 8; ++i)
            buffer[1 + i] = static_cast<char>(bits >> (8 * (7 - i)));
        write(std::string_view(buffer, 9));
    }

    // A class reference: STACK_GLOBAL of its module and name, memoized per class.
    void save_global(std::string_view module, std::string_view name) {
        object_boundary();
        std::string key;
        key.reserve(module.size() + name.size() + 1);
        key.append(module).append(1, '\n').append(name);
        if (auto it = global_memo_.find(key); it != global_memo_.end()) {
            write_get(it->second);
            return;
        }
        object_boundary();
        save_text(module, name_memo_);
        object_boundary();
        save_text(name, name_memo_);
        write_op(op::STACK_GLOBAL);
        global_memo_.emplace(std::move(key), memo_count_);
        memoize();
    }

    // Items in MARK ... `many` groups of up to 1000. CPython's dict and set writers loop while the last
    // batch was full, so a multiple of 1000 items ends with an empty MARK/SETITEMS (ADDITEMS) pair.
    template <class Items, class SaveItem>
    void save_batched(const Items& items, std::size_t count, unsigned char single, unsigned char many,
                      bool empty_batch_after_full, SaveItem&& save_item) {
        if (count == 1 && single != 0) {
            save_item(*items.begin());
            write_op(single);
            return;
        }
        auto it = items.begin();
        for (std::size_t done = 0; done < count;) {
            const std::size_t n = std::min(batch_size, count - done);
            write_op(op::MARK);
            for (std::size_t i = 0; i < n; ++i, ++it)
                save_item(*it);
            write_op(many);
            done += n;
        }
        if (empty_batch_after_full && count > 0 && count % batch_size == 0) {
            write_op(op::MARK);
            write_op(many);
        }
    }

    // What save_item() writes for each of the ints (not BigInts) from `it` on, up to `end` or the item at
    // which the open frame is full; the first item not written. One bounds check for the run, not one per
    // item.
    const Object* save_small_ints(const Object* it, const Object* end) {
        if (!frame_open_) return it;
        const std::size_t frame_full = frame_start_ + frame_header_size + frame_size_target;
        const std::size_t start = out_.size();
        char* const base = out_.tail(11 * static_cast<std::size_t>(end - it)); // see long1_of
        char* at = base;
        for (; it != end && it->kind() == ObjectKind::Int; ++it) {
            if (start + static_cast<std::size_t>(at - base) >= frame_full) break; // object_boundary() commits
            const std::int64_t v = it->as_int();
            const auto u = static_cast<std::uint64_t>(v);
            if (v >= 0 && v <= 0xFF) {
                at[0] = static_cast<char>(op::BININT1);
                at[1] = static_cast<char>(u);
                at += 2;
            } else if (v >= 0 && v <= 0xFFFF) {
                at[0] = static_cast<char>(op::BININT2);
                at[1] = static_cast<char>(u);
                at[2] = static_cast<char>(u >> 8);
                at += 3;
            } else if (v >= INT32_MIN && v <= INT32_MAX) {
                at[0] = static_cast<char>(op::BININT);
                for (int i = 0; i < 4; ++i)
                    at[1 + i] = static_cast<char>(u >> (8 * i));
                at += 5;
            } else {
                at += long1_of(v, at);
            }
        }
        out_.resize(start + static_cast<std::size_t>(at - base));
        return it;
    }

    // The items of a list batch or a tuple, after its MARK.
    void save_items(std::span<const Object> items, std::size_t level) {
        const Object* it = items.data();
        const Object* const end = it + items.size();
        while (it != end) {
            it = save_small_ints(it, end);
            if (it != end) save_item(*it++, level);
        }
    }

    void save_tuple(std::span<const Object> items, std::size_t level) {
        check_depth(level);
        if (items.empty()) {
            write_op(op::EMPTY_TUPLE);
            return;
        }
        static constexpr unsigned char small[] = {0, op::TUPLE1, op::TUPLE2, op::TUPLE3};
        if (items.size() <= 3) {
            for (const auto& item : items)
                save_item(item, level + 1);
            write_op(small[items.size()]);
        } else {
            write_op(op::MARK);
            save_items(items, level + 1);
            write_op(op::TUPLE);
        }
        memoize();
    }

    // CPython's batches of APPENDS (a single item: APPEND).
    void save_list_items(std::span<const Object> items, std::size_t level) {
        if (items.size() == 1) {
            save_item(items[0], level);
            write_op(op::APPEND);
            return;
        }
        for (std::size_t done = 0; done < items.size();) {
            const std::size_t n = std::min(batch_size, items.size() - done);
            write_op(op::MARK);
            save_items(items.subspan(done, n), level);
            write_op(op::APPENDS);
            done += n;
        }
    }

    void check_depth(std::size_t level) {
        if (level >= max_depth)
            throw PicklingError("nesting deeper than " + std::to_string(max_depth) + " levels");
    }

    void save(const Object& value, std::size_t level) {
        object_boundary();
        switch (value.kind()) {
        case ObjectKind::None:
            write_op(op::NONE);
            return;
        case ObjectKind::Bool:
            write_op(value.as_bool() ? op::NEWTRUE : op::NEWFALSE);
            return;
        case ObjectKind::Int:
            save_int(value.as_int());
            return;
        case ObjectKind::BigInt:
            save_long(value.as_big_int());
            return;
        case ObjectKind::Float:
            save_float(value.as_float());
            return;
        case ObjectKind::Str:
            save_text(value.as_str(), str_memo_);
            return;
        case ObjectKind::Bytes:
            save_bytes(value.as_bytes());
            return;
        case ObjectKind::ByteArray: {
            // bytearray.__reduce_ex__(4) == (bytearray, (bytes(self),)) with a fresh bytes object.
            save_global("builtins", "bytearray");
            object_boundary();
            const std::string& data = value.as_bytes();
            if (data.empty()) {
                write_op(op::EMPTY_TUPLE);
            } else {
                object_boundary();
                save_bytes_payload(data);
                write_op(op::TUPLE1);
                memoize();
            }
            write_op(op::REDUCE);
            memoize();
            return;
        }
        case ObjectKind::List: {
            check_depth(level);
            write_op(op::EMPTY_LIST);
            memoize();
            save_list_items(value.items(), level + 1);
            return;
        }
        case ObjectKind::Tuple:
            save_tuple(value.items(), level);
            return;
        case ObjectKind::Dict: {
            check_depth(level);
            write_op(op::EMPTY_DICT);
            memoize();
            const Dict& dict = value.as_dict();
            save_batched(dict, dict.size(), op::SETITEM, op::SETITEMS, true,
                         [&](const Dict::value_type& entry) {
                             save(entry.first, level + 1);
                             save(entry.second, level + 1);
                         });
            return;
        }
        case ObjectKind::Set: {
            check_depth(level);
            write_op(op::EMPTY_SET);
            memoize();
            const Set& set = value.as_set();
            save_batched(set, set.size(), 0, op::ADDITEMS, true,
                         [&](const Object& item) { save(item, level + 1); });
            return;
        }
        case ObjectKind::FrozenSet: {
            check_depth(level);
            write_op(op::MARK);
            for (const auto& item : value.as_set())
                save(item, level + 1);
            write_op(op::FROZENSET);
            memoize();
            return;
        }
        case ObjectKind::Handle: {
            const Handle& handle = value.as_handle();
            save_global("mpcore", "handle");
            // Arguments (kind, name, (ints...), (fds...)), written as save() of that tuple would, but with
            // the strings taken from `handle` itself: the str memo refers to text that must outlive dumps().
            // The fixed shape does not count towards nesting.
            object_boundary();
            write_op(op::MARK);
            object_boundary();
            save_text(handle.kind, str_memo_);
            object_boundary();
            save_text(handle.name, str_memo_);
            save(Object::tuple(std::vector<Object>(handle.ints.begin(), handle.ints.end())), 0);
            save(Object::tuple(std::vector<Object>(handle.fds.begin(), handle.fds.end())), 0);
            write_op(op::TUPLE);
            memoize();
            write_op(op::REDUCE);
            memoize();
            return;
        }
        case ObjectKind::Exception: {
            const ExceptionValue& e = value.as_exception();
            save_global(module_of_exception(e.type), e.type);
            object_boundary();
            if (e.message.empty()) {
                write_op(op::EMPTY_TUPLE);
            } else {
                object_boundary();
                save_text(e.message, str_memo_);
                write_op(op::TUPLE1);
                memoize();
            }
            write_op(op::REDUCE);
            memoize();
            if (!e.traceback.empty()) {
                // BaseException.__reduce__ adds the instance __dict__, which pickle restores by BUILD.
                object_boundary();
                write_op(op::EMPTY_DICT);
                memoize();
                object_boundary();
                save_text("traceback", str_memo_);
                object_boundary();
                save_text(e.traceback, str_memo_);
                write_op(op::SETITEM);
                write_op(op::BUILD);
            }
            return;
        }
        }
    }

    Output out_;
    bool framing_ = false;
    bool frame_open_ = false;
    std::size_t frame_start_ = 0;
    std::uint32_t memo_count_ = 0;
    TextMemo str_memo_;
    TextMemo name_memo_; // module and class names, kept apart as CPython's interned names are
    std::optional<std::uint32_t> empty_bytes_memo_;
    std::unordered_map<std::string, std::uint32_t> global_memo_;
};

// --------------------------------------------------------------------------------------------------
// Reader

// What a global resolves to. Globals are never values themselves: they only appear as the callable of
// REDUCE / NEWOBJ.
enum class Global : std::uint8_t { None, Exception, ByteArray, Bytes, Set, FrozenSet, CodecsEncode, Handle };

struct Slot {
    Object value;             // for a global: tuple (module, name)
    std::uint64_t weight = 0; // approximate bytes held, for the expansion budget
    std::uint32_t depth = 0;  // container nesting (leaves 0)
    Global global = Global::None;
    bool fetched_while_live = false;      // a BINGET copied it while it could still change
    std::vector<std::uint64_t> memo_keys; // memo indices that refer to this stack slot
};

struct MemoEntry {
    std::shared_ptr<const Slot> snapshot;                 // set once the object left the stack
    std::size_t live_slot = static_cast<std::size_t>(-1); // stack index while it is still there
};

bool is_identifier(std::string_view name) {
    if (name.empty() || (name[0] >= '0' && name[0] <= '9')) return false;
    return std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    });
}

bool ends_with(std::string_view text, std::string_view suffix) {
    return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

bool is_builtin_exception_name(std::string_view name) {
    static constexpr std::string_view others[] = {"BaseException", "BaseExceptionGroup", "ExceptionGroup",
                                                  "GeneratorExit", "KeyboardInterrupt",  "StopAsyncIteration",
                                                  "StopIteration", "SystemExit"};
    if (!is_identifier(name)) return false;
    if (ends_with(name, "Error") || ends_with(name, "Exception") || ends_with(name, "Warning")) return true;
    if (std::find(std::begin(others), std::end(others), name) != std::end(others)) return true;
    return has_exception_type(name); // user types registered with register_exception_type
}

// Text for error messages: printable ASCII as is, anything else escaped.
std::string printable(std::string_view text) {
    std::string out;
    for (const char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        if (c >= 0x20 && c < 0x7F) {
            out += ch;
        } else {
            static const char hex[] = "0123456789abcdef";
            out += "\\x";
            out += hex[c >> 4];
            out += hex[c & 0xF];
        }
    }
    return out;
}

Global resolve_global(std::string_view module, std::string_view name) {
    const bool builtins = module == "builtins" || module == "__builtin__" || module == "exceptions";
    if (builtins) {
        if (name == "bytearray") return Global::ByteArray;
        if (name == "bytes") return Global::Bytes;
        if (name == "set") return Global::Set;
        if (name == "frozenset") return Global::FrozenSet;
        if (is_builtin_exception_name(name)) return Global::Exception;
    } else if (module == "_codecs" && name == "encode") {
        return Global::CodecsEncode; // protocol 2 writes bytes as _codecs.encode(text, 'latin1')
    } else if (module == "mpcore" && name == "handle") {
        return Global::Handle;
    } else if (module == "queue" && name == "Empty") {
        return Global::Exception;
    } else if (module == "multiprocessing" || module == "multiprocessing.context" ||
               module == "multiprocessing.managers") {
        if (name == "ProcessError" || name == "TimeoutError" || name == "AuthenticationError" ||
            name == "BufferTooShort" || name == "RemoteError")
            return Global::Exception;
    } else {
        for (const auto& entry : exception_modules)
            if (entry.module == module && entry.type == name) return Global::Exception;
    }
    throw UnpicklingError("global '" + printable(module) + "." + printable(name) + "' is not allowed");
}

// The number of complete scalar opcodes (None, bools, ints, floats; LONG1 of up to 8 bytes) in `data` from
// `p` on; `p` moves past them. A switch rather than a table of lengths: its predicted branches let the
// processor run ahead, where a table lookup would make each position wait for the previous load.
std::size_t count_scalars(std::string_view data, std::size_t& p) noexcept {
    const auto* d = reinterpret_cast<const unsigned char*>(data.data());
    const std::size_t end = data.size();
    std::size_t count = 0;
    for (; p < end; ++count) {
        std::size_t operands = 0;
        switch (d[p]) {
        case op::NONE:
        case op::NEWTRUE:
        case op::NEWFALSE:
            break;
        case op::BININT1:
            operands = 1;
            break;
        case op::BININT2:
            operands = 2;
            break;
        case op::BININT:
            operands = 4;
            break;
        case op::BINFLOAT:
            operands = 8;
            break;
        case op::LONG1:
            if (p + 1 >= end || d[p + 1] > 8) return count;
            operands = 1 + std::size_t{d[p + 1]};
            break;
        default:
            return count;
        }
        if (end - p - 1 < operands) break;
        p += 1 + operands;
    }
    return count;
}

class Unpickler {
public:
    explicit Unpickler(std::string_view data)
        : data_(data)
        , copy_budget_(64ULL * 1024 * 1024 + 64ULL * data.size()) {}

    Object run() {
        scan_memo_use();
        for (;;) {
            const unsigned char code = read_byte();
            switch (code) {
            case op::PROTO: {
                const unsigned version = read_byte();
                if (version > 5)
                    throw UnpicklingError("unsupported pickle protocol: " + std::to_string(version));
                break;
            }
            case op::FRAME: {
                const std::uint64_t length = read_le(8);
                if (length > remaining()) truncated();
                break;
            }
            case op::STOP: {
                Slot result = pop();
                require_value(result);
                return std::move(result.value);
            }
            case op::NONE:
            case op::NEWTRUE:
            case op::NEWFALSE:
            case op::BININT1:
            case op::BININT2:
            case op::BININT:
            case op::LONG1:
            case op::BINFLOAT: {
                std::uint64_t payload = 0;
                Object value = read_scalar(code, payload);
                push_leaf(std::move(value), payload);
                break;
            }
            case op::LONG4: {
                const auto n = static_cast<std::int32_t>(static_cast<std::uint32_t>(read_le(4)));
                if (n < 0) throw UnpicklingError("LONG pickle has negative byte count");
                push_long(static_cast<std::uint64_t>(n));
                break;
            }
            case op::SHORT_BINUNICODE:
                push_str(read_le(1));
                break;
            case op::BINUNICODE:
                push_str(read_le(4));
                break;
            case op::BINUNICODE8:
                push_str(read_le(8));
                break;
            case op::SHORT_BINBYTES:
                push_bytes(read_le(1), false);
                break;
            case op::BINBYTES:
                push_bytes(read_le(4), false);
                break;
            case op::BINBYTES8:
                push_bytes(read_le(8), false);
                break;
            case op::BYTEARRAY8:
                push_bytes(read_le(8), true);
                break;
            case op::EMPTY_LIST:
                push_container(Object::list());
                break;
            case op::EMPTY_DICT:
                push_container(Object::dict());
                break;
            case op::EMPTY_SET:
                push_container(Object::set());
                break;
            case op::EMPTY_TUPLE:
                push_container(Object::tuple());
                break;
            case op::MARK:
                if (!scalars_after_mark()) marks_.push_back(stack_.size());
                break;
            case op::APPEND: {
                Slot item = pop();
                Slot& list = target("APPEND", ObjectKind::List);
                add_child(list, item);
                list.value.append(std::move(item.value));
                break;
            }
            case op::APPENDS: {
                // The batch goes from the stack straight into the list (the hot path of long lists).
                const std::size_t mark = pop_mark_position();
                if (mark <= fence()) underflow();
                Slot& list = target_at(mark - 1, "APPENDS", ObjectKind::List);
                // No exact reserve here: growing by one batch at a time would move the whole list on
                // every APPENDS and make long lists quadratic; push_back's geometric growth is linear.
                auto& elements = list.value.items();
                for (std::size_t i = mark; i < stack_.size(); ++i) {
                    Slot& item = settle(i);
                    add_child(list, item);
                    elements.push_back(std::move(item.value));
                }
                stack_.resize(mark);
                break;
            }
            case op::SETITEM: {
                Slot value = pop();
                Slot key = pop();
                Slot& dict = target("SETITEM", ObjectKind::Dict);
                add_child(dict, key);
                add_child(dict, value);
                dict.value.as_dict().set(std::move(key.value), std::move(value.value));
                break;
            }
            case op::SETITEMS: {
                std::vector<Slot> items = pop_mark();
                if (items.size() % 2 != 0) throw UnpicklingError("odd number of items for SETITEMS");
                Slot& dict = target("SETITEMS", ObjectKind::Dict);
                Dict& d = dict.value.as_dict();
                for (std::size_t i = 0; i < items.size(); i += 2) {
                    add_child(dict, items[i]);
                    add_child(dict, items[i + 1]);
                    d.set(std::move(items[i].value), std::move(items[i + 1].value));
                }
                break;
            }
            case op::ADDITEMS: {
                std::vector<Slot> items = pop_mark();
                Slot& set = target("ADDITEMS", ObjectKind::Set);
                for (auto& item : items) {
                    add_child(set, item);
                    set.value.as_set().add(std::move(item.value));
                }
                break;
            }
            case op::FROZENSET: {
                std::vector<Slot> items = pop_mark();
                Slot result = container(Object::frozenset());
                for (auto& item : items) {
                    add_child(result, item);
                    result.value.as_set().add(std::move(item.value));
                }
                stack_.push_back(std::move(result));
                break;
            }
            case op::TUPLE:
                push_tuple(pop_mark());
                break;
            case op::TUPLE1:
            case op::TUPLE2:
            case op::TUPLE3: {
                const std::size_t n = code - op::TUPLE1 + 1;
                if (stack_.size() < fence() + n) underflow();
                std::vector<Slot> items(n);
                for (std::size_t i = n; i-- > 0;)
                    items[i] = pop();
                push_tuple(std::move(items));
                break;
            }
            case op::POP:
                if (stack_.size() > fence()) {
                    pop();
                } else if (!marks_.empty()) {
                    marks_.pop_back();
                } else {
                    underflow();
                }
                break;
            case op::POP_MARK:
                pop_mark();
                break;
            case op::MEMOIZE:
                store(next_memo_index());
                break;
            case op::BINPUT:
                store(read_le(1));
                break;
            case op::LONG_BINPUT:
                store(read_le(4));
                break;
            case op::BINGET:
                fetch(read_le(1));
                break;
            case op::LONG_BINGET:
                fetch(read_le(4));
                break;
            case op::GLOBAL: {
                const std::string_view module = read_line();
                const std::string_view name = read_line();
                push_global(module, name);
                break;
            }
            case op::STACK_GLOBAL: {
                Slot name = pop();
                Slot module = pop();
                if (module.global != Global::None || name.global != Global::None || !module.value.is_str() ||
                    !name.value.is_str())
                    throw UnpicklingError("STACK_GLOBAL requires str");
                push_global(module.value.as_str(), name.value.as_str());
                break;
            }
            case op::REDUCE:
            case op::NEWOBJ: {
                Slot args = pop();
                Slot callable = pop();
                const char* what = code == op::REDUCE ? "REDUCE" : "NEWOBJ";
                if (callable.global == Global::None)
                    throw UnpicklingError(std::string(what) + " on a non-callable " +
                                          callable.value.type_name());
                require_value(args);
                if (!args.value.is_tuple())
                    throw UnpicklingError(std::string(what) + " arguments must be a tuple");
                if (code == op::NEWOBJ && callable.global != Global::Exception)
                    throw UnpicklingError("NEWOBJ is not supported for " + global_name(callable));
                stack_.push_back(apply(callable, std::move(args)));
                break;
            }
            case op::BUILD: {
                Slot state = pop();
                require_value(state);
                Slot& target = top();
                if (!target.value.is_exception())
                    throw UnpicklingError("BUILD is only supported on exceptions, not " +
                                          target.value.type_name());
                check_mutable(target);
                build_exception(target.value.as_exception(), state.value);
                break;
            }
            default:
                throw UnpicklingError("unsupported pickle opcode 0x" + hex_byte(code) + " at offset " +
                                      std::to_string(pos_ - 1));
            }
        }
    }

private:
    static std::string hex_byte(unsigned char c) {
        static const char hex[] = "0123456789abcdef";
        return {hex[c >> 4], hex[c & 0xF]};
    }
    [[noreturn]] static void truncated() { throw UnpicklingError("pickle data was truncated"); }
    [[noreturn]] static void underflow() { throw UnpicklingError("unpickling stack underflow"); }

    std::size_t remaining() const noexcept { return data_.size() - pos_; }

    unsigned char read_byte() {
        if (pos_ >= data_.size()) truncated();
        return static_cast<unsigned char>(data_[pos_++]);
    }
    std::uint64_t read_le(std::size_t bytes) {
        if (remaining() < bytes) truncated();
        std::uint64_t v = 0;
        for (std::size_t i = 0; i < bytes; ++i)
            v |= std::uint64_t{static_cast<unsigned char>(data_[pos_ + i])} << (8 * i);
        pos_ += bytes;
        return v;
    }
    // Lengths are checked against the input before anything is allocated.
    std::string_view read_bytes(std::uint64_t length) {
        if (length > remaining()) truncated();
        const std::string_view bytes = data_.substr(pos_, static_cast<std::size_t>(length));
        pos_ += static_cast<std::size_t>(length);
        return bytes;
    }
    std::string_view read_line() {
        const std::size_t end = data_.find('\n', pos_);
        if (end == std::string_view::npos) truncated();
        const std::string_view line = data_.substr(pos_, end - pos_);
        pos_ = end + 1;
        return line;
    }

    // The memo only needs to keep objects that a BINGET fetches later, so the opcodes are scanned once
    // up front for the fetched indices (stopping at STOP or at anything the main pass will reject).
    void scan_memo_use() {
        std::size_t p = 0;
        const auto need = [&](std::uint64_t n) { return n <= data_.size() - p; };
        const auto le = [&](std::size_t bytes) {
            std::uint64_t v = 0;
            for (std::size_t i = 0; i < bytes; ++i)
                v |= std::uint64_t{static_cast<unsigned char>(data_[p + i])} << (8 * i);
            return v;
        };
        while (p < data_.size()) {
            const auto code = static_cast<unsigned char>(data_[p++]);
            std::uint64_t skip = 0;
            switch (code) {
            case op::STOP:
                return;
            case op::PROTO:
            case op::BININT1:
                skip = 1;
                break;
            case op::BINPUT:
            case op::LONG_BINPUT:
                has_explicit_put_ = true;
                skip = code == op::BINPUT ? 1 : 4;
                break;
            case op::BINGET:
            case op::LONG_BINGET: {
                const std::size_t n = code == op::BINGET ? 1 : 4;
                if (!need(n)) return;
                fetched_.insert(le(n));
                skip = n;
                break;
            }
            case op::BININT2:
                skip = 2;
                break;
            case op::BININT:
                skip = 4;
                break;
            case op::BINFLOAT:
            case op::FRAME:
                skip = 8;
                break;
            case op::LONG1:
            case op::SHORT_BINUNICODE:
            case op::SHORT_BINBYTES:
                if (!need(1)) return;
                skip = 1 + le(1);
                break;
            case op::LONG4:
            case op::BINUNICODE:
            case op::BINBYTES:
                if (!need(4)) return;
                skip = 4 + le(4);
                break;
            case op::BINUNICODE8:
            case op::BINBYTES8:
            case op::BYTEARRAY8:
                if (!need(8)) return;
                skip = le(8);
                if (skip > data_.size()) return;
                skip += 8;
                break;
            case op::GLOBAL: {
                const std::size_t first = data_.find('\n', p);
                if (first == std::string_view::npos) return;
                const std::size_t second = data_.find('\n', first + 1);
                if (second == std::string_view::npos) return;
                skip = second + 1 - p;
                break;
            }
            case op::NONE:
            case op::NEWTRUE:
            case op::NEWFALSE:
            case op::EMPTY_LIST:
            case op::EMPTY_DICT:
            case op::EMPTY_SET:
            case op::EMPTY_TUPLE:
            case op::MARK:
            case op::APPEND:
            case op::APPENDS:
            case op::SETITEM:
            case op::SETITEMS:
            case op::ADDITEMS:
            case op::FROZENSET:
            case op::TUPLE:
            case op::TUPLE1:
            case op::TUPLE2:
            case op::TUPLE3:
            case op::POP:
            case op::POP_MARK:
            case op::MEMOIZE:
            case op::STACK_GLOBAL:
            case op::REDUCE:
            case op::NEWOBJ:
            case op::BUILD:
                break;
            default:
                return;
            }
            if (!need(skip)) return;
            p += static_cast<std::size_t>(skip);
        }
    }

    std::size_t fence() const noexcept { return marks_.empty() ? 0 : marks_.back(); }

    // Copies made for BINGET are charged against a budget proportional to the input size.
    void charge(std::uint64_t weight) {
        if (weight > copy_budget_)
            throw UnpicklingError(
                "pickle expands beyond 64 MiB + 64 times its size through repeated references");
        copy_budget_ -= weight;
    }

    // Removes the stack slot at `index`: memo entries that refer to it get a snapshot of its final value.
    Slot take(std::size_t index) { return std::move(settle(index)); }

    // The stack slot at `index`, about to leave the stack: memo entries still pointing at it get a copy.
    Slot& settle(std::size_t index) {
        Slot& slot = stack_[index];
        if (!slot.memo_keys.empty()) {
            charge(slot.weight);
            auto snapshot = std::make_shared<Slot>();
            snapshot->value = slot.value;
            snapshot->weight = slot.weight;
            snapshot->depth = slot.depth;
            snapshot->global = slot.global;
            for (const auto key : slot.memo_keys)
                memo_[key] = MemoEntry{snapshot};
            slot.memo_keys.clear();
        }
        return slot;
    }

    Slot pop() {
        if (stack_.size() <= fence()) underflow();
        Slot slot = take(stack_.size() - 1);
        stack_.pop_back();
        return slot;
    }

    std::size_t pop_mark_position() {
        if (marks_.empty()) throw UnpicklingError("could not find MARK");
        const std::size_t mark = marks_.back();
        marks_.pop_back();
        return mark;
    }

    std::vector<Slot> pop_mark() {
        const std::size_t mark = pop_mark_position();
        std::vector<Slot> items;
        items.reserve(stack_.size() - mark);
        for (std::size_t i = mark; i < stack_.size(); ++i)
            items.push_back(take(i));
        stack_.resize(mark);
        return items;
    }

    Slot& top() {
        if (stack_.size() <= fence()) underflow();
        return stack_.back();
    }

    Slot& target(const char* what, ObjectKind kind) {
        top();
        return target_at(stack_.size() - 1, what, kind);
    }
    Slot& target_at(std::size_t index, const char* what, ObjectKind kind) {
        Slot& slot = stack_[index];
        if (slot.global != Global::None || slot.value.kind() != kind) {
            const std::string expected = kind == ObjectKind::List   ? "list"
                                         : kind == ObjectKind::Dict ? "dict"
                                                                    : "set";
            throw UnpicklingError(std::string(what) + " needs a " + expected + ", got " + describe(slot));
        }
        check_mutable(slot);
        return slot;
    }

    // A BINGET copy of an object that is then changed can only come from a recursive structure (CPython
    // refers back to an object only once it is complete, unless it contains itself).
    static void check_mutable(const Slot& slot) {
        if (slot.fetched_while_live) throw UnpicklingError("recursive structures are not supported");
    }

    static std::string global_name(const Slot& slot) {
        return "global '" + printable(slot.value[0].as_str()) + "." + printable(slot.value[1].as_str()) + "'";
    }
    static std::string describe(const Slot& slot) {
        return slot.global != Global::None ? global_name(slot) : slot.value.type_name();
    }

    static void require_value(const Slot& slot) {
        if (slot.global != Global::None)
            throw UnpicklingError(global_name(slot) + " cannot be used as a value");
    }

    void add_child(Slot& parent, const Slot& child) {
        require_value(child);
        parent.weight += child.weight;
        parent.depth = std::max(parent.depth, child.depth + 1);
        if (parent.depth > max_depth)
            throw UnpicklingError("nesting deeper than " + std::to_string(max_depth) + " levels");
    }

    static Slot leaf(Object value, std::uint64_t payload = 0) {
        Slot slot;
        slot.value = std::move(value);
        slot.weight = sizeof(Object) + payload;
        return slot;
    }
    static Slot container(Object value) {
        Slot slot = leaf(std::move(value));
        slot.depth = 1;
        return slot;
    }

    void push_leaf(Object value, std::uint64_t payload = 0) {
        Slot& slot = stack_.emplace_back();
        slot.value = std::move(value);
        slot.weight = sizeof(Object) + payload;
    }
    void push_container(Object value) { stack_.push_back(container(std::move(value))); }

    void push_str(std::uint64_t length) {
        const std::size_t start = pos_;
        const std::string_view text = read_bytes(length);
        if (!detail::is_valid_utf8(text))
            throw UnpicklingError("invalid UTF-8 in str at offset " + std::to_string(start));
        push_leaf(Object(text), text.size());
    }

    void push_bytes(std::uint64_t length, bool bytearray) {
        std::string data(read_bytes(length));
        const std::size_t size = data.size();
        push_leaf(bytearray ? Object::bytearray(std::move(data)) : Object::bytes(std::move(data)), size);
    }

    void push_long(std::uint64_t length) {
        const std::string_view bytes = read_bytes(length);
        push_leaf(long_value(bytes), bytes.size());
    }

    static Object long_value(std::string_view bytes) {
        if (bytes.size() > sizeof(std::int64_t)) return Object(BigInt::from_twos_complement(bytes));
        // Up to 8 bytes always fit an int64: sign-extend them (no BigInt on the common path).
        std::uint64_t v = 0;
        for (std::size_t i = 0; i < bytes.size(); ++i)
            v |= std::uint64_t{static_cast<unsigned char>(bytes[i])} << (8 * i);
        if (!bytes.empty() && bytes.size() < 8 && (static_cast<unsigned char>(bytes.back()) & 0x80) != 0)
            v |= ~std::uint64_t{0} << (8 * bytes.size());
        return Object(static_cast<std::int64_t>(v));
    }

    // The value of a scalar opcode (None, bools, ints, floats) whose operands follow; `payload` gets the
    // operand bytes of a LONG1 (for the expansion budget).
    Object read_scalar(unsigned char code, std::uint64_t& payload) {
        switch (code) {
        case op::NONE:
            return Object();
        case op::NEWTRUE:
            return Object(true);
        case op::NEWFALSE:
            return Object(false);
        case op::BININT1:
            return Object(read_le(1));
        case op::BININT2:
            return Object(read_le(2));
        case op::BININT:
            return Object(static_cast<std::int32_t>(static_cast<std::uint32_t>(read_le(4))));
        case op::BINFLOAT: {
            const std::string_view b = read_bytes(8);
            std::uint64_t bits = 0;
            for (const char c : b)
                bits = (bits << 8) | static_cast<unsigned char>(c);
            double v;
            std::memcpy(&v, &bits, sizeof v);
            return Object(v);
        }
        default: { // LONG1
            const std::string_view bytes = read_bytes(read_le(1));
            payload = bytes.size();
            return long_value(bytes);
        }
        }
    }

    std::size_t scalar_run(std::size_t& p) const noexcept { return count_scalars(data_, p); }

    // After a MARK, a run of scalars closed by APPENDS (onto a list) or TUPLE - how lists and tuples of
    // numbers are written, in batches of 1000 - goes straight into the container, without a stack slot per
    // item. Anything else, malformed input included, is left to the general path (false, nothing read).
    bool scalars_after_mark() {
        const auto* d = reinterpret_cast<const unsigned char*>(data_.data());
        const std::size_t end = data_.size();
        std::size_t p = pos_;
        const std::size_t count = scalar_run(p);
        if (p >= end) return false;
        const unsigned char closer = d[p];
        Slot* list = nullptr;
        if (closer == op::APPENDS) {
            if (stack_.size() <= fence()) return false;
            list = &stack_.back();
            if (list->global != Global::None || list->value.kind() != ObjectKind::List ||
                list->fetched_while_live)
                return false;
        } else if (closer != op::TUPLE) {
            return false;
        }
        std::vector<Object> tuple_items;
        std::vector<Object>& out = list ? list->value.items() : tuple_items;
        if (out.capacity() - out.size() < count) {
            // Room for the batches of scalars that follow too (a long list's), so that the list is not
            // moved as it grows.
            std::size_t total = count;
            for (std::size_t q = p + 1; list && q < end;) {
                if (d[q] == op::FRAME && end - q > 8) {
                    q += 9;
                    continue;
                }
                if (d[q] != op::MARK) break;
                ++q;
                const std::size_t n = scalar_run(q);
                if (q >= end || d[q] != op::APPENDS) break;
                total += n;
                ++q;
            }
            out.reserve(out.size() + total);
        }
        std::uint64_t weight = count * sizeof(Object);
        for (std::size_t i = 0; i < count; ++i) {
            const unsigned char code = d[pos_];
            const unsigned char* at = d + pos_ + 1;
            switch (code) {
            case op::BININT1:
                out.emplace_back(std::int64_t{at[0]});
                pos_ += 2;
                break;
            case op::BININT2:
                out.emplace_back(std::int64_t{at[0]} | std::int64_t{at[1]} << 8);
                pos_ += 3;
                break;
            case op::BININT:
                out.emplace_back(static_cast<std::int32_t>(std::uint32_t{at[0]} | std::uint32_t{at[1]} << 8 |
                                                           std::uint32_t{at[2]} << 16 |
                                                           std::uint32_t{at[3]} << 24));
                pos_ += 5;
                break;
            case op::LONG1:
                out.emplace_back(long_value(data_.substr(pos_ + 2, at[0])));
                weight += at[0];
                pos_ += 2 + std::size_t{at[0]};
                break;
            default: {
                std::uint64_t payload = 0;
                ++pos_;
                out.push_back(read_scalar(code, payload));
                break;
            }
            }
        }
        ++pos_; // the closer
        if (list) {
            list->weight += weight;
            list->depth = std::max<std::uint32_t>(list->depth, 1);
        } else {
            Slot& tuple = stack_.emplace_back();
            tuple.value = Object::tuple(std::move(tuple_items));
            tuple.weight = sizeof(Object) + weight;
            tuple.depth = 1;
        }
        return true;
    }

    void push_tuple(std::vector<Slot> items) {
        Slot result = container(Object::tuple());
        auto& elements = result.value.items();
        elements.reserve(items.size());
        for (auto& item : items) {
            add_child(result, item);
            elements.push_back(std::move(item.value));
        }
        stack_.push_back(std::move(result));
    }

    void push_global(std::string_view module, std::string_view name) {
        Slot slot = leaf(Object::tuple(module, name), module.size() + name.size());
        slot.global = resolve_global(module, name);
        stack_.push_back(std::move(slot));
    }

    // MEMOIZE stores at the number of filled memo entries, like CPython's memo_len.
    std::uint64_t next_memo_index() const { return has_explicit_put_ ? filled_.size() : memo_length_; }

    void store(std::uint64_t index) {
        if (stack_.size() <= fence()) underflow();
        if (!has_explicit_put_) {
            ++memo_length_;
        } else {
            filled_.insert(index);
        }
        if (fetched_.count(index) == 0) return; // never read back
        const std::size_t slot_index = stack_.size() - 1;
        if (auto it = memo_.find(index); it != memo_.end() && it->second.live_slot != MemoEntry{}.live_slot) {
            auto& keys = stack_[it->second.live_slot].memo_keys;
            keys.erase(std::remove(keys.begin(), keys.end(), index), keys.end());
        }
        memo_[index] = MemoEntry{nullptr, slot_index};
        stack_[slot_index].memo_keys.push_back(index);
    }

    void fetch(std::uint64_t index) {
        const auto it = memo_.find(index);
        if (it == memo_.end())
            throw UnpicklingError("Memo value not found at index " + std::to_string(index));
        const MemoEntry& entry = it->second;
        Slot copy;
        if (entry.snapshot) {
            const Slot& source = *entry.snapshot;
            charge(source.weight);
            copy.value = source.value;
            copy.weight = source.weight;
            copy.depth = source.depth;
            copy.global = source.global;
        } else {
            Slot& source = stack_[entry.live_slot];
            charge(source.weight);
            const ObjectKind kind = source.value.kind();
            if (kind == ObjectKind::List || kind == ObjectKind::Dict || kind == ObjectKind::Set ||
                kind == ObjectKind::Exception)
                source.fetched_while_live = true;
            copy.value = source.value;
            copy.weight = source.weight;
            copy.depth = source.depth;
            copy.global = source.global;
        }
        stack_.push_back(std::move(copy));
    }

    [[noreturn]] static void bad_arguments(const Slot& callable) {
        throw UnpicklingError("unsupported arguments for " + global_name(callable));
    }

    // Python's str(exc): the single argument's str, or the str of the whole argument tuple.
    static std::string exception_message(const Object& args) {
        const auto& items = args.items();
        if (items.empty()) return {};
        try {
            if (items.size() == 1) return items[0].str();
            return args.str();
        } catch (const ValueError& e) {
            return e.message(); // an int argument too long for str(), as in Python
        }
    }

    static std::string latin1_encode(const Slot& callable, const Object& text, const Object& encoding) {
        if (!text.is_str() || !encoding.is_str() ||
            (encoding.as_str() != "latin1" && encoding.as_str() != "latin-1"))
            bad_arguments(callable);
        std::string bytes;
        const std::string& s = text.as_str();
        for (std::size_t pos = 0; pos < s.size();) {
            const detail::Utf8Char c = detail::decode_utf8(s, pos);
            if (c.code_point > 0xFF) bad_arguments(callable);
            bytes += static_cast<char>(c.code_point);
            pos += c.length;
        }
        return bytes;
    }

    Slot apply(const Slot& callable, Slot args) {
        auto& a = args.value.items();
        switch (callable.global) {
        case Global::Exception: {
            ExceptionValue e{callable.value[1].as_str(), exception_message(args.value), ""};
            return leaf(Object(std::move(e)), args.weight);
        }
        case Global::ByteArray:
        case Global::Bytes: {
            std::string data;
            if (a.size() == 1 && (a[0].is_bytes() || a[0].is_bytearray())) {
                data = a[0].as_bytes();
            } else if (a.size() == 2) {
                data = latin1_encode(callable, a[0], a[1]);
            } else if (!a.empty()) {
                bad_arguments(callable);
            }
            const std::size_t size = data.size();
            Object value = callable.global == Global::Bytes ? Object::bytes(std::move(data))
                                                            : Object::bytearray(std::move(data));
            return leaf(std::move(value), size);
        }
        case Global::CodecsEncode: {
            if (a.size() != 2) bad_arguments(callable);
            std::string data = latin1_encode(callable, a[0], a[1]);
            const std::size_t size = data.size();
            return leaf(Object::bytes(std::move(data)), size);
        }
        case Global::Set:
        case Global::FrozenSet: {
            Slot result = container(callable.global == Global::Set ? Object::set() : Object::frozenset());
            if (a.size() > 1) bad_arguments(callable);
            if (a.size() == 1) {
                const Object& items = a[0];
                if (items.is_list() || items.is_tuple()) {
                    for (auto& item : a[0].items())
                        result.value.as_set().add(std::move(item));
                } else if (items.is_set() || items.is_frozenset()) {
                    for (const auto& item : items.as_set())
                        result.value.as_set().add(item);
                } else {
                    bad_arguments(callable);
                }
                result.weight = args.weight;
                result.depth = std::max<std::uint32_t>(1, args.depth - 1);
            }
            return result;
        }
        case Global::Handle: {
            if (a.size() != 4 || !a[0].is_str() || !a[1].is_str() || !(a[2].is_tuple() || a[2].is_list()) ||
                !(a[3].is_tuple() || a[3].is_list()))
                bad_arguments(callable);
            Handle handle{a[0].as_str(), a[1].as_str(), {}, {}};
            for (const auto& v : a[2].items()) {
                if (!v.is_int() && !v.is_bool()) bad_arguments(callable);
                if (v.is_big_int()) bad_arguments(callable);
                handle.ints.push_back(v.as_int());
            }
            for (const auto& v : a[3].items()) {
                if (!v.is_int() || v.is_big_int() || v.as_int() < INT32_MIN || v.as_int() > INT32_MAX)
                    bad_arguments(callable);
                handle.fds.push_back(static_cast<int>(v.as_int()));
            }
            return leaf(Object(std::move(handle)), args.weight);
        }
        case Global::None:
            break;
        }
        bad_arguments(callable);
    }

    // Exception state from BUILD: the instance __dict__ (or a (dict, slots) pair); only 'traceback' is
    // kept, other attributes have no place in ExceptionValue.
    static void build_exception(ExceptionValue& e, const Object& state) {
        const auto take_dict = [&e](const Object& d) {
            if (d.is_none()) return;
            if (!d.is_dict()) throw UnpicklingError("BUILD state of an exception must be a dict");
            if (const Object* tb = d.as_dict().find("traceback"); tb && tb->is_str())
                e.traceback = tb->as_str();
        };
        if (state.is_tuple() && state.items().size() == 2) {
            take_dict(state.items()[0]);
            take_dict(state.items()[1]);
        } else {
            take_dict(state);
        }
    }

    std::string_view data_;
    std::size_t pos_ = 0;
    std::uint64_t copy_budget_;
    std::vector<Slot> stack_;
    std::vector<std::size_t> marks_;
    std::unordered_map<std::uint64_t, MemoEntry> memo_; // only indices that are fetched
    std::unordered_set<std::uint64_t> fetched_;
    std::unordered_set<std::uint64_t> filled_; // with BINPUT, MEMOIZE takes the first unused index
    bool has_explicit_put_ = false;
    std::uint64_t memo_length_ = 0;
};

} // namespace

std::string dumps(const Object& value) {
    return Pickler().run(value);
}

namespace internal {

std::string dumps_call(std::string_view func, std::span<const Object> args, const Object& kwds) {
    return Pickler().run_call(func, args, kwds);
}

namespace {

// A scalar read from a pickle, before it becomes an Object.
struct Scalar {
    enum class Kind : std::uint8_t { None, Bool, Int, Float } kind = Kind::None;
    std::int64_t i = 0; // Bool (0 or 1) and Int
    double f = 0;

    Object object() const noexcept {
        switch (kind) {
        case Kind::Bool:
            return Object(i != 0);
        case Kind::Int:
            return Object(i);
        case Kind::Float:
            return Object(f);
        case Kind::None:
            break;
        }
        return Object();
    }
};

// The scalar at data[p] (None, bools, ints, floats; LONG1 of up to 8 bytes), p past it; false for anything
// else or a truncated one. Inline into the callers' loops, a call per item being most of the cost.
[[gnu::always_inline]] inline bool decode_scalar(std::string_view data, std::size_t& p, Scalar& out) {
    const auto* d = reinterpret_cast<const unsigned char*>(data.data());
    const std::size_t operands = data.size() - p - 1;
    const unsigned char* at = d + p + 1;
    switch (d[p]) {
    case op::BININT1:
        if (operands < 1) return false;
        out = {Scalar::Kind::Int, std::int64_t{at[0]}, 0};
        p += 2;
        return true;
    case op::BININT2:
        if (operands < 2) return false;
        out = {Scalar::Kind::Int, std::int64_t{at[0]} | std::int64_t{at[1]} << 8, 0};
        p += 3;
        return true;
    case op::BININT:
        if (operands < 4) return false;
        out = {
            Scalar::Kind::Int,
            std::int64_t{static_cast<std::int32_t>(std::uint32_t{at[0]} | std::uint32_t{at[1]} << 8 |
                                                   std::uint32_t{at[2]} << 16 | std::uint32_t{at[3]} << 24)},
            0};
        p += 5;
        return true;
    case op::NONE:
        out = {Scalar::Kind::None, 0, 0};
        p += 1;
        return true;
    case op::NEWTRUE:
    case op::NEWFALSE:
        out = {Scalar::Kind::Bool, d[p] == op::NEWTRUE ? 1 : 0, 0};
        p += 1;
        return true;
    case op::BINFLOAT: {
        if (operands < 8) return false;
        std::uint64_t bits = 0;
        for (int i = 0; i < 8; ++i)
            bits = (bits << 8) | at[i];
        double v;
        std::memcpy(&v, &bits, sizeof v);
        out = {Scalar::Kind::Float, 0, v};
        p += 9;
        return true;
    }
    case op::LONG1: {
        if (operands < 1 || at[0] > 8 || operands - 1 < at[0]) return false;
        std::uint64_t v = 0;
        for (std::size_t i = 0; i < at[0]; ++i)
            v |= std::uint64_t{at[1 + i]} << (8 * i);
        if (at[0] > 0 && at[0] < 8 && (at[at[0]] & 0x80) != 0) v |= ~std::uint64_t{0} << (8 * at[0]);
        out = {Scalar::Kind::Int, static_cast<std::int64_t>(v), 0};
        p += 2 + std::size_t{at[0]};
        return true;
    }
    default:
        return false;
    }
}

// Past the FRAME opcodes at data[p], which carry no meaning of their own (loads() only checks that their
// length is there); false at the end of the data or when a frame is longer than what follows.
[[gnu::always_inline]] inline bool skip_frames(std::string_view data, std::size_t& p) {
    const auto* d = reinterpret_cast<const unsigned char*>(data.data());
    const std::size_t end = data.size();
    while (p < end && d[p] == op::FRAME) {
        if (end - p - 1 < 8) return false;
        std::uint64_t length = 0;
        for (int i = 0; i < 8; ++i)
            length |= std::uint64_t{d[p + 1 + i]} << (8 * i);
        p += 9;
        if (length > end - p) return false;
    }
    return p < end;
}

} // namespace

bool loads_list_into(std::string_view data, std::span<Object> out) {
    const auto* d = reinterpret_cast<const unsigned char*>(data.data());
    const std::size_t end = data.size();
    std::size_t p = 0;
    std::size_t n = 0; // items decoded
    const auto fail = [&] {
        for (std::size_t i = 0; i < n; ++i)
            out[i] = Object();
        return false;
    };
    Scalar value;
    if (end < 2 || d[0] != op::PROTO || d[1] > 5) return false;
    p = 2;
    if (!skip_frames(data, p) || d[p] != op::EMPTY_LIST) return false;
    ++p;
    if (!skip_frames(data, p)) return false;
    if (d[p] == op::MEMOIZE) {
        p += 1;
    } else if (d[p] == op::BINPUT && end - p > 1) {
        p += 2;
    } else if (d[p] == op::LONG_BINPUT && end - p > 4) {
        p += 5;
    }
    for (;;) {
        if (!skip_frames(data, p)) return fail();
        const unsigned char code = d[p];
        if (code == op::STOP) break;
        if (code == op::MARK) {
            ++p;
            for (;;) {
                if (p >= end) return fail();
                if (d[p] == op::APPENDS) break;
                if (d[p] == op::FRAME) {
                    if (!skip_frames(data, p)) return fail();
                    continue;
                }
                if (n == out.size() || !decode_scalar(data, p, value)) return fail();
                out[n++] = value.object();
            }
            ++p;
        } else {
            if (n == out.size() || !decode_scalar(data, p, value)) return fail();
            out[n++] = value.object();
            if (!skip_frames(data, p) || d[p] != op::APPEND) return fail();
            ++p;
        }
    }
    return n == out.size() || fail();
}

bool loads_call(std::string_view data, std::string& func, std::vector<Object>& args) {
    const auto* d = reinterpret_cast<const unsigned char*>(data.data());
    const std::size_t end = data.size();
    std::size_t p = 0;
    // The next opcode is `code` (after any FRAME), and p moves past it.
    const auto expect = [&](unsigned char code) {
        if (!skip_frames(data, p) || d[p] != code) return false;
        ++p;
        return true;
    };
    const auto fail = [&] {
        args.clear();
        return false;
    };
    args.clear();
    if (end < 2 || d[0] != op::PROTO || d[1] > 5) return false;
    p = 2;
    if (!skip_frames(data, p)) return false;
    std::size_t length;
    if (d[p] == op::SHORT_BINUNICODE && end - p > 1) {
        length = d[p + 1];
        p += 2;
    } else if (d[p] == op::BINUNICODE && end - p > 4) {
        length = std::size_t{d[p + 1]} | std::size_t{d[p + 2]} << 8 | std::size_t{d[p + 3]} << 16 |
                 std::size_t{d[p + 4]} << 24;
        p += 5;
    } else {
        return false;
    }
    if (length > end - p) return false;
    const std::string_view name = data.substr(p, length);
    if (!mp::detail::is_valid_utf8(name)) return false;
    p += length;
    if (!expect(op::MEMOIZE) || !skip_frames(data, p)) return false;
    if (d[p] == op::EMPTY_TUPLE) {
        ++p;
    } else {
        const bool marked = d[p] == op::MARK;
        if (marked) ++p;
        std::size_t q = p;
        // Sized ahead and assigned, which stays inline; only a run cut by a FRAME grows it again.
        args.resize(count_scalars(data, q));
        std::size_t n = 0;
        Scalar value;
        for (;;) {
            if (p >= end) return fail();
            if (d[p] == op::FRAME) {
                if (!skip_frames(data, p)) return fail();
                continue;
            }
            if (marked ? d[p] == op::TUPLE : d[p] >= op::TUPLE1 && d[p] <= op::TUPLE3) break;
            if (!decode_scalar(data, p, value)) return fail();
            if (n == args.size()) args.resize(std::max<std::size_t>(2 * n, 16));
            args[n++] = value.object();
        }
        args.resize(n);
        if (!marked && d[p] - op::TUPLE1 + 1u != args.size()) return fail();
        ++p;
        if (!expect(op::MEMOIZE)) return fail();
    }
    if (!expect(op::EMPTY_DICT) || !expect(op::MEMOIZE) || !expect(op::TUPLE3) || !expect(op::MEMOIZE) ||
        !expect(op::STOP))
        return fail();
    func.assign(name);
    return true;
}

} // namespace internal

Object loads(std::string_view data) {
    return Unpickler(data).run();
}

} // namespace mp::pickle
