// Character classes and context reads shared by the C++ validators (checks.cpp, keyvalue.cpp). Texts are ASCII
// there, so Python's str classes are these ASCII ones.
#pragma once

#include <cstddef>

namespace tftsr {

inline bool digit(unsigned char c) { return c >= '0' && c <= '9'; }
inline bool upper(unsigned char c) { return c >= 'A' && c <= 'Z'; }
inline bool lower(unsigned char c) { return c >= 'a' && c <= 'z'; }
inline bool alpha(unsigned char c) { return upper(c) || lower(c); }
inline bool alnum(unsigned char c) { return alpha(c) || digit(c); }
inline bool word(unsigned char c) { return alnum(c) || c == '_'; }  // \w
inline bool hex(unsigned char c) { return digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
inline unsigned char fold(unsigned char c) { return upper(c) ? static_cast<unsigned char>(c + 32) : c; }
// str.isspace (and re's \s on str): \x1c-\x1f are separators to Python
inline bool space(unsigned char c) { return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f); }
inline bool blank(unsigned char c) { return c == ' ' || c == '\t'; }  // [ \t]

// _char_before / _char_after: NUL outside the text (a sentinel in no class)
inline unsigned char before(const unsigned char* t, size_t i) { return i > 0 ? t[i - 1] : 0; }
inline unsigned char after(const unsigned char* t, size_t n, size_t i) { return i < n ? t[i] : 0; }

// whether c is one of set's characters (NUL never is)
inline bool in(unsigned char c, const char* set) {
    for (; *set; ++set)
        if (static_cast<unsigned char>(*set) == c) return true;
    return false;
}

// _UUID.fullmatch(text, s, e)
inline bool uuid(const unsigned char* t, size_t s, size_t e) {
    static const size_t groups[] = {8, 4, 4, 4, 12};
    size_t i = s;
    for (size_t g = 0; g < 5; ++g) {
        if (g > 0) {
            if (i >= e || t[i] != '-') return false;
            ++i;
        }
        for (size_t k = 0; k < groups[g]; ++k, ++i)
            if (i >= e || !hex(t[i])) return false;
    }
    return i == e;
}

}  // namespace tftsr
