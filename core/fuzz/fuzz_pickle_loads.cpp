// libFuzzer target: mp::pickle::loads returns a value or throws an mp::Exception for every input; any
// other exception, crash, leak or sanitizer report is a finding. A value that loads must also dump, and
// dumping is a fixed point after one round trip.
#include <mp/pickle.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    mp::Object value;
    try {
        value = mp::pickle::loads(std::string_view(reinterpret_cast<const char*>(data), size));
    } catch (const mp::Exception&) {
        return 0;
    }
    const std::string once = mp::pickle::dumps(value);
    const mp::Object again = mp::pickle::loads(once);
    if (mp::pickle::dumps(again) != once) std::abort();
    try {
        (void)value.repr();
        (void)value.hash();
    } catch (const mp::Exception&) {
        // unhashable values and ints beyond 4300 digits raise, as in Python
    }
    return 0;
}
