#pragma once
// mp::Object: a value of one of the Python types that multiprocessing sends between processes, with
// Python's ==, hash, repr and str, and typed conversion to and from C++ values (mp::to_object /
// mp::from_object<T>). Objects have value semantics: copying copies the whole tree, moving is cheap and
// leaves the source None.
#include "mp/errors.hpp"

#include <array>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <iosfwd>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

namespace mp {

struct NoneType {
    bool operator==(const NoneType&) const = default;
};
inline constexpr NoneType None{};

// A reference to a process-shared thing (a Connection, a Lock, an arena segment ...). Pickled C++ <-> C++
// only, as REDUCE of the global `mpcore handle`.
struct Handle {
    std::string kind;               // e.g. "Connection", "Lock"
    std::string name;               // e.g. an arena segment name
    std::vector<std::int64_t> ints; // kind-specific (offsets, flags)
    std::vector<int> fds;           // file descriptors it refers to
    bool operator==(const Handle&) const = default;
};

// An exception travelling as a value: Python type name, str(exc), and formatted traceback text.
struct ExceptionValue {
    std::string type;
    std::string message;
    std::string traceback;

    // Throws the registered C++ type for `type` (for unknown names an mp::RemoteError carrying all three).
    [[noreturn]] void raise() const;
    // The exception being handled (call inside a catch block), mapped to Python's type names.
    static ExceptionValue current();

    bool operator==(const ExceptionValue&) const = default;
};

// Python's unbounded int for the values that do not fit in int64 (Object keeps smaller ones as Int).
class BigInt {
public:
    BigInt() = default;
    explicit BigInt(std::int64_t value);
    static BigInt from_unsigned(std::uint64_t value);
    // Python int("..."): optional sign, decimal digits, single underscores between digits, surrounding
    // whitespace. ValueError("invalid literal for int() with base 10: '...'") otherwise.
    static BigInt from_decimal(std::string_view text);
    // Two's-complement little-endian bytes, as carried by pickle's LONG1/LONG4 (empty means 0).
    static BigInt from_twos_complement(std::string_view little_endian);
    // The shortest two's-complement encoding (CPython's LONG1/LONG4 payload; empty for 0).
    std::string to_twos_complement() const;
    // Exact value of an integral double; nullopt for fractions, inf and nan.
    static std::optional<BigInt> from_double(double value);

    std::string to_decimal() const;
    std::optional<std::int64_t> to_int64() const;
    std::optional<std::uint64_t> to_uint64() const;
    double to_double() const; // correctly rounded; OverflowError beyond the float range
    std::int64_t python_hash() const;

    bool is_negative() const noexcept { return negative_; }
    bool is_zero() const noexcept { return magnitude_.empty(); }
    bool operator==(const BigInt&) const = default;

private:
    void trim();
    bool negative_ = false;
    std::vector<std::uint32_t> magnitude_; // base 2^32, least significant first, no leading zero limbs
};

class Object;
class Dict;
class Set;

namespace detail {

// Heap slot with deep-copy semantics so that recursive kinds keep Object small and cheap to move.
template <class T> class Box {
public:
    explicit Box(T value)
        : ptr_(std::make_unique<T>(std::move(value))) {}
    Box(const Box& other)
        : ptr_(std::make_unique<T>(*other.ptr_)) {}
    Box(Box&&) noexcept = default;
    Box& operator=(const Box& other) {
        ptr_ = std::make_unique<T>(*other.ptr_);
        return *this;
    }
    Box& operator=(Box&&) noexcept = default;
    ~Box() = default;
    T& get() noexcept { return *ptr_; }
    const T& get() const noexcept { return *ptr_; }

private:
    std::unique_ptr<T> ptr_;
};

// Insertion-ordered open-addressing index shared by Dict and Set: maps a hash to entry positions.
class HashIndex {
public:
    // Position of the entry with hash `hash` for which `matches(position)` holds, or npos.
    template <class Matches> std::size_t find(std::int64_t hash, Matches&& matches) const {
        if (slots_.empty()) return npos;
        const std::size_t mask = slots_.size() - 1;
        for (std::size_t i = start_slot(hash);; i = (i + 1) & mask) {
            const std::uint32_t slot = slots_[i];
            if (slot == 0) return npos;
            const std::size_t position = slot - 1;
            if (hashes_[position] == hash && matches(position)) return position;
        }
    }
    void push_back(std::int64_t hash); // registers the entry appended at position size()
    void erase(std::size_t position);  // the entry at `position` was removed; later ones shift down
    void clear() noexcept;
    std::int64_t hash_at(std::size_t position) const noexcept { return hashes_[position]; }
    static constexpr std::size_t npos = static_cast<std::size_t>(-1);

private:
    std::size_t start_slot(std::int64_t hash) const noexcept;
    void rebuild(std::size_t slot_count);
    void place(std::int64_t hash, std::size_t position);
    std::vector<std::int64_t> hashes_;
    std::vector<std::uint32_t> slots_; // 0 = empty, else position + 1; size is a power of two
};

} // namespace detail

enum class ObjectKind : std::uint8_t {
    None,
    Bool,
    Int,
    BigInt,
    Float,
    Str,
    Bytes,
    ByteArray,
    List,
    Tuple,
    Dict,
    Set,
    FrozenSet,
    Handle,
    Exception
};

namespace detail {
constexpr std::size_t kind_index(ObjectKind k) noexcept {
    return static_cast<std::size_t>(k);
}
} // namespace detail

class Object {
public:
    using Kind = ObjectKind;

    Object() noexcept {}
    Object(NoneType) noexcept {}
    // Templates so that pointers and other scalars do not silently become bool or int.
    template <class T>
    requires std::same_as<T, bool> Object(T value)
    noexcept
        : value_(std::in_place_index<detail::kind_index(Kind::Bool)>, value) {}
    template <class T>
    requires std::integral<T> &&(!std::same_as<T, bool>)Object(T value) {
        if constexpr (std::is_unsigned_v<T> && sizeof(T) >= sizeof(std::int64_t)) {
            if (value > static_cast<std::uint64_t>(INT64_MAX)) {
                value_.template emplace<detail::kind_index(Kind::BigInt)>(BigInt::from_unsigned(value));
                return;
            }
        }
        // Over the None value_ starts as, which needs no destruction (emplace would visit it).
        std::construct_at(&value_, std::in_place_index<detail::kind_index(Kind::Int)>,
                          static_cast<std::int64_t>(value));
    }
    template <std::floating_point T>
    Object(T value) noexcept
        : value_(std::in_place_index<detail::kind_index(Kind::Float)>, static_cast<double>(value)) {}
    Object(const char* text);
    Object(std::string text) noexcept
        : value_(std::in_place_index<detail::kind_index(Kind::Str)>, std::move(text)) {}
    Object(std::string_view text)
        : value_(std::in_place_index<detail::kind_index(Kind::Str)>, text) {}
    Object(BigInt value); // stored as Int when it fits
    Object(Handle handle);
    Object(ExceptionValue exception);

    Object(const Object& other);
    Object(Object&& other) noexcept;
    Object& operator=(const Object& other);
    Object& operator=(Object&& other) noexcept;
    ~Object();

    static Object bytes(std::string data);
    static Object bytearray(std::string data);
    static Object list(std::vector<Object> items = {});
    static Object tuple(std::vector<Object> items = {});
    template <class... Ts>
    requires(sizeof...(Ts) > 0) static Object tuple(Ts&&... items) {
        std::vector<Object> v;
        v.reserve(sizeof...(Ts));
        (v.emplace_back(std::forward<Ts>(items)), ...);
        return tuple(std::move(v));
    }
    static Object dict();
    static Object dict(std::initializer_list<std::pair<Object, Object>> items);
    static Object dict(Dict items);
    static Object set(std::vector<Object> items = {}); // TypeError for unhashable items
    static Object set(Set items);
    static Object frozenset(std::vector<Object> items = {});
    static Object frozenset(Set items);
    // Python int(text): the value as Int or BigInt.
    static Object parse_int(std::string_view text);

    Kind kind() const noexcept { return static_cast<Kind>(value_.index()); }
    // Python's type name ("NoneType", "int", "list" ...); a handle's kind; an exception's type.
    std::string type_name() const;
    bool is_none() const noexcept { return kind() == Kind::None; }
    bool is_bool() const noexcept { return kind() == Kind::Bool; }
    // Int or BigInt (not bool, although as_int() accepts a bool like Python does).
    bool is_int() const noexcept { return kind() == Kind::Int || kind() == Kind::BigInt; }
    bool is_big_int() const noexcept { return kind() == Kind::BigInt; }
    bool is_float() const noexcept { return kind() == Kind::Float; }
    bool is_str() const noexcept { return kind() == Kind::Str; }
    bool is_bytes() const noexcept { return kind() == Kind::Bytes; }
    bool is_bytearray() const noexcept { return kind() == Kind::ByteArray; }
    bool is_list() const noexcept { return kind() == Kind::List; }
    bool is_tuple() const noexcept { return kind() == Kind::Tuple; }
    bool is_dict() const noexcept { return kind() == Kind::Dict; }
    bool is_set() const noexcept { return kind() == Kind::Set; }
    bool is_frozenset() const noexcept { return kind() == Kind::FrozenSet; }
    bool is_handle() const noexcept { return kind() == Kind::Handle; }
    bool is_exception() const noexcept { return kind() == Kind::Exception; }

    // Typed access: TypeError("expected <x>, got <type>") on the wrong kind.
    bool as_bool() const;
    std::int64_t as_int() const { // int or bool; OverflowError for a BigInt
        // Inline for an int: typed tasks and pickle read them by the hundred thousand.
        if (kind() == Kind::Int) return *std::get_if<index(Kind::Int)>(&value_);
        return as_int_other();
    }
    BigInt as_big_int() const; // any int or bool
    double as_float() const;   // float, int or bool; OverflowError for a BigInt beyond float
    const std::string& as_str() const;
    std::string& as_str();
    const std::string& as_bytes() const; // bytes or bytearray
    std::string& as_bytes();
    const std::vector<Object>& items() const; // list or tuple
    std::vector<Object>& items();
    const Dict& as_dict() const;
    Dict& as_dict();
    const Set& as_set() const; // set or frozenset
    Set& as_set();
    const Handle& as_handle() const;
    Handle& as_handle();
    const ExceptionValue& as_exception() const;
    ExceptionValue& as_exception();

    // Python len(): code points of a str, bytes of bytes, items of containers; TypeError otherwise.
    std::size_t size() const;
    // list/tuple element; IndexError("list index out of range") past the end.
    const Object& operator[](std::size_t i) const;
    Object& operator[](std::size_t i);
    void append(Object item); // list only
    bool truthy() const;      // Python bool(x)

    // Python ==: 1 == 1.0 == True, [1] != (1,), set == frozenset, nan != nan.
    bool operator==(const Object& other) const;
    // Python hash(); numbers hash exactly as in CPython so equal numbers hash equal. TypeError
    // ("unhashable type: 'list'") for list, dict, set and bytearray.
    std::int64_t hash() const;
    std::string repr() const;
    std::string str() const;

private:
    friend class Dict;
    friend class Set;
    static constexpr auto index = detail::kind_index;
    [[noreturn]] void wrong_kind(std::string_view expected) const;
    std::int64_t as_int_other() const;
    void move_from(Object& other) noexcept; // the move constructor for values that are not scalars
    Object& move_assign_other(Object& other) noexcept;
    void repr_into(std::string& out) const;

    // Alternative i holds the value of Kind i.
    using Storage = std::variant<NoneType, bool, std::int64_t, detail::Box<BigInt>, double, std::string,
                                 std::string, std::string, detail::Box<std::vector<Object>>,
                                 detail::Box<std::vector<Object>>, detail::Box<Dict>, detail::Box<Set>,
                                 detail::Box<Set>, detail::Box<Handle>, detail::Box<ExceptionValue>>;
    // None, bool, int and float: nothing to free, so copies, moves and destruction skip the variant's
    // visit for them (the bulk of the Objects in a large list).
    static constexpr bool is_scalar(std::size_t i) noexcept {
        return i == index(Kind::None) || i == index(Kind::Bool) || i == index(Kind::Int) ||
               i == index(Kind::Float);
    }
    static Storage copy_of(const Storage& value);
    // Constructs in `to`, which holds no value needing destruction, the scalar `from` holds.
    static void place_scalar(Storage& to, const Storage& from) noexcept;

    // In a union so that ~Object alone decides whether the variant needs destroying. Made None in place:
    // `{}` would value-initialize the variant, zeroing all 40 bytes of every Object first.
    union {
        Storage value_{std::in_place_index<0>};
    };
};

std::ostream& operator<<(std::ostream& out, const Object& object); // prints str()

// Python dict: insertion ordered, keys hashed and compared with Python semantics.
class Dict {
public:
    using value_type = std::pair<Object, Object>;
    using const_iterator = std::vector<value_type>::const_iterator;

    Dict() = default;
    // Inserts or replaces the value; an existing equal key keeps its original object (Python).
    void set(Object key, Object value);
    Object& operator[](const Object& key); // inserts None when absent
    Object& at(const Object& key);         // KeyError(repr(key)) when absent
    const Object& at(const Object& key) const;
    Object* find(const Object& key);
    const Object* find(const Object& key) const;
    bool contains(const Object& key) const { return find(key) != nullptr; }
    bool erase(const Object& key); // true when a key was removed
    void clear() noexcept;
    std::size_t size() const noexcept { return entries_.size(); }
    bool empty() const noexcept { return entries_.empty(); }
    const_iterator begin() const noexcept { return entries_.begin(); }
    const_iterator end() const noexcept { return entries_.end(); }
    bool operator==(const Dict& other) const; // order-insensitive, like Python

private:
    std::size_t position_of(const Object& key, std::int64_t hash) const;
    std::vector<value_type> entries_;
    detail::HashIndex index_;
};

// Python set / frozenset contents: insertion ordered, duplicates (by Python ==) dropped.
class Set {
public:
    using value_type = Object;
    using const_iterator = std::vector<Object>::const_iterator;

    Set() = default;
    bool add(Object item); // true when inserted
    bool contains(const Object& item) const;
    bool erase(const Object& item);
    void clear() noexcept;
    std::size_t size() const noexcept { return items_.size(); }
    bool empty() const noexcept { return items_.empty(); }
    const_iterator begin() const noexcept { return items_.begin(); }
    const_iterator end() const noexcept { return items_.end(); }
    bool operator==(const Set& other) const;

private:
    std::size_t position_of(const Object& item, std::int64_t hash) const;
    std::vector<Object> items_;
    detail::HashIndex index_;
};

inline Object::Storage Object::copy_of(const Storage& value) {
    switch (value.index()) {
    case index(Kind::None):
        return Storage();
    case index(Kind::Bool):
        return Storage(std::in_place_index<index(Kind::Bool)>, *std::get_if<index(Kind::Bool)>(&value));
    case index(Kind::Int):
        return Storage(std::in_place_index<index(Kind::Int)>, *std::get_if<index(Kind::Int)>(&value));
    case index(Kind::Float):
        return Storage(std::in_place_index<index(Kind::Float)>, *std::get_if<index(Kind::Float)>(&value));
    default:
        return value;
    }
}

// Without std::variant's move or assignment, which dispatch through a table of functions even for an int.
[[gnu::always_inline]] inline void Object::place_scalar(Storage& to, const Storage& from) noexcept {
    switch (from.index()) {
    case index(Kind::Bool):
        std::construct_at(&to, std::in_place_index<index(Kind::Bool)>,
                          *std::get_if<index(Kind::Bool)>(&from));
        return;
    case index(Kind::Int):
        std::construct_at(&to, std::in_place_index<index(Kind::Int)>, *std::get_if<index(Kind::Int)>(&from));
        return;
    case index(Kind::Float):
        std::construct_at(&to, std::in_place_index<index(Kind::Float)>,
                          *std::get_if<index(Kind::Float)>(&from));
        return;
    default:
        std::construct_at(&to);
        return;
    }
}

inline Object::Object(const Object& other)
    : value_(copy_of(other.value_)) {}

// Leaves None behind. The other kinds are moved out of line, so that this inlines into loops over items.
[[gnu::always_inline]] inline Object::Object(Object&& other) noexcept {
    if (is_scalar(other.value_.index())) {
        place_scalar(value_, other.value_);
        std::construct_at(&other.value_); // a scalar needs no destruction
    } else {
        move_from(other);
    }
}

// A scalar over a scalar inline; the rest out of line (move_assign_other).
[[gnu::always_inline]] inline Object& Object::operator=(Object&& other) noexcept {
    if (is_scalar(other.value_.index()) && is_scalar(value_.index())) {
        if (this != &other) {
            place_scalar(value_, other.value_);
            std::construct_at(&other.value_);
        }
        return *this;
    }
    return move_assign_other(other);
}

inline Object::~Object() {
    if (!is_scalar(value_.index())) std::destroy_at(&value_);
}

// ---------------------------------------------------------------------------------------------------
// Typed conversion. Convert<T> provides `static Object to(const T&)` and `static T from(const Object&)`.

template <class T> struct Convert;

template <class T> Object to_object(const T& value) {
    return Convert<T>::to(value);
}
inline Object to_object(const char* text) {
    return Object(text);
}
template <class T> T from_object(const Object& object) {
    return Convert<std::remove_cv_t<T>>::from(object);
}

// Python's args=(...): a tuple of the converted values.
template <class... Ts> Object args(Ts&&... values) {
    std::vector<Object> items;
    items.reserve(sizeof...(Ts));
    (items.push_back(to_object(values)), ...);
    return Object::tuple(std::move(items));
}

namespace detail {

[[noreturn]] void throw_wrong_type(std::string_view expected, const Object& actual);
[[noreturn]] void throw_unpack_count(std::size_t expected, std::size_t actual);
[[noreturn]] void throw_int_overflow(std::string_view target, bool negative_into_unsigned);

template <class T> constexpr std::string_view integer_name() {
    constexpr bool s = std::is_signed_v<T>;
    switch (sizeof(T)) {
    case 1:
        return s ? "int8_t" : "uint8_t";
    case 2:
        return s ? "int16_t" : "uint16_t";
    case 4:
        return s ? "int32_t" : "uint32_t";
    default:
        return s ? "int64_t" : "uint64_t";
    }
}

// The items of a list or tuple, checked to hold exactly `count` (Python's unpacking).
const std::vector<Object>& sequence_items(const Object& object, std::optional<std::size_t> count);

template <class Tuple, std::size_t... I>
Tuple tuple_from_items(const std::vector<Object>& items, std::index_sequence<I...>) {
    return Tuple{from_object<std::tuple_element_t<I, Tuple>>(items[I])...};
}

} // namespace detail

template <> struct Convert<Object> {
    static Object to(const Object& value) { return value; }
    static Object from(const Object& object) { return object; }
};

template <> struct Convert<NoneType> {
    static Object to(NoneType) { return Object(); }
    static NoneType from(const Object& object) {
        if (!object.is_none()) detail::throw_wrong_type("None", object);
        return None;
    }
};

template <> struct Convert<bool> {
    static Object to(bool value) { return Object(value); }
    static bool from(const Object& object) { return object.as_bool(); }
};

template <class T>
requires std::integral<T> &&(!std::same_as<T, bool>)struct Convert<T> {
    static Object to(T value) { return Object(value); }
    static T from(const Object& object) {
        if constexpr (std::is_unsigned_v<T> && sizeof(T) == sizeof(std::uint64_t)) {
            if (object.is_big_int()) {
                const BigInt big = object.as_big_int();
                if (auto v = big.to_uint64()) return static_cast<T>(*v);
                detail::throw_int_overflow(detail::integer_name<T>(), big.is_negative());
            }
        }
        const std::int64_t v = object.as_int();
        if constexpr (std::is_unsigned_v<T>) {
            if (v < 0) detail::throw_int_overflow(detail::integer_name<T>(), true);
            if (static_cast<std::uint64_t>(v) > std::numeric_limits<T>::max())
                detail::throw_int_overflow(detail::integer_name<T>(), false);
        } else if constexpr (sizeof(T) < sizeof(std::int64_t)) {
            if (v < std::numeric_limits<T>::min() || v > std::numeric_limits<T>::max())
                detail::throw_int_overflow(detail::integer_name<T>(), false);
        }
        return static_cast<T>(v);
    }
};

template <std::floating_point T> struct Convert<T> {
    static Object to(T value) { return Object(value); }
    static T from(const Object& object) { return static_cast<T>(object.as_float()); }
};

template <> struct Convert<std::string> {
    static Object to(const std::string& value) { return Object(value); }
    static std::string from(const Object& object) { return object.as_str(); }
};

template <> struct Convert<std::string_view> {
    static Object to(std::string_view value) { return Object(value); }
};

template <> struct Convert<const char*> {
    static Object to(const char* value) { return Object(value); }
};

template <std::size_t N> struct Convert<char[N]> {
    static Object to(const char* value) { return Object(value); }
};

template <> struct Convert<BigInt> {
    static Object to(const BigInt& value) { return Object(value); }
    static BigInt from(const Object& object) { return object.as_big_int(); }
};

template <> struct Convert<Handle> {
    static Object to(const Handle& value) { return Object(value); }
    static Handle from(const Object& object) { return object.as_handle(); }
};

template <> struct Convert<ExceptionValue> {
    static Object to(const ExceptionValue& value) { return Object(value); }
    static ExceptionValue from(const Object& object) { return object.as_exception(); }
};

template <> struct Convert<Dict> {
    static Object to(const Dict& value) { return Object::dict(value); }
    static Dict from(const Object& object) { return object.as_dict(); }
};

template <> struct Convert<Set> {
    static Object to(const Set& value) { return Object::set(value); }
    static Set from(const Object& object) { return object.as_set(); }
};

template <class T, class A> struct Convert<std::vector<T, A>> {
    static Object to(const std::vector<T, A>& values) {
        std::vector<Object> items;
        items.reserve(values.size());
        for (const auto& v : values)
            items.push_back(to_object<T>(v));
        return Object::list(std::move(items));
    }
    static std::vector<T, A> from(const Object& object) {
        const auto& items = detail::sequence_items(object, std::nullopt);
        std::vector<T, A> values;
        values.reserve(items.size());
        for (const auto& item : items)
            values.push_back(from_object<T>(item));
        return values;
    }
};

template <class T, std::size_t N> struct Convert<std::array<T, N>> {
    static Object to(const std::array<T, N>& values) {
        std::vector<Object> items;
        items.reserve(N);
        for (const auto& v : values)
            items.push_back(to_object<T>(v));
        return Object::list(std::move(items));
    }
    static std::array<T, N> from(const Object& object) {
        const auto& items = detail::sequence_items(object, N);
        std::array<T, N> values{};
        for (std::size_t i = 0; i < N; ++i)
            values[i] = from_object<T>(items[i]);
        return values;
    }
};

template <class A, class B> struct Convert<std::pair<A, B>> {
    static Object to(const std::pair<A, B>& value) {
        return Object::tuple(std::vector<Object>{to_object<A>(value.first), to_object<B>(value.second)});
    }
    static std::pair<A, B> from(const Object& object) {
        const auto& items = detail::sequence_items(object, 2);
        return {from_object<A>(items[0]), from_object<B>(items[1])};
    }
};

template <class... Ts> struct Convert<std::tuple<Ts...>> {
    static Object to(const std::tuple<Ts...>& value) {
        return std::apply(
            [](const Ts&... v) { return Object::tuple(std::vector<Object>{to_object<Ts>(v)...}); }, value);
    }
    static std::tuple<Ts...> from(const Object& object) {
        const auto& items = detail::sequence_items(object, sizeof...(Ts));
        return detail::tuple_from_items<std::tuple<Ts...>>(items, std::index_sequence_for<Ts...>{});
    }
};

template <class T> struct Convert<std::optional<T>> {
    static Object to(const std::optional<T>& value) { return value ? to_object<T>(*value) : Object(); }
    static std::optional<T> from(const Object& object) {
        if (object.is_none()) return std::nullopt;
        return from_object<T>(object);
    }
};

namespace detail {
template <class Map> struct MapConvert {
    using K = typename Map::key_type;
    using V = typename Map::mapped_type;
    static Object to(const Map& values) {
        Dict d;
        for (const auto& [k, v] : values)
            d.set(to_object<K>(k), to_object<V>(v));
        return Object::dict(std::move(d));
    }
    static Map from(const Object& object) {
        Map values;
        for (const auto& [k, v] : object.as_dict())
            values.emplace(from_object<K>(k), from_object<V>(v));
        return values;
    }
};
} // namespace detail

template <class K, class V, class C, class A>
struct Convert<std::map<K, V, C, A>> : detail::MapConvert<std::map<K, V, C, A>> {};
template <class K, class V, class H, class E, class A>
struct Convert<std::unordered_map<K, V, H, E, A>> : detail::MapConvert<std::unordered_map<K, V, H, E, A>> {};

template <class T, class C, class A> struct Convert<std::set<T, C, A>> {
    static Object to(const std::set<T, C, A>& values) {
        Set s;
        for (const auto& v : values)
            s.add(to_object<T>(v));
        return Object::set(std::move(s));
    }
    static std::set<T, C, A> from(const Object& object) {
        std::set<T, C, A> values;
        for (const auto& item : object.as_set())
            values.insert(from_object<T>(item));
        return values;
    }
};

// User structs: MP_OBJECT_FIELDS(Point, x, y) next to the struct (same namespace, outside the struct)
// makes Point convert to and from the tuple (x, y). The struct must be default constructible.
template <class T>
concept HasObjectFields = requires(const T* p) {
    mp_object_fields(p);
};

template <class T>
requires HasObjectFields<T>
struct Convert<T> {
    static Object to(const T& value) {
        return std::apply(
            [&value](auto... member) {
                return Object::tuple(std::vector<Object>{to_object(value.*member)...});
            },
            mp_object_fields(static_cast<const T*>(nullptr)));
    }
    static T from(const Object& object) {
        constexpr auto members = mp_object_fields(static_cast<const T*>(nullptr));
        const auto& items = detail::sequence_items(object, std::tuple_size_v<decltype(members)>);
        T value{};
        std::size_t i = 0;
        std::apply(
            [&](auto... member) {
                ((value.*member = from_object<std::remove_cvref_t<decltype(value.*member)>>(items[i++])),
                 ...);
            },
            members);
        return value;
    }
};

} // namespace mp

template <> struct std::hash<mp::Object> {
    std::size_t operator()(const mp::Object& object) const { return static_cast<std::size_t>(object.hash()); }
};

// Field list expansion for MP_OBJECT_FIELDS: each rescan peels one field, 4^4 rescans are plenty.
#define MP_DETAIL_PARENS ()
#define MP_DETAIL_EXPAND(...)                                                                                \
    MP_DETAIL_EXPAND3(MP_DETAIL_EXPAND3(MP_DETAIL_EXPAND3(MP_DETAIL_EXPAND3(__VA_ARGS__))))
#define MP_DETAIL_EXPAND3(...)                                                                               \
    MP_DETAIL_EXPAND2(MP_DETAIL_EXPAND2(MP_DETAIL_EXPAND2(MP_DETAIL_EXPAND2(__VA_ARGS__))))
#define MP_DETAIL_EXPAND2(...)                                                                               \
    MP_DETAIL_EXPAND1(MP_DETAIL_EXPAND1(MP_DETAIL_EXPAND1(MP_DETAIL_EXPAND1(__VA_ARGS__))))
#define MP_DETAIL_EXPAND1(...) __VA_ARGS__
#define MP_DETAIL_MEMBERS(Type, ...) __VA_OPT__(MP_DETAIL_EXPAND(MP_DETAIL_MEMBERS_STEP(Type, __VA_ARGS__)))
#define MP_DETAIL_MEMBERS_STEP(Type, field, ...)                                                             \
    &Type::field __VA_OPT__(, MP_DETAIL_MEMBERS_AGAIN MP_DETAIL_PARENS(Type, __VA_ARGS__))
#define MP_DETAIL_MEMBERS_AGAIN() MP_DETAIL_MEMBERS_STEP

#define MP_OBJECT_FIELDS(Type, ...)                                                                          \
    [[maybe_unused]] constexpr auto mp_object_fields(const Type*) {                                          \
        return std::make_tuple(MP_DETAIL_MEMBERS(Type, __VA_ARGS__));                                        \
    }
