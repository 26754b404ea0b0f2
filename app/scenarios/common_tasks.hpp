#pragma once
// Tasks several scenarios share. An MP_TASK name is unique within mpscope-run, so each is registered
// once, in common_tasks.cpp.
#include <cstdint>

namespace scenario {

// x * x, at once.
std::int64_t square(std::int64_t x);
// Sleeps for real, whatever the tempo: for a get(timeout) that runs out before the task ends.
void sleep_seconds(double seconds);

} // namespace scenario
