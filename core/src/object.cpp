#include "mp/object.hpp"

#include "unicode.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <exception>
#include <new>
#include <ostream>

namespace mp {
namespace {

constexpr std::uint64_t hash_modulus = (std::uint64_t{1} << 61) - 1;

// Python's hash of an int that fits int64: |v| mod 2^61-1 with v's sign, -1 reserved (becomes -2).
std::int64_t hash_int(std::int64_t value) {
    const std::uint64_t magnitude =
        value < 0 ? std::uint64_t{0} - static_cast<std::uint64_t>(value) : static_cast<std::uint64_t>(value);
    auto h = static_cast<std::int64_t>(magnitude % hash_modulus);
    if (value < 0) h = -h;
    return h == -1 ? -2 : h;
}

// Python's hash of a float: the same modular reduction applied to the exact binary value, so that
// hash(2.0) == hash(2) and hash(0.5) == hash(Fraction(1, 2)).
std::int64_t hash_float(double value) {
    if (std::isinf(value)) return value > 0 ? 314159 : -314159;
    if (std::isnan(value)) return 0; // nan != nan, so any value is consistent
    int exponent = 0;
    double mantissa = std::frexp(value, &exponent);
    std::int64_t sign = 1;
    if (mantissa < 0) {
        sign = -1;
        mantissa = -mantissa;
    }
    std::uint64_t x = 0;
    while (mantissa != 0) {
        // Consume 28 bits at a time: x = x * 2^28 + next bits (mod 2^61-1, a rotation).
        x = ((x << 28) & hash_modulus) | (x >> (61 - 28));
        mantissa *= 268435456.0;
        exponent -= 28;
        const auto bits = static_cast<std::uint64_t>(mantissa);
        mantissa -= static_cast<double>(bits);
        x += bits;
        if (x >= hash_modulus) x -= hash_modulus;
    }
    // Multiply by 2^exponent modulo 2^61-1 (2^61 == 1, so only exponent mod 61 matters).
    const int shift = exponent >= 0 ? exponent % 61 : 61 - 1 - ((-1 - exponent) % 61);
    x = ((x << shift) & hash_modulus) | (x >> (61 - shift));
    const std::int64_t h = static_cast<std::int64_t>(x) * sign;
    return h == -1 ? -2 : h;
}

std::int64_t hash_text(std::string_view text) {
    return static_cast<std::int64_t>(std::hash<std::string_view>{}(text));
}

std::int64_t combine(std::int64_t seed, std::int64_t value) {
    auto s = static_cast<std::uint64_t>(seed);
    s ^= static_cast<std::uint64_t>(value) + 0x9E3779B97F4A7C15ULL + (s << 6) + (s >> 2);
    return static_cast<std::int64_t>(s);
}

// Exact int == float comparison, as Python does it (no rounding of the int to a double).
bool int_equals_float(std::int64_t i, double d) {
    if (!std::isfinite(d) || std::trunc(d) != d) return false;
    if (d < -9223372036854775808.0 || d >= 9223372036854775808.0) return false;
    return static_cast<std::int64_t>(d) == i;
}

bool is_number(ObjectKind k) {
    return k == ObjectKind::Bool || k == ObjectKind::Int || k == ObjectKind::BigInt || k == ObjectKind::Float;
}

const char hex_digits[] = "0123456789abcdef";

void append_hex(std::string& out, char prefix, std::uint32_t value, int digits) {
    out += '\\';
    out += prefix;
    for (int shift = 4 * (digits - 1); shift >= 0; shift -= 4)
        out += hex_digits[(value >> shift) & 0xF];
}

// Python's repr(str). Invalid UTF-8 bytes show as the surrogate escapes Python would hold for them.
void repr_str(std::string& out, std::string_view text) {
    const bool has_single = text.find('\'') != std::string_view::npos;
    const bool has_double = text.find('"') != std::string_view::npos;
    const char quote = has_single && !has_double ? '"' : '\'';
    out += quote;
    for (std::size_t pos = 0; pos < text.size();) {
        const detail::Utf8Char c = detail::decode_utf8(text, pos);
        if (!c.valid) {
            append_hex(out, 'u', 0xDC00 + c.code_point, 4);
            pos += 1;
            continue;
        }
        const char32_t cp = c.code_point;
        if (cp == static_cast<char32_t>(quote) || cp == U'\\') {
            out += '\\';
            out += static_cast<char>(cp);
        } else if (cp == U'\t') {
            out += "\\t";
        } else if (cp == U'\n') {
            out += "\\n";
        } else if (cp == U'\r') {
            out += "\\r";
        } else if (cp < 0x20 || cp == 0x7F) {
            append_hex(out, 'x', cp, 2);
        } else if (cp < 0x7F || detail::is_printable(cp)) {
            out.append(text.substr(pos, c.length));
        } else if (cp <= 0xFF) {
            append_hex(out, 'x', cp, 2);
        } else if (cp <= 0xFFFF) {
            append_hex(out, 'u', cp, 4);
        } else {
            append_hex(out, 'U', cp, 8);
        }
        pos += c.length;
    }
    out += quote;
}

// Python's repr(bytes). bytearray's repr escapes ' even inside "..." (CPython quirk).
void repr_bytes(std::string& out, std::string_view data, bool escape_single_quote = false) {
    const bool has_single = data.find('\'') != std::string_view::npos;
    const bool has_double = data.find('"') != std::string_view::npos;
    const char quote = has_single && !has_double ? '"' : '\'';
    out += 'b';
    out += quote;
    for (const char ch : data) {
        const auto c = static_cast<unsigned char>(ch);
        if (c == static_cast<unsigned char>(quote) || c == '\\' || (escape_single_quote && c == '\'')) {
            out += '\\';
            out += ch;
        } else if (c == '\t') {
            out += "\\t";
        } else if (c == '\n') {
            out += "\\n";
        } else if (c == '\r') {
            out += "\\r";
        } else if (c < 0x20 || c >= 0x7F) {
            append_hex(out, 'x', c, 2);
        } else {
            out += ch;
        }
    }
    out += quote;
}

// Python's repr(float): the shortest digits that round-trip (std::to_chars gives the same digits as
// CPython's dtoa), laid out positionally when the decimal exponent is in [-4, 16), else as 1e+16.
void repr_float(std::string& out, double value) {
    if (std::isnan(value)) {
        out += "nan";
        return;
    }
    if (std::isinf(value)) {
        out += value > 0 ? "inf" : "-inf";
        return;
    }
    char buffer[64];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::scientific);
    std::string_view sci(buffer, static_cast<std::size_t>(result.ptr - buffer)); // "-1.2345e+16"
    if (!sci.empty() && sci.front() == '-') {
        out += '-';
        sci.remove_prefix(1);
    }
    const std::size_t e_pos = sci.find('e');
    std::string digits;
    for (const char c : sci.substr(0, e_pos))
        if (c != '.') digits += c;
    int exponent = 0;
    const std::string_view exp_text = sci.substr(e_pos + 1);
    std::from_chars(exp_text.data() + (exp_text.front() == '+' ? 1 : 0), exp_text.data() + exp_text.size(),
                    exponent);
    const int point = exponent + 1; // value = 0.<digits> * 10^point
    const int ndigits = static_cast<int>(digits.size());
    if (point > 16 || point < -3) {
        out += digits[0];
        if (ndigits > 1) {
            out += '.';
            out.append(digits, 1);
        }
        out += 'e';
        out += exponent < 0 ? '-' : '+';
        const int magnitude = exponent < 0 ? -exponent : exponent;
        if (magnitude < 10) out += '0';
        out += std::to_string(magnitude);
    } else if (point <= 0) {
        out += "0.";
        out.append(static_cast<std::size_t>(-point), '0');
        out += digits;
    } else if (point >= ndigits) {
        out += digits;
        out.append(static_cast<std::size_t>(point - ndigits), '0');
        out += ".0";
    } else {
        out.append(digits, 0, static_cast<std::size_t>(point));
        out += '.';
        out.append(digits, static_cast<std::size_t>(point));
    }
}

template <class Items> void repr_items(std::string& out, const Items& items) {
    bool first = true;
    for (const auto& item : items) {
        if (!first) out += ", ";
        first = false;
        out += item.repr();
    }
}

const char* kind_name(ObjectKind kind) {
    switch (kind) {
    case ObjectKind::None:
        return "NoneType";
    case ObjectKind::Bool:
        return "bool";
    case ObjectKind::Int:
    case ObjectKind::BigInt:
        return "int";
    case ObjectKind::Float:
        return "float";
    case ObjectKind::Str:
        return "str";
    case ObjectKind::Bytes:
        return "bytes";
    case ObjectKind::ByteArray:
        return "bytearray";
    case ObjectKind::List:
        return "list";
    case ObjectKind::Tuple:
        return "tuple";
    case ObjectKind::Dict:
        return "dict";
    case ObjectKind::Set:
        return "set";
    case ObjectKind::FrozenSet:
        return "frozenset";
    case ObjectKind::Handle:
        return "handle";
    case ObjectKind::Exception:
        return "exception";
    }
    return "object";
}

} // namespace

// ---------------------------------------------------------------------------------------------------
// ExceptionValue

void ExceptionValue::raise() const {
    if (!has_exception_type(type)) throw RemoteError(type, message, traceback);
    throw_by_type_name(type, message);
}

ExceptionValue ExceptionValue::current() {
    const std::exception_ptr active = std::current_exception();
    if (!active) return {"RuntimeError", "No active exception", ""};
    try {
        std::rethrow_exception(active);
    } catch (const Exception& e) {
        return {std::string(e.type_name()), e.message(), ""};
    } catch (const std::invalid_argument& e) {
        return {"ValueError", e.what(), ""};
    } catch (const std::domain_error& e) {
        return {"ValueError", e.what(), ""};
    } catch (const std::out_of_range& e) {
        return {"IndexError", e.what(), ""};
    } catch (const std::overflow_error& e) {
        return {"OverflowError", e.what(), ""};
    } catch (const std::bad_alloc& e) {
        return {"MemoryError", e.what(), ""};
    } catch (const std::exception& e) {
        return {"RuntimeError", e.what(), ""};
    } catch (...) {
        return {"Exception", "unknown C++ exception", ""};
    }
}

// ---------------------------------------------------------------------------------------------------
// HashIndex

namespace detail {
namespace {
// Python's int hashes are the values themselves; spread them before masking to avoid long probe runs.
std::size_t spread(std::int64_t hash) {
    auto x = static_cast<std::uint64_t>(hash);
    x ^= x >> 33;
    x *= 0xFF51AFD7ED558CCDULL;
    x ^= x >> 33;
    return static_cast<std::size_t>(x);
}
} // namespace

std::size_t HashIndex::start_slot(std::int64_t hash) const noexcept {
    return spread(hash) & (slots_.size() - 1);
}

void HashIndex::push_back(std::int64_t hash) {
    hashes_.push_back(hash);
    if (hashes_.size() * 3 > slots_.size() * 2) {
        rebuild(std::max<std::size_t>(8, slots_.size() * 2));
    } else {
        place(hash, hashes_.size() - 1);
    }
}

void HashIndex::erase(std::size_t position) {
    hashes_.erase(hashes_.begin() + static_cast<std::ptrdiff_t>(position));
    rebuild(slots_.size());
}

void HashIndex::clear() noexcept {
    hashes_.clear();
    slots_.clear();
}

void HashIndex::rebuild(std::size_t slot_count) {
    slots_.assign(slot_count, 0);
    for (std::size_t i = 0; i < hashes_.size(); ++i)
        place(hashes_[i], i);
}

void HashIndex::place(std::int64_t hash, std::size_t position) {
    const std::size_t mask = slots_.size() - 1;
    std::size_t i = start_slot(hash);
    while (slots_[i] != 0)
        i = (i + 1) & mask;
    slots_[i] = static_cast<std::uint32_t>(position + 1);
}

void throw_wrong_type(std::string_view expected, const Object& actual) {
    throw TypeError("expected " + std::string(expected) + ", got " + actual.type_name());
}

void throw_unpack_count(std::size_t expected, std::size_t actual) {
    if (actual > expected)
        throw ValueError("too many values to unpack (expected " + std::to_string(expected) + ")");
    throw ValueError("not enough values to unpack (expected " + std::to_string(expected) + ", got " +
                     std::to_string(actual) + ")");
}

void throw_int_overflow(std::string_view target, bool negative_into_unsigned) {
    if (negative_into_unsigned) throw OverflowError("can't convert negative int to unsigned");
    throw OverflowError("Python int too large to convert to " + std::string(target));
}

const std::vector<Object>& sequence_items(const Object& object, std::optional<std::size_t> count) {
    if (!object.is_list() && !object.is_tuple()) throw_wrong_type("list or tuple", object);
    const auto& items = object.items();
    if (count && items.size() != *count) throw_unpack_count(*count, items.size());
    return items;
}

} // namespace detail

// ---------------------------------------------------------------------------------------------------
// Object

Object::Object(const char* text) {
    if (text == nullptr) throw TypeError("a null const char* is not a str");
    value_.emplace<index(Kind::Str)>(text);
}

Object::Object(BigInt value) {
    if (auto small = value.to_int64()) {
        value_.emplace<index(Kind::Int)>(*small);
    } else {
        value_.emplace<index(Kind::BigInt)>(std::move(value));
    }
}

Object::Object(Handle handle)
    : value_(std::in_place_index<index(Kind::Handle)>, std::move(handle)) {}

Object::Object(ExceptionValue exception)
    : value_(std::in_place_index<index(Kind::Exception)>, std::move(exception)) {}

void Object::move_from(Object& other) noexcept {
    std::construct_at(&value_, std::move(other.value_));
    other.value_.emplace<index(Kind::None)>();
}

// Takes the value out first: `other` may live inside the value being replaced (x = std::move(x[0])).
Object& Object::move_assign_other(Object& other) noexcept {
    if (this == &other) return *this;
    Object taken(std::move(other));
    if (!is_scalar(value_.index())) std::destroy_at(&value_);
    if (is_scalar(taken.value_.index())) {
        place_scalar(value_, taken.value_);
    } else {
        std::construct_at(&value_, std::move(taken.value_));
    }
    return *this;
}

Object& Object::operator=(const Object& other) {
    // Copy first: `other` may live inside the value being replaced (x = x[0]).
    Object copy(other);
    return *this = std::move(copy);
}

Object Object::bytes(std::string data) {
    Object o;
    o.value_.emplace<index(Kind::Bytes)>(std::move(data));
    return o;
}

Object Object::bytearray(std::string data) {
    Object o;
    o.value_.emplace<index(Kind::ByteArray)>(std::move(data));
    return o;
}

Object Object::list(std::vector<Object> items) {
    Object o;
    o.value_.emplace<index(Kind::List)>(std::move(items));
    return o;
}

Object Object::tuple(std::vector<Object> items) {
    Object o;
    o.value_.emplace<index(Kind::Tuple)>(std::move(items));
    return o;
}

Object Object::dict() {
    return dict(Dict{});
}

Object Object::dict(std::initializer_list<std::pair<Object, Object>> items) {
    Dict d;
    for (const auto& [k, v] : items)
        d.set(k, v);
    return dict(std::move(d));
}

Object Object::dict(Dict items) {
    Object o;
    o.value_.emplace<index(Kind::Dict)>(std::move(items));
    return o;
}

Object Object::set(std::vector<Object> items) {
    Set s;
    for (auto& item : items)
        s.add(std::move(item));
    return set(std::move(s));
}

Object Object::set(Set items) {
    Object o;
    o.value_.emplace<index(Kind::Set)>(std::move(items));
    return o;
}

Object Object::frozenset(std::vector<Object> items) {
    Set s;
    for (auto& item : items)
        s.add(std::move(item));
    return frozenset(std::move(s));
}

Object Object::frozenset(Set items) {
    Object o;
    o.value_.emplace<index(Kind::FrozenSet)>(std::move(items));
    return o;
}

Object Object::parse_int(std::string_view text) {
    return Object(BigInt::from_decimal(text));
}

std::string Object::type_name() const {
    if (is_handle()) return as_handle().kind;
    if (is_exception()) return as_exception().type;
    return kind_name(kind());
}

void Object::wrong_kind(std::string_view expected) const {
    detail::throw_wrong_type(expected, *this);
}

bool Object::as_bool() const {
    if (!is_bool()) wrong_kind("bool");
    return std::get<index(Kind::Bool)>(value_);
}

std::int64_t Object::as_int_other() const {
    switch (kind()) {
    case Kind::Bool:
        return std::get<index(Kind::Bool)>(value_) ? 1 : 0;
    case Kind::Int:
        return std::get<index(Kind::Int)>(value_);
    case Kind::BigInt:
        throw OverflowError("Python int too large to convert to int64_t");
    default:
        wrong_kind("int");
    }
}

BigInt Object::as_big_int() const {
    if (is_big_int()) return std::get<index(Kind::BigInt)>(value_).get();
    return BigInt(as_int());
}

double Object::as_float() const {
    switch (kind()) {
    case Kind::Float:
        return std::get<index(Kind::Float)>(value_);
    case Kind::Bool:
    case Kind::Int:
        return static_cast<double>(as_int());
    case Kind::BigInt:
        return std::get<index(Kind::BigInt)>(value_).get().to_double();
    default:
        wrong_kind("float");
    }
}

const std::string& Object::as_str() const {
    if (!is_str()) wrong_kind("str");
    return std::get<index(Kind::Str)>(value_);
}

std::string& Object::as_str() {
    if (!is_str()) wrong_kind("str");
    return std::get<index(Kind::Str)>(value_);
}

const std::string& Object::as_bytes() const {
    if (is_bytes()) return std::get<index(Kind::Bytes)>(value_);
    if (is_bytearray()) return std::get<index(Kind::ByteArray)>(value_);
    wrong_kind("bytes");
}

std::string& Object::as_bytes() {
    if (is_bytes()) return std::get<index(Kind::Bytes)>(value_);
    if (is_bytearray()) return std::get<index(Kind::ByteArray)>(value_);
    wrong_kind("bytes");
}

const std::vector<Object>& Object::items() const {
    if (is_list()) return std::get<index(Kind::List)>(value_).get();
    if (is_tuple()) return std::get<index(Kind::Tuple)>(value_).get();
    wrong_kind("list or tuple");
}

std::vector<Object>& Object::items() {
    if (is_list()) return std::get<index(Kind::List)>(value_).get();
    if (is_tuple()) return std::get<index(Kind::Tuple)>(value_).get();
    wrong_kind("list or tuple");
}

const Dict& Object::as_dict() const {
    if (!is_dict()) wrong_kind("dict");
    return std::get<index(Kind::Dict)>(value_).get();
}

Dict& Object::as_dict() {
    if (!is_dict()) wrong_kind("dict");
    return std::get<index(Kind::Dict)>(value_).get();
}

const Set& Object::as_set() const {
    if (is_set()) return std::get<index(Kind::Set)>(value_).get();
    if (is_frozenset()) return std::get<index(Kind::FrozenSet)>(value_).get();
    wrong_kind("set");
}

Set& Object::as_set() {
    if (is_set()) return std::get<index(Kind::Set)>(value_).get();
    if (is_frozenset()) return std::get<index(Kind::FrozenSet)>(value_).get();
    wrong_kind("set");
}

const Handle& Object::as_handle() const {
    if (!is_handle()) wrong_kind("handle");
    return std::get<index(Kind::Handle)>(value_).get();
}

Handle& Object::as_handle() {
    if (!is_handle()) wrong_kind("handle");
    return std::get<index(Kind::Handle)>(value_).get();
}

const ExceptionValue& Object::as_exception() const {
    if (!is_exception()) wrong_kind("exception");
    return std::get<index(Kind::Exception)>(value_).get();
}

ExceptionValue& Object::as_exception() {
    if (!is_exception()) wrong_kind("exception");
    return std::get<index(Kind::Exception)>(value_).get();
}

std::size_t Object::size() const {
    switch (kind()) {
    case Kind::Str: {
        const std::string& text = as_str();
        std::size_t count = 0;
        for (std::size_t pos = 0; pos < text.size(); ++count)
            pos += detail::decode_utf8(text, pos).length;
        return count;
    }
    case Kind::Bytes:
    case Kind::ByteArray:
        return as_bytes().size();
    case Kind::List:
    case Kind::Tuple:
        return items().size();
    case Kind::Dict:
        return as_dict().size();
    case Kind::Set:
    case Kind::FrozenSet:
        return as_set().size();
    default:
        throw TypeError("object of type '" + type_name() + "' has no len()");
    }
}

const Object& Object::operator[](std::size_t i) const {
    const auto& v = items();
    if (i >= v.size()) throw IndexError(std::string(kind_name(kind())) + " index out of range");
    return v[i];
}

Object& Object::operator[](std::size_t i) {
    auto& v = items();
    if (i >= v.size()) throw IndexError(std::string(kind_name(kind())) + " index out of range");
    return v[i];
}

void Object::append(Object item) {
    if (!is_list()) wrong_kind("list");
    std::get<index(Kind::List)>(value_).get().push_back(std::move(item));
}

bool Object::truthy() const {
    switch (kind()) {
    case Kind::None:
        return false;
    case Kind::Bool:
        return as_bool();
    case Kind::Int:
        return as_int() != 0;
    case Kind::BigInt:
        return true; // zero is always an Int
    case Kind::Float:
        return std::get<index(Kind::Float)>(value_) != 0.0;
    case Kind::Handle:
    case Kind::Exception:
        return true;
    default:
        return size() != 0;
    }
}

bool Object::operator==(const Object& other) const {
    const Kind a = kind();
    const Kind b = other.kind();
    if (is_number(a) && is_number(b)) {
        if (a == Kind::Float || b == Kind::Float) {
            const Object& f = a == Kind::Float ? *this : other;
            const Object& n = a == Kind::Float ? other : *this;
            const double d = std::get<index(Kind::Float)>(f.value_);
            if (n.is_float()) return d == std::get<index(Kind::Float)>(n.value_);
            if (n.is_big_int()) {
                const auto exact = BigInt::from_double(d);
                return exact && *exact == std::get<index(Kind::BigInt)>(n.value_).get();
            }
            return int_equals_float(n.as_int(), d);
        }
        if (a == Kind::BigInt || b == Kind::BigInt) {
            // A BigInt never holds an int64 value, so it only equals another BigInt.
            return a == b && std::get<index(Kind::BigInt)>(value_).get() ==
                                 std::get<index(Kind::BigInt)>(other.value_).get();
        }
        return as_int() == other.as_int();
    }
    switch (a) {
    case Kind::None:
        return b == Kind::None;
    case Kind::Str:
        return b == Kind::Str && as_str() == other.as_str();
    case Kind::Bytes:
    case Kind::ByteArray:
        return (b == Kind::Bytes || b == Kind::ByteArray) && as_bytes() == other.as_bytes();
    case Kind::List:
    case Kind::Tuple:
        return a == b && items() == other.items();
    case Kind::Dict:
        return b == Kind::Dict && as_dict() == other.as_dict();
    case Kind::Set:
    case Kind::FrozenSet:
        return (b == Kind::Set || b == Kind::FrozenSet) && as_set() == other.as_set();
    case Kind::Handle:
        return b == Kind::Handle && as_handle() == other.as_handle();
    case Kind::Exception:
        return b == Kind::Exception && as_exception() == other.as_exception();
    default:
        return false;
    }
}

std::int64_t Object::hash() const {
    switch (kind()) {
    case Kind::None:
        return 0x4E6F6E65; // any constant: there is one None
    case Kind::Bool:
    case Kind::Int:
        return hash_int(as_int());
    case Kind::BigInt:
        return std::get<index(Kind::BigInt)>(value_).get().python_hash();
    case Kind::Float:
        return hash_float(std::get<index(Kind::Float)>(value_));
    case Kind::Str:
        return hash_text(as_str());
    case Kind::Bytes:
        return hash_text(as_bytes());
    case Kind::Tuple: {
        std::int64_t h = 0x345678;
        for (const auto& item : items())
            h = combine(h, item.hash());
        return combine(h, static_cast<std::int64_t>(items().size()));
    }
    case Kind::FrozenSet: {
        // Order-independent: equal sets may have been filled in different orders.
        std::uint64_t h = 0x4672;
        for (const auto& item : as_set()) {
            const auto x = static_cast<std::uint64_t>(item.hash());
            h += (x ^ (x << 16) ^ 89869747ULL) * 3644798167ULL;
        }
        return static_cast<std::int64_t>(h);
    }
    case Kind::Handle: {
        const Handle& handle = as_handle();
        std::int64_t h = combine(hash_text(handle.kind), hash_text(handle.name));
        for (const auto v : handle.ints)
            h = combine(h, v);
        for (const auto fd : handle.fds)
            h = combine(h, fd);
        return h;
    }
    case Kind::Exception: {
        const ExceptionValue& e = as_exception();
        return combine(combine(hash_text(e.type), hash_text(e.message)), hash_text(e.traceback));
    }
    default:
        throw TypeError("unhashable type: '" + type_name() + "'");
    }
}

std::string Object::repr() const {
    std::string out;
    repr_into(out);
    return out;
}

void Object::repr_into(std::string& out) const {
    switch (kind()) {
    case Kind::None:
        out += "None";
        return;
    case Kind::Bool:
        out += as_bool() ? "True" : "False";
        return;
    case Kind::Int:
        out += std::to_string(as_int());
        return;
    case Kind::BigInt:
        out += std::get<index(Kind::BigInt)>(value_).get().to_decimal();
        return;
    case Kind::Float:
        repr_float(out, std::get<index(Kind::Float)>(value_));
        return;
    case Kind::Str:
        repr_str(out, as_str());
        return;
    case Kind::Bytes:
        repr_bytes(out, as_bytes());
        return;
    case Kind::ByteArray:
        out += "bytearray(";
        repr_bytes(out, as_bytes(), true);
        out += ')';
        return;
    case Kind::List:
        out += '[';
        repr_items(out, items());
        out += ']';
        return;
    case Kind::Tuple:
        out += '(';
        repr_items(out, items());
        if (items().size() == 1) out += ',';
        out += ')';
        return;
    case Kind::Dict: {
        out += '{';
        bool first = true;
        for (const auto& [k, v] : as_dict()) {
            if (!first) out += ", ";
            first = false;
            k.repr_into(out);
            out += ": ";
            v.repr_into(out);
        }
        out += '}';
        return;
    }
    case Kind::Set:
    case Kind::FrozenSet: {
        const bool frozen = is_frozenset();
        if (as_set().empty()) {
            out += frozen ? "frozenset()" : "set()";
            return;
        }
        out += frozen ? "frozenset({" : "{";
        repr_items(out, as_set());
        out += frozen ? "})" : "}";
        return;
    }
    case Kind::Handle: {
        const Handle& h = as_handle();
        out += '<' + h.kind + " handle name=";
        repr_str(out, h.name);
        out += " ints=[";
        for (std::size_t i = 0; i < h.ints.size(); ++i)
            out += (i ? ", " : "") + std::to_string(h.ints[i]);
        out += "] fds=[";
        for (std::size_t i = 0; i < h.fds.size(); ++i)
            out += (i ? ", " : "") + std::to_string(h.fds[i]);
        out += "]>";
        return;
    }
    case Kind::Exception: {
        // Python shows the constructor call: ValueError('bad'), or ValueError() without arguments.
        const ExceptionValue& e = as_exception();
        out += e.type;
        out += '(';
        if (!e.message.empty()) repr_str(out, e.message);
        out += ')';
        return;
    }
    }
}

std::string Object::str() const {
    if (is_str()) return as_str();
    if (is_exception()) return as_exception().message;
    return repr();
}

std::ostream& operator<<(std::ostream& out, const Object& object) {
    return out << object.str();
}

// ---------------------------------------------------------------------------------------------------
// Dict and Set

std::size_t Dict::position_of(const Object& key, std::int64_t hash) const {
    return index_.find(hash, [&](std::size_t p) { return entries_[p].first == key; });
}

void Dict::set(Object key, Object value) {
    const std::int64_t h = key.hash();
    const std::size_t p = position_of(key, h);
    if (p != detail::HashIndex::npos) {
        entries_[p].second = std::move(value);
        return;
    }
    entries_.emplace_back(std::move(key), std::move(value));
    index_.push_back(h);
}

Object& Dict::operator[](const Object& key) {
    const std::int64_t h = key.hash();
    const std::size_t p = position_of(key, h);
    if (p != detail::HashIndex::npos) return entries_[p].second;
    entries_.emplace_back(key, Object());
    index_.push_back(h);
    return entries_.back().second;
}

Object& Dict::at(const Object& key) {
    if (Object* v = find(key)) return *v;
    throw KeyError(key.repr());
}

const Object& Dict::at(const Object& key) const {
    if (const Object* v = find(key)) return *v;
    throw KeyError(key.repr());
}

Object* Dict::find(const Object& key) {
    const std::size_t p = position_of(key, key.hash());
    return p == detail::HashIndex::npos ? nullptr : &entries_[p].second;
}

const Object* Dict::find(const Object& key) const {
    const std::size_t p = position_of(key, key.hash());
    return p == detail::HashIndex::npos ? nullptr : &entries_[p].second;
}

bool Dict::erase(const Object& key) {
    const std::size_t p = position_of(key, key.hash());
    if (p == detail::HashIndex::npos) return false;
    entries_.erase(entries_.begin() + static_cast<std::ptrdiff_t>(p));
    index_.erase(p);
    return true;
}

void Dict::clear() noexcept {
    entries_.clear();
    index_.clear();
}

bool Dict::operator==(const Dict& other) const {
    if (size() != other.size()) return false;
    for (std::size_t i = 0; i < entries_.size(); ++i) {
        const auto& [k, v] = entries_[i];
        const std::size_t p = other.position_of(k, index_.hash_at(i));
        if (p == detail::HashIndex::npos || !(other.entries_[p].second == v)) return false;
    }
    return true;
}

std::size_t Set::position_of(const Object& item, std::int64_t hash) const {
    return index_.find(hash, [&](std::size_t p) { return items_[p] == item; });
}

bool Set::add(Object item) {
    const std::int64_t h = item.hash();
    if (position_of(item, h) != detail::HashIndex::npos) return false;
    items_.push_back(std::move(item));
    index_.push_back(h);
    return true;
}

bool Set::contains(const Object& item) const {
    return position_of(item, item.hash()) != detail::HashIndex::npos;
}

bool Set::erase(const Object& item) {
    const std::size_t p = position_of(item, item.hash());
    if (p == detail::HashIndex::npos) return false;
    items_.erase(items_.begin() + static_cast<std::ptrdiff_t>(p));
    index_.erase(p);
    return true;
}

void Set::clear() noexcept {
    items_.clear();
    index_.clear();
}

bool Set::operator==(const Set& other) const {
    if (size() != other.size()) return false;
    for (std::size_t i = 0; i < items_.size(); ++i)
        if (other.position_of(items_[i], index_.hash_at(i)) == detail::HashIndex::npos) return false;
    return true;
}

} // namespace mp
