#pragma once
// Shortcuts of the Pool's hot path through pickle (pool.cpp, pool_worker.cpp): a task's (func, args, kwds)
// written without building the tuples and read back without the general unpickler when its arguments are
// numbers, and a map chunk's result list read straight into the slots of the final list.
#include "mp/object.hpp"

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace mp::pickle::internal {

// Exactly dumps(Object::tuple(func, Object::tuple(args...), kwds)).
std::string dumps_call(std::string_view func, std::span<const Object> args, const Object& kwds);

// A pickled list of exactly out.size() scalars (None, bools, ints and floats; ints of up to 8 bytes), as
// dumps writes one, decoded into `out` as loads() would. False - the slots it wrote set back to None - for
// anything else, which loads() then reads, or rejects, the general way.
bool loads_list_into(std::string_view data, std::span<Object> out);

// The inverse of dumps_call for a task whose arguments are all scalars and that has no keyword arguments
// (a map chunk of numbers): true with `func` and `args` as loads() would read them; false - args empty -
// for anything else, which loads() then reads, or rejects, the general way.
bool loads_call(std::string_view data, std::string& func, std::vector<Object>& args);

} // namespace mp::pickle::internal
