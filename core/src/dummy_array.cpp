// dummy::Array: Python's array.array (what multiprocessing.dummy.Array returns), shared by reference,
// with array's typecodes, item conversions and error texts.
#include "dummy_internal.hpp"
#include "unicode.hpp"

#include <cmath>
#include <cstring>
#include <limits>

namespace mp::dummy {

namespace detail {

// Signed: converted through a C long, then range-checked (B and H too, as CPython does); Unsigned:
// through a C unsigned long, negatives refused first.
enum class ItemKind { Signed, Unsigned, Float, Char };

struct Code {
    char code;
    std::size_t size;
    ItemKind kind;
    std::int64_t min, max; // the C type's range (Signed kinds)
    // CPython's texts for values above the maximum, below the minimum, and beyond the 64-bit integer it
    // converts through first.
    const char* over;
    const char* under;
    const char* beyond;
};

constexpr const char* c_long = "Python int too large to convert to C long";
constexpr const char* c_ulong = "Python int too large to convert to C unsigned long";
constexpr const char* negative_uint = "can't convert negative value to unsigned int";
constexpr const char* too_big = "int too big to convert";
constexpr std::int64_t i64_min = std::numeric_limits<std::int64_t>::min();
constexpr std::int64_t i64_max = std::numeric_limits<std::int64_t>::max();

constexpr Code codes[] = {
    {'b', 1, ItemKind::Signed, -128, 127, "signed char is greater than maximum",
     "signed char is less than minimum", c_long},
    {'B', 1, ItemKind::Signed, 0, 255, "unsigned byte integer is greater than maximum",
     "unsigned byte integer is less than minimum", c_long},
    {'u', 4, ItemKind::Char, 0, 0, "", "", ""},
    {'h', 2, ItemKind::Signed, -32768, 32767, "signed short integer is greater than maximum",
     "signed short integer is less than minimum", c_long},
    {'H', 2, ItemKind::Signed, 0, 65535, "unsigned short is greater than maximum",
     "unsigned short is less than minimum", c_long},
    {'i', 4, ItemKind::Signed, -2147483648LL, 2147483647, "signed integer is greater than maximum",
     "signed integer is less than minimum", c_long},
    {'I', 4, ItemKind::Unsigned, 0, 0, "unsigned int is greater than maximum", negative_uint, c_ulong},
    {'l', 8, ItemKind::Signed, i64_min, i64_max, c_long, c_long, c_long},
    {'L', 8, ItemKind::Unsigned, 0, 0, c_ulong, negative_uint, c_ulong},
    {'q', 8, ItemKind::Signed, i64_min, i64_max, too_big, too_big, too_big},
    {'Q', 8, ItemKind::Unsigned, 0, 0, too_big, "can't convert negative int to unsigned", too_big},
    {'f', 4, ItemKind::Float, 0, 0, "", "", ""},
    {'d', 8, ItemKind::Float, 0, 0, "", "", ""},
};

namespace {

const Code& code_for(const std::string& typecode) {
    if (typecode.size() != 1) throw TypeError("array() argument 1 must be a unicode character, not str");
    for (const Code& c : codes)
        if (c.code == typecode[0]) return c;
    throw ValueError("bad typecode (must be b, B, u, h, H, i, I, l, L, q, Q, f or d)");
}

Object convert_int(const Code& c, const Object& value) {
    if (!value.is_int() && !value.is_bool())
        throw TypeError("'" + value.type_name() + "' object cannot be interpreted as an integer");
    const BigInt big = value.as_big_int();
    if (c.kind == ItemKind::Unsigned) {
        if (big.is_negative()) throw OverflowError(c.under);
        const auto v = big.to_uint64();
        if (!v) throw OverflowError(c.beyond);
        if (c.size < 8 && *v > (std::uint64_t{1} << (c.size * 8)) - 1) throw OverflowError(c.over);
        return Object(*v);
    }
    const auto v = big.to_int64();
    if (!v) throw OverflowError(c.beyond);
    if (*v > c.max) throw OverflowError(c.over);
    if (*v < c.min) throw OverflowError(c.under);
    return Object(*v);
}

// One item as array.array stores it: an int, a float ('f' rounded to float32), or a one-character str.
Object convert(const Code& c, const Object& value) {
    switch (c.kind) {
    case ItemKind::Float: {
        if (!value.is_float() && !value.is_int() && !value.is_bool())
            throw TypeError("must be real number, not " + value.type_name());
        if (value.is_big_int() && !std::isfinite(value.as_big_int().to_double()))
            throw OverflowError("int too large to convert to float");
        const double d = value.as_float();
        return Object(c.code == 'f' ? static_cast<double>(static_cast<float>(d)) : d);
    }
    case ItemKind::Char:
        if (!value.is_str() || value.size() != 1) throw TypeError("array item must be unicode character");
        return value;
    default:
        return convert_int(c, value);
    }
}

template <class T> T load(const char* p) {
    T v;
    std::memcpy(&v, p, sizeof v);
    return v;
}

// array(typecode, bytes): the bytes are the items' machine representation (array.frombytes).
std::vector<Object> from_machine_bytes(const Code& c, const std::string& bytes) {
    if (bytes.size() % c.size != 0) throw ValueError("bytes length not a multiple of item size");
    std::vector<Object> items;
    for (std::size_t at = 0; at < bytes.size(); at += c.size) {
        const char* p = bytes.data() + at;
        switch (c.code) {
        case 'b':
            items.emplace_back(load<std::int8_t>(p));
            break;
        case 'B':
            items.emplace_back(load<std::uint8_t>(p));
            break;
        case 'h':
            items.emplace_back(load<std::int16_t>(p));
            break;
        case 'H':
            items.emplace_back(load<std::uint16_t>(p));
            break;
        case 'i':
            items.emplace_back(load<std::int32_t>(p));
            break;
        case 'I':
            items.emplace_back(load<std::uint32_t>(p));
            break;
        case 'l':
        case 'q':
            items.emplace_back(load<std::int64_t>(p));
            break;
        case 'L':
        case 'Q':
            items.emplace_back(load<std::uint64_t>(p));
            break;
        case 'f':
            items.emplace_back(static_cast<double>(load<float>(p)));
            break;
        case 'd':
            items.emplace_back(load<double>(p));
            break;
        default: { // 'u': UTF-32 code points, stored as UTF-8 text
            std::string utf8;
            mp::detail::append_utf8(utf8, load<char32_t>(p));
            items.emplace_back(std::move(utf8));
        }
        }
    }
    return items;
}

} // namespace

struct ArrayState {
    ArrayState(std::string typecode, const Object& sequence)
        : code(code_for(typecode))
        , typecode(std::move(typecode)) {
        if (sequence.is_bytes() || sequence.is_bytearray()) {
            items = from_machine_bytes(code, sequence.as_bytes());
            return;
        }
        if (sequence.is_str() && code.kind != ItemKind::Char)
            throw TypeError("cannot use a str to initialize an array with typecode '" + this->typecode + "'");
        for (const Object& item : Iterable(sequence).materialize())
            items.push_back(convert(code, item));
    }
    const Code& code;
    const std::string typecode;
    mutable std::mutex mutex;
    std::vector<Object> items;
};

} // namespace detail

Array::Array(TypeCode typecode, const Object& sequence)
    : state_(std::make_shared<detail::ArrayState>(std::move(typecode.code), sequence)) {}

Array::Array(TypeCode typecode, std::initializer_list<Object> items)
    : Array(std::move(typecode), Object::list(std::vector<Object>(items))) {}

std::size_t Array::size() const {
    std::lock_guard lock(state_->mutex);
    return state_->items.size();
}

Object Array::item(std::int64_t index) const {
    std::lock_guard lock(state_->mutex);
    const auto n = static_cast<std::int64_t>(state_->items.size());
    if (index < 0) index += n;
    if (index < 0 || index >= n) throw IndexError("array index out of range");
    return state_->items[static_cast<std::size_t>(index)];
}

void Array::set_item(std::int64_t index, const Object& value) {
    Object converted = detail::convert(state_->code, value);
    std::lock_guard lock(state_->mutex);
    const auto n = static_cast<std::int64_t>(state_->items.size());
    if (index < 0) index += n;
    if (index < 0 || index >= n) throw IndexError("array assignment index out of range");
    state_->items[static_cast<std::size_t>(index)] = std::move(converted);
}

Object Array::tolist() const {
    std::lock_guard lock(state_->mutex);
    return Object::list(state_->items);
}

const std::string& Array::typecode() const {
    return state_->typecode;
}

std::string Array::repr() const {
    const Object items = tolist();
    std::string text = "array(" + Object(state_->typecode).repr();
    if (items.size() == 0) return text + ")";
    if (state_->code.kind == detail::ItemKind::Char) {
        std::string chars;
        for (const Object& c : items.items())
            chars += c.as_str();
        return text + ", " + Object(std::move(chars)).repr() + ")";
    }
    return text + ", " + items.repr() + ")";
}

Handle Array::to_handle() const {
    return detail::pin("dummy.Array", state_, "array.array");
}

Array Array::from_handle(const Handle& handle) {
    return Array(detail::unpin_as<detail::ArrayState>(handle, "dummy.Array"));
}

} // namespace mp::dummy
