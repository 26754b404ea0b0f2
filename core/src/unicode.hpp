#pragma once
// UTF-8 as Python's pickle uses it: standard UTF-8 plus encoded lone surrogates ("surrogatepass").
#include <cstddef>
#include <string>
#include <string_view>

namespace mp::detail {

// Python's str.isprintable() for one code point (table generated from CPython's Unicode database).
bool is_printable(char32_t code_point);

struct Utf8Char {
    char32_t code_point; // the decoded code point, or the offending byte when !valid
    std::size_t length;  // bytes consumed (1 for an invalid byte)
    bool valid;
};

// Decodes the character starting at text[pos]; overlong forms and values beyond U+10FFFF are invalid,
// surrogates U+D800..U+DFFF are accepted because CPython writes them with "surrogatepass".
inline Utf8Char decode_utf8(std::string_view text, std::size_t pos) {
    const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
    const unsigned char lead = byte(pos);
    if (lead < 0x80) return {lead, 1, true};
    std::size_t length;
    char32_t cp;
    char32_t minimum;
    if ((lead & 0xE0) == 0xC0) {
        length = 2, cp = lead & 0x1F, minimum = 0x80;
    } else if ((lead & 0xF0) == 0xE0) {
        length = 3, cp = lead & 0x0F, minimum = 0x800;
    } else if ((lead & 0xF8) == 0xF0) {
        length = 4, cp = lead & 0x07, minimum = 0x10000;
    } else {
        return {lead, 1, false};
    }
    if (text.size() - pos < length) return {lead, 1, false};
    for (std::size_t i = 1; i < length; ++i) {
        const unsigned char c = byte(pos + i);
        if ((c & 0xC0) != 0x80) return {lead, 1, false};
        cp = (cp << 6) | (c & 0x3F);
    }
    if (cp < minimum || cp > 0x10FFFF) return {lead, 1, false};
    return {cp, length, true};
}

// Appends one code point; lone surrogates are encoded like any other (Python's "surrogatepass").
inline void append_utf8(std::string& out, char32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

inline bool is_valid_utf8(std::string_view text) {
    for (std::size_t pos = 0; pos < text.size();) {
        const Utf8Char c = decode_utf8(text, pos);
        if (!c.valid) return false;
        pos += c.length;
    }
    return true;
}

} // namespace mp::detail
