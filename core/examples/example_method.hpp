#pragma once
// Shared by the examples: `--method fork|spawn|forkserver` selects the start method, like running the
// Python original after multiprocessing.set_start_method(method).
#include <mp/context.hpp>

#include <cstring>
#include <iostream>
#include <string>

namespace example {

inline std::string start_method_from_args(int argc, char** argv, std::string method = "fork") {
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--method") == 0 && i + 1 < argc)
            method = argv[++i];
        else if (std::strncmp(argv[i], "--method=", 9) == 0)
            method = argv[i] + 9;
    }
    return method;
}

// Sets the default start method from the command line; exits with a usage message on a bad name.
inline std::string use_start_method_from_args(int argc, char** argv) {
    std::string method = start_method_from_args(argc, argv);
    try {
        mp::set_start_method(method);
    } catch (const mp::ValueError& e) {
        std::cerr << argv[0] << ": " << e.what() << " (use --method fork|spawn|forkserver)\n";
        std::exit(2);
    }
    return method;
}

} // namespace example
