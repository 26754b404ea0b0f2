// Uses the installed headers and library: an error type rebuilt from its Python name.
#include <iostream>
#include <mp/errors.hpp>

int main() {
    try {
        mp::throw_by_type_name("ValueError", "from an installed libmpcore");
    } catch (const mp::ValueError& e) {
        std::cout << e.type_name() << ": " << e.message() << "\n";
        return 0;
    }
    return 1;
}
