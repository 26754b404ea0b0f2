#include "common_tasks.hpp"

#include <mp/process.hpp>

#include <chrono>
#include <thread>

namespace scenario {

std::int64_t square(std::int64_t x) {
    return x * x;
}
MP_TASK(square);

void sleep_seconds(double seconds) {
    std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
}
MP_TASK(sleep_seconds);

} // namespace scenario
