#pragma once
// The seed's task functions shared by its Queue and Pool examples (mp_workers.py, mp_pool.py): mul and
// plus after a random pause of up to half a second, and calculate, which runs the task named func on args
// and says which process did it. C++ cannot send a function, so a task names a registered one.
#include <mp/process.hpp>

#include <chrono>
#include <cstdint>
#include <random>
#include <string>
#include <thread>

inline void random_pause() {
    thread_local std::mt19937 random(std::random_device{}());
    std::uniform_real_distribution<double> half_second(0.0, 0.5);
    std::this_thread::sleep_for(std::chrono::duration<double>(half_second(random)));
}

inline std::int64_t mul(std::int64_t a, std::int64_t b) {
    random_pause();
    return a * b;
}
MP_TASK(mul);

inline std::int64_t plus(std::int64_t a, std::int64_t b) {
    random_pause();
    return a + b;
}
MP_TASK(plus);

inline std::string calculate(const std::string& func, const mp::Object& args) {
    const mp::Object result = (*mp::find_task(func))(args, mp::Object::dict());
    return mp::current_process().name() + " says that " + func + args.repr() + " = " + result.str();
}
