// BigInt: the part of Python's int beyond int64. Only what values need: conversion to and from pickle's
// two's-complement bytes, decimal text, doubles, and Python's hash.
#include "mp/object.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>

namespace mp {
namespace {

constexpr std::uint32_t decimal_chunk = 1'000'000'000; // 10^9 fits a limb
constexpr std::uint64_t hash_modulus = (std::uint64_t{1} << 61) - 1;
// Python 3.11 refuses decimal conversions beyond 4300 digits (sys.int_info.default_max_str_digits):
// they take quadratic time. 14300 bits is safely above the largest 4300-digit value.
constexpr std::size_t max_str_digits = 4300;
constexpr std::size_t max_str_bits = 14300;

// magnitude = magnitude * factor + addend
void multiply_add(std::vector<std::uint32_t>& magnitude, std::uint32_t factor, std::uint32_t addend) {
    std::uint64_t carry = addend;
    for (auto& limb : magnitude) {
        const std::uint64_t v = std::uint64_t{limb} * factor + carry;
        limb = static_cast<std::uint32_t>(v);
        carry = v >> 32;
    }
    if (carry != 0) magnitude.push_back(static_cast<std::uint32_t>(carry));
}

// magnitude /= divisor, returns the remainder; leaves leading zero limbs trimmed.
std::uint32_t divide(std::vector<std::uint32_t>& magnitude, std::uint32_t divisor) {
    std::uint64_t remainder = 0;
    for (auto it = magnitude.rbegin(); it != magnitude.rend(); ++it) {
        const std::uint64_t v = (remainder << 32) | *it;
        *it = static_cast<std::uint32_t>(v / divisor);
        remainder = v % divisor;
    }
    while (!magnitude.empty() && magnitude.back() == 0)
        magnitude.pop_back();
    return static_cast<std::uint32_t>(remainder);
}

std::vector<std::uint32_t> limbs_of(std::uint64_t value) {
    std::vector<std::uint32_t> limbs;
    while (value != 0) {
        limbs.push_back(static_cast<std::uint32_t>(value));
        value >>= 32;
    }
    return limbs;
}

std::size_t bit_length(const std::vector<std::uint32_t>& magnitude) {
    if (magnitude.empty()) return 0;
    std::uint32_t top = magnitude.back();
    std::size_t bits = 0;
    while (top != 0) {
        ++bits;
        top >>= 1;
    }
    return (magnitude.size() - 1) * 32 + bits;
}

[[noreturn]] void invalid_literal(std::string_view text) {
    throw ValueError("invalid literal for int() with base 10: " + Object(text).repr());
}

} // namespace

BigInt::BigInt(std::int64_t value)
    : negative_(value < 0)
    , magnitude_(limbs_of(value < 0 ? std::uint64_t{0} - static_cast<std::uint64_t>(value)
                                    : static_cast<std::uint64_t>(value))) {}

BigInt BigInt::from_unsigned(std::uint64_t value) {
    BigInt result;
    result.magnitude_ = limbs_of(value);
    return result;
}

void BigInt::trim() {
    while (!magnitude_.empty() && magnitude_.back() == 0)
        magnitude_.pop_back();
    if (magnitude_.empty()) negative_ = false;
}

BigInt BigInt::from_decimal(std::string_view text) {
    const std::string_view original = text;
    const auto is_space = [](char c) { return c == ' ' || (c >= '\t' && c <= '\r'); };
    while (!text.empty() && is_space(text.front()))
        text.remove_prefix(1);
    while (!text.empty() && is_space(text.back()))
        text.remove_suffix(1);
    BigInt result;
    if (!text.empty() && (text.front() == '+' || text.front() == '-')) {
        result.negative_ = text.front() == '-';
        text.remove_prefix(1);
    }
    if (text.empty()) invalid_literal(original);
    const auto digits =
        static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) { return c != '_'; }));
    if (digits > max_str_digits)
        throw ValueError("Exceeds the limit (4300 digits) for integer string conversion: value has " +
                         std::to_string(digits) +
                         " digits; use sys.set_int_max_str_digits() to increase the limit");
    bool previous_was_digit = false;
    for (const char c : text) {
        if (c == '_') {
            if (!previous_was_digit) invalid_literal(original);
            previous_was_digit = false;
            continue;
        }
        if (c < '0' || c > '9') invalid_literal(original);
        multiply_add(result.magnitude_, 10, static_cast<std::uint32_t>(c - '0'));
        previous_was_digit = true;
    }
    if (!previous_was_digit) invalid_literal(original);
    result.trim();
    return result;
}

BigInt BigInt::from_twos_complement(std::string_view little_endian) {
    BigInt result;
    if (little_endian.empty()) return result;
    std::vector<unsigned char> bytes(little_endian.begin(), little_endian.end());
    result.negative_ = (bytes.back() & 0x80) != 0;
    if (result.negative_) {
        // |value| = ~bytes + 1 within the same width.
        unsigned carry = 1;
        for (auto& b : bytes) {
            const unsigned v = static_cast<unsigned char>(~b) + carry;
            b = static_cast<unsigned char>(v);
            carry = v >> 8;
        }
    }
    result.magnitude_.assign((bytes.size() + 3) / 4, 0);
    for (std::size_t i = 0; i < bytes.size(); ++i)
        result.magnitude_[i / 4] |= std::uint32_t{bytes[i]} << (8 * (i % 4));
    result.trim();
    return result;
}

std::string BigInt::to_twos_complement() const {
    if (is_zero()) return {};
    // One byte more than the magnitude needs leaves room for the sign bit; a negative value may not
    // need it (e.g. -128 fits one byte), which the trim below detects as CPython does.
    std::size_t nbytes = bit_length(magnitude_) / 8 + 1;
    std::string bytes(nbytes, '\0');
    for (std::size_t i = 0; i < nbytes && i / 4 < magnitude_.size(); ++i)
        bytes[i] = static_cast<char>(magnitude_[i / 4] >> (8 * (i % 4)));
    if (negative_) {
        unsigned carry = 1;
        for (auto& c : bytes) {
            const unsigned v = static_cast<unsigned char>(~static_cast<unsigned char>(c)) + carry;
            c = static_cast<char>(v);
            carry = v >> 8;
        }
        if (nbytes > 1 && static_cast<unsigned char>(bytes[nbytes - 1]) == 0xFF &&
            (static_cast<unsigned char>(bytes[nbytes - 2]) & 0x80) != 0)
            bytes.pop_back();
    }
    return bytes;
}

std::optional<BigInt> BigInt::from_double(double value) {
    if (!std::isfinite(value) || std::trunc(value) != value) return std::nullopt;
    int exponent = 0;
    const double fraction = std::frexp(std::fabs(value), &exponent); // |value| = fraction * 2^exponent
    auto mantissa = static_cast<std::uint64_t>(std::ldexp(fraction, 53));
    int shift = exponent - 53;
    BigInt result;
    if (shift <= 0) {
        result.magnitude_ = limbs_of(mantissa >> -shift); // exact: value is integral
    } else {
        result.magnitude_ = limbs_of(mantissa);
        result.magnitude_.insert(result.magnitude_.begin(), static_cast<std::size_t>(shift / 32), 0);
        const int bits = shift % 32;
        if (bits != 0) {
            std::uint32_t carry = 0;
            for (auto& limb : result.magnitude_) {
                const std::uint32_t next = limb >> (32 - bits);
                limb = (limb << bits) | carry;
                carry = next;
            }
            if (carry != 0) result.magnitude_.push_back(carry);
        }
    }
    result.negative_ = value < 0;
    result.trim();
    return result;
}

std::string BigInt::to_decimal() const {
    if (is_zero()) return "0";
    const auto too_long = [] {
        return ValueError("Exceeds the limit (4300 digits) for integer string conversion; use "
                          "sys.set_int_max_str_digits() to increase the limit");
    };
    if (bit_length(magnitude_) > max_str_bits) throw too_long();
    std::vector<std::uint32_t> rest = magnitude_;
    std::vector<std::uint32_t> chunks; // base 10^9, least significant first
    while (!rest.empty())
        chunks.push_back(divide(rest, decimal_chunk));
    std::string text = negative_ ? "-" : "";
    text += std::to_string(chunks.back());
    for (auto it = chunks.rbegin() + 1; it != chunks.rend(); ++it) {
        const std::string part = std::to_string(*it);
        text.append(9 - part.size(), '0');
        text += part;
    }
    if (text.size() - (negative_ ? 1 : 0) > max_str_digits) throw too_long();
    return text;
}

std::optional<std::int64_t> BigInt::to_int64() const {
    if (magnitude_.size() > 2) return std::nullopt;
    std::uint64_t m = 0;
    for (std::size_t i = magnitude_.size(); i-- > 0;)
        m = (m << 32) | magnitude_[i];
    if (!negative_) {
        if (m > static_cast<std::uint64_t>(INT64_MAX)) return std::nullopt;
        return static_cast<std::int64_t>(m);
    }
    if (m > std::uint64_t{1} << 63) return std::nullopt;
    return static_cast<std::int64_t>(std::uint64_t{0} - m);
}

std::optional<std::uint64_t> BigInt::to_uint64() const {
    if (negative_ || magnitude_.size() > 2) return std::nullopt;
    std::uint64_t m = 0;
    for (std::size_t i = magnitude_.size(); i-- > 0;)
        m = (m << 32) | magnitude_[i];
    return m;
}

double BigInt::to_double() const {
    // Beyond 1024 bits it cannot be a finite double; below, parsing the decimal text gives the correctly
    // rounded double without hand-written rounding.
    if (bit_length(magnitude_) > 1025) throw OverflowError("int too large to convert to float");
    const std::string text = to_decimal();
    double value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error == std::errc::result_out_of_range || std::isinf(value))
        throw OverflowError("int too large to convert to float");
    return value;
}

std::int64_t BigInt::python_hash() const {
    // Python hashes an int as its value modulo the Mersenne prime 2^61 - 1, keeping the sign, so that
    // equal ints and floats hash alike. Shifting by 32 modulo 2^61 - 1 is a 61-bit rotation.
    std::uint64_t x = 0;
    for (auto it = magnitude_.rbegin(); it != magnitude_.rend(); ++it) {
        x = ((x << 32) & hash_modulus) | (x >> (61 - 32));
        x += *it;
        if (x >= hash_modulus) x -= hash_modulus;
    }
    auto h = static_cast<std::int64_t>(x);
    if (negative_) h = -h;
    return h == -1 ? -2 : h;
}

} // namespace mp
