#pragma once
// Shared ctypes (SPEC §8): Value, Array, RawValue, RawArray, synchronized() and copy(), with Python's
// typecodes, C conversions (300 into 'b' is 44), errors and reprs. The storage lives in the session arena,
// so children under every start method see the same memory, and the inspector reads it straight from the
// object table (typecode, length, the data, recent writes).
//
// A Value or Array made with a lock (the default) takes it around every single read and write. A read
// followed by a write is two operations: `v.set(v.get<int>() + 1)`, like Python's `v.value += 1`, is not
// atomic. Hold the lock across both: `std::lock_guard hold(v); v.set(v.get<int>() + 1);` is Python's
// `with v.get_lock(): v.value += 1` (the lock is recursive by default, an RLock).
//
// User structs become element types with MP_CTYPES_STRUCT (see below); their elements convert to and from
// tuples, and get<Point>() / set(Point) copy the C struct.
#include "mp/errors.hpp"
#include "mp/object.hpp"
#include "mp/synchronize.hpp"

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <ostream>
#include <ranges>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace mp {

class Context;
class CType;

namespace detail {

struct CDataAccess;
struct CDataParts;

// One field of a struct element type.
struct CField {
    std::string name;
    std::size_t offset = 0;
    char typecode = 0;
};

// A C struct registered as an element type (MP_CTYPES_STRUCT), or rebuilt from an arena's layout string.
// Entries live until the program ends, so a CType may point at one.
struct CStructType {
    std::string name;
    std::size_t size = 0;
    std::vector<CField> fields;
    std::string layout;  // "x:d,y:d", what the inspector reads
    std::string problem; // why the C++ struct cannot be shared (empty: it can)
};

// Records a struct under `name` ("x, y" are its field names, `fields` their offsets and typecodes) and
// returns the program-wide entry.
const CStructType* register_ctypes_struct(std::string_view name, std::string_view field_names,
                                          const std::vector<std::pair<std::size_t, char>>& fields,
                                          std::size_t size);

constexpr bool valid_typecode(char code) noexcept {
    switch (code) {
    case 'c':
    case 'u':
    case 'b':
    case 'B':
    case 'h':
    case 'H':
    case 'i':
    case 'I':
    case 'l':
    case 'L':
    case 'q':
    case 'Q':
    case 'f':
    case 'd':
        return true;
    default:
        return false;
    }
}
// TypeError('this type has no size'): what ctypes says about an unknown typecode.
[[noreturn]] void throw_no_size();

// The typecode of a C++ scalar type, 0 when it is none of ctypes' scalar types.
template <class T> constexpr char ctypes_code() {
    using U = std::remove_cv_t<T>;
    if constexpr (std::is_same_v<U, char>) {
        return 'c';
    } else if constexpr (std::is_same_v<U, char32_t> ||
                         (std::is_same_v<U, wchar_t> && sizeof(wchar_t) == 4)) {
        return 'u';
    } else if constexpr (std::is_same_v<U, bool> || std::is_same_v<U, wchar_t> ||
                         std::is_same_v<U, char8_t> || std::is_same_v<U, char16_t>) {
        return 0;
    } else if constexpr (std::is_integral_v<U>) {
        constexpr bool s = std::is_signed_v<U>;
        if constexpr (sizeof(U) == 1) return s ? 'b' : 'B';
        if constexpr (sizeof(U) == 2) return s ? 'h' : 'H';
        if constexpr (sizeof(U) == 4) return s ? 'i' : 'I';
        if constexpr (sizeof(U) == 8) {
            if constexpr (std::is_same_v<U, long long> || std::is_same_v<U, unsigned long long>)
                return s ? 'q' : 'Q';
            return s ? 'l' : 'L';
        }
        return 0;
    } else if constexpr (std::is_same_v<U, float>) {
        return 'f';
    } else if constexpr (std::is_same_v<U, double>) {
        return 'd';
    } else {
        return 0;
    }
}

template <class T>
concept CTypesScalar = ctypes_code<T>()
!= 0;

// A struct described with MP_CTYPES_STRUCT.
template <class T>
concept CTypesStruct = requires(const T* p) {
    mp_ctypes_struct_names(p);
};

template <class T, class M> std::size_t member_offset(const T& object, M T::*member) {
    return static_cast<std::size_t>(reinterpret_cast<const char*>(&(object.*member)) -
                                    reinterpret_cast<const char*>(&object));
}

template <CTypesStruct T> const CStructType* ctypes_struct_of() {
    static const CStructType* const type = [] {
        static_assert(std::is_trivially_copyable_v<T> && std::is_standard_layout_v<T>,
                      "a shared struct must be a plain C struct (trivially copyable, standard layout)");
        const std::string_view names = mp_ctypes_struct_names(static_cast<const T*>(nullptr));
        const std::size_t colon = names.find(':');
        const T probe{};
        std::vector<std::pair<std::size_t, char>> fields;
        std::apply(
            [&](auto... member) {
                ((fields.emplace_back(member_offset(probe, member),
                                      ctypes_code<std::remove_cvref_t<decltype(probe.*member)>>())),
                 ...);
                static_assert((CTypesScalar<std::remove_cvref_t<decltype(probe.*member)>> && ...),
                              "MP_CTYPES_STRUCT fields must be C scalars: char, char32_t, (unsigned) "
                              "signed char/short/int/long/long long, float or double");
            },
            mp_object_fields(static_cast<const T*>(nullptr)));
        return register_ctypes_struct(names.substr(0, colon), names.substr(colon + 1), fields, sizeof(T));
    }();
    return type;
}

template <CTypesStruct T> struct CStructRegistrar {
    CStructRegistrar() { ctypes_struct_of<T>(); }
};

} // namespace detail

// Makes a plain C struct an element type of Value and Array, like a ctypes.Structure subclass:
//     struct Point { double x; double y; };
//     MP_CTYPES_STRUCT(Point, x, y);
// next to the struct (same namespace, outside it). List every member in declaration order; each must be a
// C scalar. It also makes Point convert to and from the tuple (x, y) (it includes MP_OBJECT_FIELDS), and
// registers the type by name at start-up so that spawn and forkserver children know it.
// clang-format off
#define MP_CTYPES_STRUCT(Type, ...)                                                                          \
    MP_OBJECT_FIELDS(Type, __VA_ARGS__)                                                                      \
    [[maybe_unused]] constexpr std::string_view mp_ctypes_struct_names(const Type*) {                        \
        return #Type ":" #__VA_ARGS__;                                                                       \
    }                                                                                                        \
    static const ::mp::detail::CStructRegistrar<Type> MP_DETAIL_CONCAT(mp_ctypes_struct_, __COUNTER__)
// clang-format on

// The C type of an element: a typecode ('c' char, 'u' wchar_t, 'b'/'B' int8, 'h'/'H' int16, 'i'/'I' int32,
// 'l'/'L' long, 'q'/'Q' long long, 'f' float, 'd' double) or a registered struct. Sizes are those of
// ctypes on LP64. An unknown typecode is TypeError('this type has no size').
class CType {
public:
    constexpr CType(char typecode)
        : code_(typecode) {
        if (!detail::valid_typecode(typecode)) detail::throw_no_size();
    }
    CType(std::string_view typecode);
    CType(const char* typecode)
        : CType(std::string_view(typecode)) {}
    explicit CType(const detail::CStructType& structure) noexcept
        : code_('T')
        , struct_(&structure) {}

    // The typecode, 'T' for a struct (what the inspector reads).
    constexpr char typecode() const noexcept { return code_; }
    // ctypes.sizeof().
    std::size_t size() const noexcept;
    // The ctypes class name: "c_int", "c_double", "c_long" for both 'l' and 'q' (one type on LP64), "Point".
    std::string name() const;
    bool is_struct() const noexcept { return struct_ != nullptr; }
    const detail::CStructType* structure() const noexcept { return struct_; }
    // The same C type ('l' == 'q' and 'L' == 'Q' on LP64; structs by name and layout).
    bool operator==(const CType& other) const noexcept {
        if (struct_ || other.struct_) return same_struct(other);
        return same_c_type(code_) == same_c_type(other.code_);
    }
    // *this == CType(code) for a valid scalar typecode, without building a CType: every typed get and set
    // of a scalar asks it.
    constexpr bool is_scalar(char code) const noexcept {
        return !struct_ && same_c_type(code_) == same_c_type(code);
    }

private:
    static constexpr char same_c_type(char code) noexcept {
        return code == 'q' ? 'l' : code == 'Q' ? 'L' : code;
    }
    bool same_struct(const CType& other) const noexcept;

    char code_;
    const detail::CStructType* struct_ = nullptr;
};

// The CType of a C++ type: a scalar (int -> 'i', double -> 'd' ...) or an MP_CTYPES_STRUCT struct.
template <class T> CType ctype() {
    if constexpr (detail::CTypesStruct<T>) {
        return CType(*detail::ctypes_struct_of<T>());
    } else {
        static_assert(detail::CTypesScalar<T>, "not a C scalar type or an MP_CTYPES_STRUCT struct");
        return CType(detail::ctypes_code<T>());
    }
}

// ctypes' names for the typecodes: Value(mp::c_double, 1.0 / 3.0, false).
inline constexpr CType c_char{'c'};
inline constexpr CType c_wchar{'u'};
inline constexpr CType c_byte{'b'};
inline constexpr CType c_ubyte{'B'};
inline constexpr CType c_short{'h'};
inline constexpr CType c_ushort{'H'};
inline constexpr CType c_int{'i'};
inline constexpr CType c_uint{'I'};
inline constexpr CType c_long{'l'};
inline constexpr CType c_ulong{'L'};
inline constexpr CType c_longlong{'q'};
inline constexpr CType c_ulonglong{'Q'};
inline constexpr CType c_float{'f'};
inline constexpr CType c_double{'d'};

// The lock of a synchronized Value or Array: a Lock or an RLock. Lockable, so
// `std::lock_guard hold(v.get_lock());` is Python's `with v.get_lock():`.
class AnyLock : public SharedObject {
public:
    AnyLock(const Lock& lock);
    AnyLock(const RLock& lock);

    bool acquire(bool block = true) const; // two overloads as Lock's
    bool acquire(bool block, std::optional<double> timeout) const;
    void release() const;
    bool locked() const;
    void lock() const { acquire(); }
    bool try_lock() const { return acquire(false); }
    void unlock() const { release(); }

    bool is_rlock() const noexcept { return lock_.index() == 1; }
    // TypeError when it is the other kind.
    Lock as_lock() const;
    RLock as_rlock() const;
    // For a Condition over the same lock.
    Condition::LockType variant() const { return lock_; }

    // The lock's own repr: <RLock(None, 0)>, <Lock(owner=None)> ...
    std::string repr() const;
    friend std::ostream& operator<<(std::ostream& out, const AnyLock& l) { return out << l.repr(); }

    Handle to_handle() const;
    static AnyLock from_handle(const Handle& handle); // a Lock or RLock handle

private:
    mutable Condition::LockType lock_; // shared-object handles: const does not reach the lock itself
};

// The `lock` argument of Value and Array (Python's lock=...): true or None -> a new RLock; false -> a raw
// object without lock; a Lock or RLock -> that very lock. An mp::Object follows Python's rules (a Lock or
// RLock handle, True, None, False; anything else is AttributeError("'x' has no method 'acquire'") when used).
class LockOption {
public:
    LockOption(NoneType) noexcept {}
    template <class B>
    requires std::same_as<B, bool> LockOption(B value)
        : object_(value) {}
    LockOption(const Lock& lock);
    LockOption(const RLock& lock);
    LockOption(const AnyLock& lock);
    LockOption(const Object& object);

private:
    friend struct detail::CDataAccess;
    Object object_; // used when lock_ is empty
    std::optional<AnyLock> lock_;
};

// a[start:stop:step]; an empty member is Python's omitted one: a.slice() is a[:], a.slice({1, 3}) a[1:3],
// a.slice({.step = -1}) a[::-1]. Default member initialisers let designated initialisers omit any member.
struct Slice {
    std::optional<std::int64_t> start = std::nullopt;
    std::optional<std::int64_t> stop = std::nullopt;
    std::optional<std::int64_t> step = std::nullopt;
};

// What Value and Array share: C data in the session arena, raw or synchronized by a lock. Copies refer to
// the same memory, like Python references.
class SharedCData : public SharedObject {
public:
    // The element type.
    const CType& type() const noexcept { return type_; }
    // Made with a lock (Python: isinstance(x, SynchronizedBase)), rather than raw.
    bool is_synchronized() const noexcept { return lock_.has_value(); }
    // The lock. Raw objects: AttributeError("'c_int' object has no attribute 'get_lock'").
    const AnyLock& get_lock() const {
        if (!lock_) [[unlikely]]
            throw_no_attribute("get_lock");
        return *lock_;
    }

    // The lock's acquire and release (AttributeError for raw objects); Lockable, so
    // `std::lock_guard hold(v);` is Python's `with v:`.
    bool acquire(bool block = true) const; // two overloads as Lock's
    bool acquire(bool block, std::optional<double> timeout) const;
    void release() const;
    void lock() const { acquire(); }
    bool try_lock() const { return acquire(false); }
    void unlock() const { release(); }

    // Python's type(x).__name__: "Synchronized", "SynchronizedPoint", "SynchronizedArray",
    // "SynchronizedString", or the raw ctypes type "c_int", "Point", "c_int_Array_10".
    std::string type_name() const;

protected:
    explicit SharedCData(detail::CDataParts&& parts);

    // Typed access for the templates of Value and Array: copies whole elements between shared memory
    // and `bytes` (the C layout of the element type) under the lock, observed like every access.
    template <class T> bool element_is() const noexcept {
        if constexpr (detail::CTypesScalar<T>) {
            return type_.is_scalar(detail::ctypes_code<T>());
        } else {
            return type_ == ctype<T>();
        }
    }
    std::size_t element_count() const noexcept { return length_; }
    std::size_t checked_index(std::int64_t index) const; // IndexError('invalid index')
    void read_elements(std::size_t first, std::size_t count, void* bytes) const;
    void write_element(std::size_t index, const void* bytes) const;
    // The same for one element of a scalar type of `size` bytes: `v.get<int>()` and `a.set(i, 1.5)`, the
    // hottest accesses of all, without a slice's loop or a struct's fields.
    void read_scalar(std::size_t index, std::size_t size, void* bytes) const;
    void write_scalar(std::size_t index, std::size_t size, const void* bytes) const;
    // AttributeError("'c_int' object has no attribute 'get_lock'"), with this object's type name.
    [[noreturn]] void throw_no_attribute(std::string_view attribute) const;

private:
    friend struct detail::CDataAccess;
    CType type_;
    std::size_t length_;
    unsigned char* data_; // in the session arena's mapping, which lives as long as the process
    std::optional<AnyLock> lock_;
};

// Python's Value(typecode_or_type, *args, lock=True): one C value in shared memory. `init` is the
// constructor argument (a tuple of field values for a struct; missing fields are zero); nullopt means
// zero. With lock=false the result is raw (Python's RawValue).
class Value : public SharedCData {
public:
    Value(CType type, std::optional<Object> init = std::nullopt, LockOption lock = true);
    Value(const Context& ctx, CType type, std::optional<Object> init = std::nullopt, LockOption lock = true);
    template <detail::CTypesStruct T>
    Value(CType type, const T& init, LockOption lock = true)
        : Value(type, std::optional<Object>(to_object(init)), std::move(lock)) {}
    template <detail::CTypesStruct T>
    Value(const Context& ctx, CType type, const T& init, LockOption lock = true)
        : Value(ctx, type, std::optional<Object>(to_object(init)), std::move(lock)) {}

    // .value, under the lock: an int, a float, 1-byte bytes ('c'), a 1-character str ('u'); a struct
    // reads as the tuple of its fields (all fields in one locked step, where ctypes has no .value).
    Object value() const;
    // .value = x with ctypes' conversions: ints wrap around, a float into an int code is TypeError.
    void set_value(const Object& value);
    // Typed .value: T of the same C type is copied directly; any other T converts through mp::Object.
    template <class T> T get() const;
    template <class T> void set(const T& value);

    // A struct's field (Python's SynchronizedPoint.x), under the lock.
    Object field(std::string_view name) const;
    void set_field(std::string_view name, const Object& value);

    // The raw object over the same memory. AttributeError for a raw object.
    Value get_obj() const;

    // <Synchronized wrapper for c_int(7)>, c_double(0.3333333333333333) ...
    std::string repr() const;
    friend std::ostream& operator<<(std::ostream& out, const Value& v) { return out << v.repr(); }

    Handle to_handle() const;
    static Value from_handle(const Handle& handle);

private:
    friend struct detail::CDataAccess;
    explicit Value(detail::CDataParts&& parts);
};

// Python's Array(typecode_or_type, size_or_initializer, *, lock=True): an int gives that many zeroed
// elements (negative: ValueError), anything with a len() the initial elements (a list, a tuple, bytes as
// their byte values, ...). Elements of a struct type are tuples of field values. With lock=false the
// result is raw (Python's RawArray).
class Array : public SharedCData {
public:
    Array(CType type, const Object& size_or_initializer, LockOption lock = true);
    Array(CType type, std::initializer_list<Object> init, LockOption lock = true);
    template <std::ranges::input_range R>
    requires(!std::convertible_to<const R&, Object>) Array(CType type, const R& init, LockOption lock = true)
        : Array(type, list_of(init), std::move(lock)) {}
    Array(const Context& ctx, CType type, const Object& size_or_initializer, LockOption lock = true);
    Array(const Context& ctx, CType type, std::initializer_list<Object> init, LockOption lock = true);
    template <std::ranges::input_range R>
    requires(!std::convertible_to<const R&, Object>)
        Array(const Context& ctx, CType type, const R& init, LockOption lock = true)
        : Array(ctx, type, list_of(init), std::move(lock)) {}

    // len(a)
    std::size_t size() const noexcept { return element_count(); }
    friend std::size_t len(const Array& a) noexcept { return a.size(); }

    // a[i] and a[i] = x, each under the lock; negative indices count from the end. IndexError('invalid
    // index') out of range.
    Object item(std::int64_t index) const;
    void set_item(std::int64_t index, const Object& value);
    template <class T> T get(std::int64_t index) const;
    template <class T> void set(std::int64_t index, const T& value);

    // a[start:stop:step] under the lock: a list, bytes for 'c', str for 'u'.
    Object slice(Slice s = {}) const;
    // a[start:stop:step] = values: ValueError('Can only assign sequence of same size') unless `values` has
    // as many items as the slice.
    void set_slice(Slice s, const Object& values);
    // a[:] typed, under one acquisition of the lock.
    template <class T> std::vector<T> values() const;

    // c_char arrays: .value (bytes up to the first NUL; assigning more than len(a) bytes is
    // ValueError('byte string too long'), exactly len(a) leaves no terminator) and .raw (every byte;
    // assigning fewer bytes overwrites a prefix). Raw c_wchar arrays have .value as a str. Other arrays:
    // AttributeError, as in Python.
    Object value() const;
    void set_value(const Object& value);
    Object raw() const;
    void set_raw(const Object& value);

    Array get_obj() const;

    // <SynchronizedArray wrapper for <multiprocessing.sharedctypes.c_int_Array_10 object at 0x...>>
    std::string repr() const;
    friend std::ostream& operator<<(std::ostream& out, const Array& a) { return out << a.repr(); }

    Handle to_handle() const;
    static Array from_handle(const Handle& handle);

private:
    friend struct detail::CDataAccess;
    explicit Array(detail::CDataParts&& parts);
    template <class R> static Object list_of(const R& range) {
        std::vector<Object> items;
        for (const auto& item : range)
            items.push_back(to_object(item));
        return Object::list(std::move(items));
    }
};

// Python's RawValue / RawArray: the same storage without a lock.
Value RawValue(CType type, std::optional<Object> init = std::nullopt);
template <detail::CTypesStruct T> Value RawValue(CType type, const T& init) {
    return RawValue(type, std::optional<Object>(to_object(init)));
}
Array RawArray(CType type, const Object& size_or_initializer);
Array RawArray(CType type, std::initializer_list<Object> init);
template <std::ranges::input_range R>
requires(!std::convertible_to<const R&, Object>) Array RawArray(CType type, const R& init) {
    return Array(type, init, false);
}

// A synchronized wrapper over a raw object's memory, with `lock` (falsy: a new RLock). A synchronized
// object is AssertionError('object already synchronized').
Value synchronized(const Value& object, LockOption lock = None);
Array synchronized(const Array& object, LockOption lock = None);
// New shared memory holding a copy of a raw object's contents (raw too). As in Python, only raw objects
// can be copied: a synchronized one is TypeError('this type has no size'); copy its get_obj().
Value copy(const Value& object);
Array copy(const Array& object);

// ---- templates -----------------------------------------------------------------------------------------

template <class T> T Value::get() const {
    if constexpr (detail::CTypesScalar<T>) {
        if (element_is<T>()) {
            T out;
            read_scalar(0, sizeof out, &out);
            return out;
        }
    } else if constexpr (detail::CTypesStruct<T>) {
        if (element_is<T>()) {
            T out{};
            read_elements(0, 1, &out);
            return out;
        }
    }
    return from_object<T>(value());
}

template <class T> void Value::set(const T& value) {
    if constexpr (detail::CTypesScalar<T>) {
        if (element_is<T>()) return write_scalar(0, sizeof value, &value);
    } else if constexpr (detail::CTypesStruct<T>) {
        if (element_is<T>()) return write_element(0, &value);
    }
    set_value(to_object(value));
}

template <class T> T Array::get(std::int64_t index) const {
    if constexpr (detail::CTypesScalar<T>) {
        if (element_is<T>()) {
            T out;
            read_scalar(checked_index(index), sizeof out, &out);
            return out;
        }
    } else if constexpr (detail::CTypesStruct<T>) {
        if (element_is<T>()) {
            T out{};
            read_elements(checked_index(index), 1, &out);
            return out;
        }
    }
    return from_object<T>(item(index));
}

template <class T> void Array::set(std::int64_t index, const T& value) {
    if constexpr (detail::CTypesScalar<T>) {
        if (element_is<T>()) return write_scalar(checked_index(index), sizeof value, &value);
    } else if constexpr (detail::CTypesStruct<T>) {
        if (element_is<T>()) return write_element(checked_index(index), &value);
    }
    set_item(index, to_object(value));
}

template <class T> std::vector<T> Array::values() const {
    if constexpr (detail::CTypesScalar<T> || detail::CTypesStruct<T>) {
        if (element_is<T>()) {
            std::vector<T> out(size());
            read_elements(0, out.size(), out.data());
            return out;
        }
    }
    return from_object<std::vector<T>>(slice());
}

// Process arguments and messages carry shared values as handles (with their lock).
template <> struct Convert<AnyLock> {
    static Object to(const AnyLock& value) { return Object(value.to_handle()); }
    static AnyLock from(const Object& object) { return AnyLock::from_handle(object.as_handle()); }
};
template <> struct Convert<Value> {
    static Object to(const Value& value) { return Object(value.to_handle()); }
    static Value from(const Object& object) { return Value::from_handle(object.as_handle()); }
};
template <> struct Convert<Array> {
    static Object to(const Array& value) { return Object(value.to_handle()); }
    static Array from(const Object& object) { return Array::from_handle(object.as_handle()); }
};

} // namespace mp
