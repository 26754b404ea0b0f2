// The seed's long Pool example (CPython's mp_pool.py): calculate/mul/plus through apply_async, imap,
// imap_unordered and map; error handling, where f(5) divides by zero (mp::ZeroDivisionError, Python's
// ZeroDivisionError) in apply, map, imap and step by step with next(); and get()/next() with a 0.02 s
// timeout printing a dot per timeout. Which worker runs what, the imap_unordered order and the number of
// dots vary, so the test compares sorted lines with worker names and dot runs masked.
#include "calculate_tasks.hpp"
#include "example_method.hpp"

#include <mp/pool.hpp>

#include <iostream>

//
// Functions used by test code
//

MP_TASK(calculate);

std::string calculatestar(const mp::Object& args) {
    return calculate(args[0].as_str(), args[1]);
}
MP_TASK(calculatestar);

double f(double x) {
    if (x == 5.0) throw mp::ZeroDivisionError("float division by zero");
    return 1.0 / (x - 5.0);
}
MP_TASK(f);

//
// Test code
//

void test() {
    constexpr int processes = 4;
    std::cout << "Creating pool with " << processes << " processes\n" << std::endl;

    mp::Pool pool(processes);

    //
    // Tests
    //

    std::vector<mp::Object> tasks;
    for (int i = 0; i < 10; ++i)
        tasks.push_back(mp::Object::tuple("mul", mp::Object::tuple(i, 7)));
    for (int i = 0; i < 10; ++i)
        tasks.push_back(mp::Object::tuple("plus", mp::Object::tuple(i, 8)));

    std::vector<mp::AsyncResult> results;
    for (const auto& t : tasks)
        results.push_back(pool.apply_async(calculate, t));
    mp::IMapIterator imap_it = pool.imap(calculatestar, tasks);
    mp::IMapIterator imap_unordered_it = pool.imap_unordered(calculatestar, tasks);

    std::cout << "Ordered results using pool.apply_async():" << std::endl;
    for (const auto& r : results)
        std::cout << "\t " << r.get().str() << std::endl;
    std::cout << std::endl;

    std::cout << "Ordered results using pool.imap():" << std::endl;
    for (const mp::Object& x : imap_it)
        std::cout << "\t " << x.str() << std::endl;
    std::cout << std::endl;

    std::cout << "Unordered results using pool.imap_unordered():" << std::endl;
    for (const mp::Object& x : imap_unordered_it)
        std::cout << "\t " << x.str() << std::endl;
    std::cout << std::endl;

    std::cout << "Ordered results using pool.map() --- will block till complete:" << std::endl;
    const mp::Object mapped = pool.map(calculatestar, tasks);
    for (const mp::Object& x : mapped.items())
        std::cout << "\t " << x.str() << std::endl;
    std::cout << std::endl;

    //
    // Test error handling
    //

    std::cout << "Testing error handling:" << std::endl;

    try {
        std::cout << pool.apply(f, mp::args(5)) << std::endl;
        throw mp::AssertionError("expected ZeroDivisionError");
    } catch (const mp::ZeroDivisionError&) {
        std::cout << "\tGot ZeroDivisionError as expected from pool.apply()" << std::endl;
    }

    std::vector<int> range10{0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
    try {
        std::cout << pool.map(f, range10) << std::endl;
        throw mp::AssertionError("expected ZeroDivisionError");
    } catch (const mp::ZeroDivisionError&) {
        std::cout << "\tGot ZeroDivisionError as expected from pool.map()" << std::endl;
    }

    try {
        std::vector<mp::Object> all;
        for (const mp::Object& x : pool.imap(f, range10))
            all.push_back(x);
        std::cout << mp::Object::list(all) << std::endl;
        throw mp::AssertionError("expected ZeroDivisionError");
    } catch (const mp::ZeroDivisionError&) {
        std::cout << "\tGot ZeroDivisionError as expected from list(pool.imap())" << std::endl;
    }

    mp::IMapIterator it = pool.imap(f, range10);
    int i = 0;
    for (; i < 10; ++i) {
        try {
            it.next();
            if (i == 5) throw mp::AssertionError("expected ZeroDivisionError");
        } catch (const mp::ZeroDivisionError&) {
            if (i != 5) throw;
        } catch (const mp::StopIteration&) {
            break;
        }
    }
    if (i != 10) throw mp::AssertionError(""); // Python's `assert i == 9`: the loop ran to its end
    std::cout << "\tGot ZeroDivisionError as expected from IMapIterator.next()" << std::endl;
    std::cout << std::endl;

    //
    // Testing timeouts
    //

    std::cout << "Testing ApplyResult.get() with timeout: ";
    mp::AsyncResult res = pool.apply_async(calculate, tasks[0]);
    for (;;) {
        std::cout.flush();
        try {
            const std::string line = res.get(0.02).str(); // before anything is written, as in Python
            std::cout << "\n\t" << line;
            break;
        } catch (const mp::TimeoutError&) {
            std::cout << '.';
        }
    }
    std::cout << "\n" << std::endl;

    std::cout << "Testing IMapIterator.next() with timeout: ";
    it = pool.imap(calculatestar, tasks);
    for (;;) {
        std::cout.flush();
        try {
            const std::string line = it.next(0.02).str();
            std::cout << "\n\t" << line;
        } catch (const mp::StopIteration&) {
            break;
        } catch (const mp::TimeoutError&) {
            std::cout << '.';
        }
    }
    std::cout << "\n" << std::endl;
}

int main(int argc, char** argv) {
    mp::freeze_support(argc, argv);
    example::use_start_method_from_args(argc, argv);
    test();
}
