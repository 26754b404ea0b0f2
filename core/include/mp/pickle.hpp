#pragma once
// Pickle for mp::Object, byte-compatible with CPython (SPEC §15.4): what a C++ process sends can be read
// by Python's pickle.loads and the other way round. Decoding never runs anything: globals are limited
// to an allow-list and mapped to Object kinds.
//
// dumps() emits protocol 4 exactly as CPython 3.11's C pickler does, including FRAME placement and
// MEMOIZE after every str, bytes, list, dict, set, frozenset and non-empty tuple. CPython replaces an
// object it has already written with BINGET when it is the *same* object (identity). Objects have no
// identity, so dumps() emits BINGET for an equal str (or bytes) that was already written: immutable
// values shared that way are indistinguishable in Python, and this reproduces CPython's bytes for
// interned and literal strings (dict keys, identifiers, one-character strings). Containers are never
// shared, so a value that Python held twice by reference is written twice. Names inside globals are
// memoized separately from user strings, as CPython's interned module and class names are.
//
// Mapping of the non-plain kinds:
// - bytearray: builtins.bytearray((bytes,)) via STACK_GLOBAL + REDUCE (protocol 4; BYTEARRAY8 is read).
// - ExceptionValue: <module>.<type>((message,)) + REDUCE, with () when the message is empty and a BUILD
//   of {'traceback': text} when there is a traceback (Python keeps it as an attribute). The module is
//   builtins except for multiprocessing's, queue's and threading's own exception types.
// - Handle: mpcore.handle((kind, name, (ints...), (fds...))) + REDUCE, readable by this library only.
#include "mp/object.hpp"

#include <cstddef>
#include <string>
#include <string_view>

namespace mp::pickle {

inline constexpr int protocol = 4;
// Containers nested deeper than this are rejected by dumps (PicklingError) and loads (UnpicklingError).
inline constexpr std::size_t max_depth = 1000;

// Protocol 4 bytes of `value`. PicklingError for a str that is not UTF-8 or nesting beyond max_depth.
std::string dumps(const Object& value);

// Reads protocols 2-5 (and the binary opcodes of 0-1). Malformed, truncated or disallowed input raises
// UnpicklingError with the reason (TypeError for an unhashable dict key or set item, as in Python).
// Repeated references (BINGET) are copied into the result; their total size is bounded relative to the
// input so that a small pickle cannot expand without limit. Recursive structures are rejected.
Object loads(std::string_view data);

} // namespace mp::pickle
