// See finders.h. Each finder names the catalog pattern it reproduces and why its quantifiers resolve as they do.
#include "finders.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <string>
#include <vector>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

namespace tftsr {
namespace {

// The catalog patterns (tftsr_kernel.pii.catalog), byte for byte.
const char IPV4[] = R"re((?P<v>(?:[0-9]{1,3}\.){3}[0-9]{1,3}))re";
const char CARD[] = R"re((?:^|[^0-9A-Za-z_.-])(?P<v>[0-9](?:[ -]?[0-9]){12,}))re";
const char HOST[] =
    R"re((?:^|[^A-Za-z0-9@._/-]|//|@)(?P<v>(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.){1,12})re"
    R"re((?i:com|net|org|edu|gov|mil|int|io|co|ai|app|dev|cloud|info|biz|me|tv|us|uk|de|fr|nl|be|es|it|ch|at|se|)re"
    R"re(no|dk|fi|ie|pt|gr|cz|hu|ro|bg|ru|ua|cn|jp|kr|in|au|nz|ca|br|mx|ar|cl|za|sg|hk|tw|my|th|vn|id|ph|tr|il|ae|)re"
    R"re(sa|eg|ng|ke|eu|asia|online|site|tech|xyz|top|local|internal|corp|lan|intra|intranet|localdomain|home|arpa|)re"
    R"re(svc|cluster))(?:[^A-Za-z0-9_-]|$))re";
const char USER[] =
    R"re((?i)(?:^|[^a-z0-9])(?:user|username|user_name|user id|ruser|logname|login|uname|db_user|acct))re"
    R"re((?:\\?[\"'])?\s{0,2}[=:]\s{0,2}(?:\\?[\"'])?(?P<v>[A-Za-z0-9._$@\\-]+))re";
const char IBAN[] = R"re((?:^|[^A-Za-z0-9])(?P<v>[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?))re";
const char MAC[] =
    R"re((?P<v>[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){5}|[0-9A-Fa-f]{2}(?:-[0-9A-Fa-f]{2}){5})re"
    R"re(|[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}))re";
const char NANP[] = R"re((?P<v>\([0-9]{3}\) ?[0-9]{3}[-. ][0-9]{4}|[0-9]{3}[-.][0-9]{3}[-.][0-9]{4}))re";
const char IPV6[] =
    R"re((?:^|[^0-9A-Za-z:.])(?P<v>[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){3,7}(?:\.[0-9]{1,3}){0,3}))re";
const char SYSLOG[] =
    R"re((?m)^(?:<[0-9]{1,3}>)?[A-Z][a-z]{2} [ 0-3]?[0-9] [0-9]{2}:[0-9]{2}:[0-9]{2} )re"
    R"re([A-Za-z0-9][A-Za-z0-9._-]{0,62} [^\s:\[\]]{1,64}(?:\[[0-9]{1,10}\])?:)re";

// A set of ASCII bytes, written as a regex class body: ranges ``a-z`` and single bytes (a last ``-`` is one).
struct Bytes {
    bool in[256] = {};
#ifdef __SSE2__
    struct Range {
        __m128i lo, span;  // its first byte and its width - 1, 16 times
        bool one;          // one byte: a comparison is enough
    };
    std::vector<Range> ranges;
#endif
    explicit Bytes(const char* spec) {
        for (const char* p = spec; *p != '\0'; ++p) {
            const bool range = p[1] == '-' && p[2] != '\0';
            const char lo = p[0], hi = range ? p[2] : p[0];
            for (int c = lo; c <= hi; ++c) in[c] = true;
#ifdef __SSE2__
            ranges.push_back({_mm_set1_epi8(lo), _mm_set1_epi8(static_cast<char>(hi - lo)), lo == hi});
#endif
            p += range ? 2 : 0;
        }
    }
    bool operator()(unsigned char c) const { return in[c]; }
};

// Bit i set when data[at + i] is in ``set`` (i < 64, at + i < rend): 16 bytes a step with SSE2, where a range
// costs a subtraction and an unsigned comparison (x - lo <= width - 1), a single byte one comparison.
uint64_t mask64(const Bytes& set, const unsigned char* data, size_t at, size_t rend) {
    uint64_t mask = 0;
    size_t i = 0;
#ifdef __SSE2__
    for (; i < 64 && at + i + 16 <= rend; i += 16) {
        const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(data + at + i));
        __m128i hit = _mm_setzero_si128();
        for (const Bytes::Range& r : set.ranges) {
            if (r.one) {
                hit = _mm_or_si128(hit, _mm_cmpeq_epi8(x, r.lo));
                continue;
            }
            const __m128i off = _mm_sub_epi8(x, r.lo);
            hit = _mm_or_si128(hit, _mm_cmpeq_epi8(_mm_min_epu8(off, r.span), off));
        }
        mask |= static_cast<uint64_t>(static_cast<uint16_t>(_mm_movemask_epi8(hit))) << i;
    }
#endif
    for (; i < 64 && at + i < rend; ++i) mask |= static_cast<uint64_t>(set(data[at + i])) << i;
    return mask;
}

const Bytes DIGIT("0-9"), ALNUM("A-Za-z0-9"), UPPER("A-Z"), LOWER("a-z"), DAY_TENS(" 0-3");
const Bytes CARD_RUN("0-9 -"), CARD_LEAD("0-9A-Za-z_.-");
const Bytes HOST_LEAD("A-Za-z0-9@._/-"), LABEL("A-Za-z0-9-"), HOST_TRAIL("A-Za-z0-9_-");
const Bytes SPACE("\t\n\f\r "), QUOTE("\"'"), USER_VALUE("A-Za-z0-9._$@\\-");
const Bytes UPPER_ALNUM("A-Z0-9"), HEX("0-9A-Fa-f"), MAC_SEP(":.-"), COLON(":"), IPV6_LEAD("0-9A-Za-z:.");
const Bytes NANP_SEP("-. "), DOT_DASH("-.");
const Bytes SYSLOG_HOST("A-Za-z0-9._-"), TAG_STOP("\t\n\f\r :[]");  // RE2's \s is [\t\n\f\r ]

// The length of the character that byte b starts (valid UTF-8), 0 for a continuation byte.
size_t char_len(unsigned char b) { return b < 0x80 ? 1 : b < 0xC0 ? 0 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4; }

// [^set] at data[at]: the length of a whole character outside ``set`` that ends by rend, else 0.
size_t outside(const Bytes& set, const unsigned char* data, size_t at, size_t rend) {
    if (at >= rend || set(data[at])) return 0;
    size_t len = char_len(data[at]);
    return len <= rend - at ? len : 0;
}

// The first c in data[from, rend), else rend.
size_t find_byte(const unsigned char* data, size_t from, size_t rend, unsigned char c) {
    const void* at = from < rend ? std::memchr(data + from, c, rend - from) : nullptr;
    return at == nullptr ? rend : static_cast<size_t>(static_cast<const unsigned char*>(at) - data);
}

// How many bytes from data[at] (at most max, before rend) ``set`` holds.
size_t run(const Bytes& set, const unsigned char* data, size_t at, size_t rend, size_t max) {
    size_t k = 0;
    while (k < max && at + k < rend && set(data[at + k])) ++k;
    return k;
}

// One set's bits over the text, 64 bytes a step: at(k) has bit i set when data[b + k + i] is in the set (k < 64,
// b the step's first byte), none past rend. A step keeps the bits it read of the next 64 bytes.
class Bits {
  public:
    Bits(const Bytes& set, const unsigned char* data, size_t b, size_t rend)
        : set_(set), data_(data), b_(b), rend_(rend), lo_(mask64(set, data, b, rend)),
          hi_(mask64(set, data, b + 64, rend)) {}
    uint64_t at(unsigned k) const { return k == 0 ? lo_ : lo_ >> k | hi_ << (64 - k); }
    void step() {
        b_ += 64;
        lo_ = hi_;
        hi_ = mask64(set_, data_, b_ + 64, rend_);
    }

  private:
    const Bytes& set_;
    const unsigned char* data_;
    size_t b_, rend_;
    uint64_t lo_, hi_;
};

// Calls take(p) for each p in [pos, rend) that ``starts()`` marks, in order, until one returns true: starts()
// gives 64 bits at a time from the ``bits`` (built at pos), each a piece of a pattern read at its offset, so only
// the few places where the pattern's structure is there are looked at. A mark needs a bit of some set, so none
// lies past rend.
template <class Starts, class Take>
bool each_start(size_t pos, size_t rend, std::initializer_list<Bits*> bits, Starts starts, Take take) {
    for (size_t b = pos; b < rend; b += 64) {
        for (uint64_t marks = starts(); marks != 0; marks &= marks - 1) {
            if (take(b + static_cast<size_t>(__builtin_ctzll(marks)))) return true;
        }
        for (Bits* x : bits) x->step();
    }
    return false;
}

// A position in [at, rend) that moves past what each piece of a pattern matches; a piece that fails leaves it
// anywhere (the caller gives up).
struct Cursor {
    const unsigned char* data;
    size_t at, rend;

    bool byte(unsigned char c) {
        if (at >= rend || data[at] != c) return false;
        ++at;
        return true;
    }
    // set{min,max}, greedy; callers only follow it with a byte outside ``set``, so backing off never helps
    bool many(const Bytes& set, size_t min, size_t max) {
        size_t k = run(set, data, at, rend, max);
        at += k;
        return k >= min;
    }
};

// (?P<v>(?:[0-9]{1,3}\.){3}[0-9]{1,3}) at data[at]: its end, or 0. Digits and dots are disjoint, so nothing
// backtracks: a run of 4+ digits before a dot fails (the greedy {1,3} stops at 3 and no dot follows).
size_t ipv4_at(const unsigned char* data, size_t at, size_t rend) {
    Cursor c{data, at, rend};
    for (int dot = 0; dot < 3; ++dot) {
        if (!c.many(DIGIT, 1, 3) || !c.byte('.')) return 0;
    }
    return c.many(DIGIT, 1, 3) ? c.at : 0;
}

// Per dot, in order: the earliest start of 1-3 digits before it. A later start runs the same after the dot, and
// a later dot's starts come after this one.
bool find_ipv4(const unsigned char* data, size_t, size_t pos, size_t rend, Found* found) {
    for (size_t d = find_byte(data, pos, rend, '.'); d < rend; d = find_byte(data, d + 1, rend, '.')) {
        size_t s = d;
        while (s > pos && d - s < 3 && DIGIT(data[s - 1])) --s;
        const size_t e = s < d ? ipv4_at(data, s, rend) : 0;
        if (e != 0) {
            *found = {s, e, s, e};
            return true;
        }
    }
    return false;
}

// [0-9](?:[ -]?[0-9]){12,} at data[at]: its end, or 0. A repeat takes a separator only with a digit after it
// (else [ -]? backs off and [0-9] fails on the separator), so the greedy repeat ends at the first byte that starts
// none, and nothing after it in the pattern asks for less.
size_t card_at(const unsigned char* data, size_t at, size_t rend) {
    if (at >= rend || !DIGIT(data[at])) return 0;
    size_t repeats = 0;
    for (++at;; ++repeats) {
        if (at < rend && DIGIT(data[at])) {
            at += 1;
        } else if (at + 1 < rend && (data[at] == ' ' || data[at] == '-') && DIGIT(data[at + 1])) {
            at += 2;
        } else {
            break;
        }
    }
    return repeats >= 12 ? at : 0;
}

// (?:^|[^lead])(?P<v>VALUE)'s first match starting in [from, to), VALUE matched by ``value_at`` (its end, or 0):
// at each start, ^ (the text's start) first, then one character outside ``lead``.
using ValueAt = size_t (*)(const unsigned char* data, size_t at, size_t rend);
bool led_from(const Bytes& lead, ValueAt value_at, const unsigned char* data, size_t from, size_t to, size_t rend,
              Found* found) {
    for (size_t s = from; s < to; ++s) {
        size_t len = 0, ve = s == 0 ? value_at(data, 0, rend) : 0;
        if (ve == 0 && (len = outside(lead, data, s, rend)) != 0) ve = value_at(data, s + len, rend);
        if (ve != 0) {
            *found = {s, ve, s + len, ve};
            return true;
        }
    }
    return false;
}

// Where the lead of a value starting at r0 may start: the (at most 4-byte) character before it, from pos on.
size_t lead_room(size_t pos, size_t r0) { return r0 - std::min<size_t>(r0 - pos, 4); }

// (?:^|[^0-9A-Za-z_.-])(?P<v>[0-9](?:[ -]?[0-9]){12,}): a value is 13+ bytes of [0-9 -], so only runs that long
// are searched, from the lead before them. Probes 13 bytes apart find them: a value starting at or after ``at``
// holds one of at+12, at+25, ...; a probe outside [0-9 -] is in no value.
bool find_card(const unsigned char* data, size_t, size_t pos, size_t rend, Found* found) {
    for (size_t at = pos;;) {
        size_t probe = at + 12;
        while (probe < rend && !CARD_RUN(data[probe])) probe += 13;
        if (probe >= rend) return false;
        size_t r0 = probe, r1 = probe + 1;
        while (r0 > pos && CARD_RUN(data[r0 - 1])) --r0;
        while (r1 < rend && CARD_RUN(data[r1])) ++r1;
        if (r1 - r0 >= 13 && led_from(CARD_LEAD, card_at, data, lead_room(pos, r0), r1, rend, found)) return true;
        at = r1;
    }
}

// [A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})? at data[at]: its end, or 0. A group takes its space
// only with [A-Z0-9] after it, as backing off leaves it at the space, where no [A-Z0-9] starts: each repeat has
// one way or none. Nothing follows the optional group, so the greedy counts stand.
size_t iban_at(const unsigned char* data, size_t at, size_t rend) {
    Cursor c{data, at, rend};
    if (!(c.many(UPPER, 2, 2) && c.many(DIGIT, 2, 2))) return 0;
    size_t groups = 0;
    for (size_t from = c.at; groups < 7; from = c.at, ++groups) {
        c.byte(' ');
        if (!c.many(UPPER_ALNUM, 4, 4)) {
            c.at = from;
            break;
        }
    }
    if (groups < 2) return 0;
    const size_t from = c.at;
    c.byte(' ');
    return c.many(UPPER_ALNUM, 1, 4) ? c.at : from;
}

// (?:^|[^A-Za-z0-9])(?P<v>[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?): a value starts with
// [A-Z]{2}[0-9]{2}, so only there, from the lead before it. Such starts are 4 bytes apart at least (no byte is
// both), so their matches' starts come in their order.
bool find_iban(const unsigned char* data, size_t, size_t pos, size_t rend, Found* found) {
    Bits upper(UPPER, data, pos, rend), digit(DIGIT, data, pos, rend);
    return each_start(
        pos, rend, {&upper, &digit}, [&] { return upper.at(0) & upper.at(1) & digit.at(2) & digit.at(3); },
        [&](size_t vs) { return led_from(ALNUM, iban_at, data, lead_room(pos, vs), vs + 1, rend, found); });
}

// ``count`` groups of ``width`` hex digits joined by ``sep`` at data[at]: the end, or 0 (fixed widths: nothing
// to back off).
size_t hex_groups(const unsigned char* data, size_t at, size_t rend, size_t width, unsigned char sep, int count) {
    Cursor c{data, at, rend};
    for (int g = 0; g < count; ++g) {
        if ((g > 0 && !c.byte(sep)) || !c.many(HEX, width, width)) return 0;
    }
    return c.at;
}

// (?P<v>XX(?::XX){5}|XX(?:-XX){5}|XXXX\.XXXX\.XXXX) (X a hex digit): each alternative in order, where an
// alternative's separators are (2, 5, 8, 11 and 14 bytes on, or 4 and 9): rare in logs, unlike hex digits. One set
// of the three separators costs a third of a set each; the alternatives sort out the rest.
bool find_mac(const unsigned char* data, size_t, size_t pos, size_t rend, Found* found) {
    Bits sep(MAC_SEP, data, pos, rend);
    const auto starts = [&] {
        return (sep.at(2) & sep.at(5) & sep.at(8) & sep.at(11) & sep.at(14)) | (sep.at(4) & sep.at(9));
    };
    return each_start(pos, rend, {&sep}, starts, [&](size_t s) {
        size_t e = hex_groups(data, s, rend, 2, ':', 6);
        if (e == 0) e = hex_groups(data, s, rend, 2, '-', 6);
        if (e == 0) e = hex_groups(data, s, rend, 4, '.', 3);
        if (e != 0) *found = {s, e, s, e};
        return e != 0;
    });
}

// \([0-9]{3}\) ?[0-9]{3}[-. ][0-9]{4}, else [0-9]{3}[-.][0-9]{3}[-.][0-9]{4}, at data[at]: the match's end, or 0.
// The first alternative starts with ( and the second with a digit; ` ?` takes a space only where no digit starts,
// and the other pieces have fixed widths: nothing backtracks.
size_t nanp_at(const unsigned char* data, size_t at, size_t rend) {
    Cursor c{data, at, rend};
    if (c.byte('(')) {
        if (!(c.many(DIGIT, 3, 3) && c.byte(')'))) return 0;
        c.byte(' ');
        return c.many(DIGIT, 3, 3) && c.many(NANP_SEP, 1, 1) && c.many(DIGIT, 4, 4) ? c.at : 0;
    }
    const bool ok = c.many(DIGIT, 3, 3) && c.many(DOT_DASH, 1, 1) && c.many(DIGIT, 3, 3) &&
                    c.many(DOT_DASH, 1, 1) && c.many(DIGIT, 4, 4);
    return ok ? c.at : 0;
}

// (?P<v>\([0-9]{3}\) ?[0-9]{3}[-. ][0-9]{4}|[0-9]{3}[-.][0-9]{3}[-.][0-9]{4}): a match ends with
// [0-9]{3}[-. ][0-9]{4} and starts 4 to 6 bytes before it; per place q where 3 digits, a byte that is none and 4
// digits are (the digits alone say as much, at half the cost), in order, those starts. The next such place is 2
// bytes on at least (the byte 3 after q is no digit, the one 2 after q + 1 is), so its matches start at or after
// these.
bool find_nanp(const unsigned char* data, size_t, size_t pos, size_t rend, Found* found) {
    Bits digit(DIGIT, data, pos, rend);
    const auto starts = [&] {
        return digit.at(0) & digit.at(1) & digit.at(2) & ~digit.at(3) & digit.at(4) & digit.at(5) & digit.at(6) &
               digit.at(7);
    };
    return each_start(pos, rend, {&digit}, starts, [&](size_t q) {
        for (size_t s = std::max(pos, q - std::min<size_t>(q, 6)); s + 4 <= q; ++s) {
            const size_t e = nanp_at(data, s, rend);
            if (e != 0) {
                *found = {s, e, s, e};
                return true;
            }
        }
        return false;
    });
}

// [0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){3,7}(?:\.[0-9]{1,3}){0,3} at data[at]: its end, or 0. No hex digit is a
// colon or a dot: a group that gives back digits leaves the next colon or dot at a digit, so only the greedy
// path goes on, and nothing follows the optional dotted tail, which ends the value wherever it stops.
size_t ipv6_at(const unsigned char* data, size_t at, size_t rend) {
    Cursor c{data, at, rend};
    c.many(HEX, 0, 4);
    int groups = 0;
    for (; groups < 7 && c.byte(':'); ++groups) c.many(HEX, 0, 4);
    if (groups < 3) return 0;
    for (int dots = 0; dots < 3; ++dots) {
        const size_t from = c.at;
        if (!(c.byte('.') && c.many(DIGIT, 1, 3))) {
            c.at = from;
            break;
        }
    }
    return c.at;
}

// (?:^|[^0-9A-Za-z:.])(?P<v>[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){3,7}(?:\.[0-9]{1,3}){0,3}): a value holds 3
// colons at least, each at most 5 bytes after the one before, and its first colon at most 4 bytes after its start.
// Per first colon c of such a chain, in order, the starts up to 8 bytes before it (4 hex digits and a 4-byte
// lead): a match starting there whose first colon comes earlier was found at that colon, and one whose first
// colon comes later starts after c (no lead is a colon).
bool find_ipv6(const unsigned char* data, size_t, size_t pos, size_t rend, Found* found) {
    Bits colon(COLON, data, pos, rend);
    const auto within5 = [&](unsigned k) {  // a colon 1 to 5 bytes after k
        return colon.at(k + 1) | colon.at(k + 2) | colon.at(k + 3) | colon.at(k + 4) | colon.at(k + 5);
    };
    const auto chains = [&] {
        uint64_t second = 0;
        for (unsigned k = 1; k <= 5; ++k) second |= colon.at(k) & within5(k);
        return colon.at(0) & second;
    };
    return each_start(pos, rend, {&colon}, chains, [&](size_t c) {
        return led_from(IPV6_LEAD, ipv6_at, data, c - std::min<size_t>(c - pos, 8), c + 1, rend, found);
    });
}

// A character that (?i) reads as an ASCII letter though it is none (RE2 folds Unicode): the Kelvin sign (E2 84 AA)
// for k and the long s (C5 BF) for s; its length at data[at] when it is the one for ``letter``, else 0.
size_t folded(char letter, const unsigned char* data, size_t at, size_t rend) {
    if (letter == 'k') return rend - at >= 3 && std::memcmp(data + at, "\xE2\x84\xAA", 3) == 0 ? 3 : 0;
    if (letter == 's') return rend - at >= 2 && std::memcmp(data + at, "\xC5\xBF", 2) == 0 ? 2 : 0;
    return 0;
}

// The words of one case-insensitive alternation of a pattern (the group opening after ``marker``), in their order,
// by first letter (each starts with one). Only those of its letter can match where a byte reads as that letter in
// either case, or starts its folded character.
struct Words {
    std::vector<std::string> by_first[26];
    size_t longest = 0;  // in bytes, each letter in its longest spelling

    Words(const std::string& pattern, const std::string& marker) {
        const size_t open = pattern.find(marker) + marker.size(), close = pattern.find(')', open);
        for (size_t at = open; at < close;) {
            const size_t bar = std::min(pattern.find('|', at), close);
            std::string word = pattern.substr(at, bar - at);
            size_t bytes = 0;
            for (char& ch : word) {
                if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch | 0x20);
                bytes += ch == 'k' ? 3 : ch == 's' ? 2 : 1;
            }
            longest = std::max(longest, bytes);
            by_first[word[0] - 'a'].push_back(word);
            at = bar + 1;
        }
    }

    // the words that may match where byte b starts, or nullptr
    const std::vector<std::string>* starting(unsigned char b) const {
        if (b == 0xE2) return &by_first['k' - 'a'];
        if (b == 0xC5) return &by_first['s' - 'a'];
        b |= 0x20;
        return b >= 'a' && b <= 'z' ? &by_first[b - 'a'] : nullptr;
    }
};

// How many bytes of data[at, rend) spell ``word`` (lower case) as (?i:word) reads it, else 0.
size_t spells(const std::string& word, const unsigned char* data, size_t at, size_t rend) {
    const size_t start = at;
    for (char w : word) {
        size_t len = 0;
        if (at < rend && (LOWER(w) ? (data[at] | 0x20) == w : data[at] == w)) {
            len = 1;
        } else if ((len = folded(w, data, at, rend)) == 0) {
            return 0;
        }
        at += len;
    }
    return at - start;
}

// (?i:com|...)(?:[^A-Za-z0-9_-]|$) at data[at]: the ends of the TLD and of the match; each alternative in order,
// with a boundary character after it, else the text's end.
bool tld_at(const unsigned char* data, size_t n, size_t at, size_t rend, size_t* ve, size_t* me) {
    static const Words tlds{HOST, "(?i:"};
    const std::vector<std::string>* words = at < rend ? tlds.starting(data[at]) : nullptr;
    for (size_t i = 0; words != nullptr && i < words->size(); ++i) {
        const size_t len = spells((*words)[i], data, at, rend);
        if (len == 0) continue;
        const size_t end = at + len, trail = outside(HOST_TRAIL, data, end, rend);
        if (trail != 0 || end == n) {
            *ve = end;
            *me = end + trail;
            return true;
        }
    }
    return false;
}

// [A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\. at data[at]: the end of its dot, or 0. No label byte is a dot, so
// however the repeat backs off the dot must follow the whole run: the run up to a dot, alphanumeric at both ends.
size_t label_at(const unsigned char* data, size_t at, size_t rend) {
    if (at >= rend || !ALNUM(data[at])) return 0;
    const size_t dot = at + 1 + run(LABEL, data, at + 1, rend, rend);
    return dot < rend && data[dot] == '.' && data[dot - 1] != '-' ? dot + 1 : 0;
}

// (?:LABEL\.){1,12}TLD TRAIL at data[at]: the greedy repeat takes every label it can (12 at most), then gives
// them back one at a time until a TLD and its trail follow.
bool host_at(const unsigned char* data, size_t n, size_t at, size_t rend, size_t* ve, size_t* me) {
    size_t ends[12];
    size_t k = 0;
    for (size_t e; k < 12 && (e = label_at(data, at, rend)) != 0; at = e) ends[k++] = e;
    while (k > 0) {
        if (tld_at(data, n, ends[--k], rend, ve, me)) return true;
    }
    return false;
}

// Where HOST's lead ending at data[vs] starts (vs == 0: ^), else npos: @, //, or one character outside the
// class, which holds / and @ (so one alternative at most applies); a start before pos is none.
size_t host_lead(const unsigned char* data, size_t pos, size_t vs) {
    if (vs == 0) return 0;
    size_t s = vs - 1;
    if (data[s] == '/') {
        s = s > 0 && data[s - 1] == '/' ? s - 1 : std::string::npos;
    } else if (data[s] != '@' && HOST_LEAD(data[s])) {
        s = std::string::npos;
    }
    while (s != std::string::npos && s > 0 && (data[s] & 0xC0) == 0x80) --s;  // to the character's first byte
    return s >= pos ? s : std::string::npos;
}

// (?:^|[^A-Za-z0-9@._/-]|//|@)(?P<v>(?:LABEL\.){1,12}(?i:TLD...))(?:[^A-Za-z0-9_-]|$): a match holds a dot, and its
// value starts where the label run before its first dot starts (the lead holds no label byte). Per dot, in order:
// that run's one start; a later dot's run starts after this dot.
bool find_host(const unsigned char* data, size_t n, size_t pos, size_t rend, Found* found) {
    for (size_t d = find_byte(data, pos, rend, '.'); d < rend; d = find_byte(data, d + 1, rend, '.')) {
        size_t vs = d, ve, me;
        while (vs > pos && LABEL(data[vs - 1])) --vs;
        const size_t s = host_lead(data, pos, vs);
        if (s != std::string::npos && host_at(data, n, vs, rend, &ve, &me)) {
            *found = {s, me, vs, ve};
            return true;
        }
    }
    return false;
}

// [^\s:\[\]]{1,64}: whole characters (RE2 counts characters, not bytes), greedy; what follows is [ or :, which
// the class leaves out, so backing off never helps.
bool tag(Cursor* c) {
    size_t k = 0;
    for (size_t len; k < 64 && (len = outside(TAG_STOP, c->data, c->at, c->rend)) != 0; ++k) c->at += len;
    return k > 0;
}

// SYSLOG after its ^, at data[at]: the match's end, or 0. Every piece is followed by a byte it cannot take, and
// each optional piece's two ways exclude one another ([ 0-3]?[0-9] with a digit or a space second; <...> or
// [A-Z] first), so nothing backtracks across pieces.
size_t syslog_at(const unsigned char* data, size_t at, size_t rend) {
    Cursor c{data, at, rend};
    if (c.byte('<') && !(c.many(DIGIT, 1, 3) && c.byte('>'))) return 0;
    if (!(c.many(UPPER, 1, 1) && c.many(LOWER, 2, 2) && c.byte(' '))) return 0;
    const size_t day = c.at;
    if (!(c.many(DAY_TENS, 1, 1) && c.many(DIGIT, 1, 1) && c.byte(' '))) {
        c.at = day;
        if (!(c.many(DIGIT, 1, 1) && c.byte(' '))) return 0;
    }
    for (unsigned char after : {':', ':', ' '}) {
        if (!(c.many(DIGIT, 2, 2) && c.byte(after))) return 0;
    }
    if (!(c.many(ALNUM, 1, 1) && c.many(SYSLOG_HOST, 0, 62) && c.byte(' ') && tag(&c))) return 0;
    if (c.byte('[') && !(c.many(DIGIT, 1, 10) && c.byte(']'))) return 0;
    return c.byte(':') ? c.at : 0;
}

// (?m)^...: the lines starting in [pos, rend), in order ((?m)^ reads the byte before pos too).
bool find_syslog(const unsigned char* data, size_t, size_t pos, size_t rend, Found* found) {
    for (size_t s = pos; s < rend; s = find_byte(data, s, rend, '\n') + 1) {
        const size_t e = s == 0 || data[s - 1] == '\n' ? syslog_at(data, s, rend) : 0;
        if (e != 0) {
            *found = {s, e, s, e};
            return true;
        }
    }
    return false;
}

// USER's keywords
const Words& user_keywords() {
    static const Words keywords{USER, "[^a-z0-9])(?:"};
    return keywords;
}

// (?i)[^a-z0-9] at data[s]: the length of one character that is no letter or digit in either case, else 0.
size_t user_lead(const unsigned char* data, size_t s, size_t rend) {
    const size_t len = outside(ALNUM, data, s, rend);
    return len == 0 || folded('k', data, s, rend) != 0 || folded('s', data, s, rend) != 0 ? 0 : len;
}

// \\?["'] at the cursor, taken when there.
bool quote(Cursor* c) {
    const size_t at = c->at;
    c->byte('\\');
    if (c->at < c->rend && QUOTE(c->data[c->at])) {
        ++c->at;
        return true;
    }
    c->at = at;
    return false;
}

// [A-Za-z0-9._$@\\-]+ under (?i) from data[at], which adds the Kelvin sign and the long s: the end of the greedy
// run (at when it is empty).
size_t user_value_end(const unsigned char* data, size_t at, size_t rend) {
    for (size_t len; at < rend; at += len) {
        len = USER_VALUE(data[at]) ? 1 : std::max(folded('k', data, at, rend), folded('s', data, at, rend));
        if (len == 0) break;
    }
    return at;
}

// (?:\\?["'])?\s{0,2}[=:]\s{0,2}(?:\\?["'])?(?P<v>VALUE) at data[at]: the value's bounds. Before the value no
// piece backs off usefully: without a quote that is there, [=:] or the value would start on it; with fewer spaces,
// on a space. The second quote does: without it, the value may start at its backslash.
bool user_tail(const unsigned char* data, size_t at, size_t rend, size_t* vs, size_t* ve) {
    Cursor c{data, at, rend};
    quote(&c);
    c.many(SPACE, 0, 2);
    if (!c.byte('=') && !c.byte(':')) return false;
    c.many(SPACE, 0, 2);
    const size_t bare = c.at;
    if (quote(&c) && (*ve = user_value_end(data, c.at, rend)) > c.at) {
        *vs = c.at;
        return true;
    }
    *vs = bare;
    *ve = user_value_end(data, bare, rend);
    return *ve > bare;
}

// (?i:user|username|...)TAIL at data[at]: each keyword in order.
bool user_keyword(const unsigned char* data, size_t at, size_t rend, size_t* vs, size_t* ve) {
    const std::vector<std::string>* words = at < rend ? user_keywords().starting(data[at]) : nullptr;
    for (size_t i = 0; words != nullptr && i < words->size(); ++i) {
        const size_t len = spells((*words)[i], data, at, rend);
        if (len != 0 && user_tail(data, at + len, rend, vs, ve)) return true;
    }
    return false;
}

// USER's match starting at data[s]: ^ (the text's start) first, then one character of the lead.
bool user_at(const unsigned char* data, size_t s, size_t rend, Found* found) {
    size_t vs, ve, lead;
    if (s == 0 && user_keyword(data, 0, rend, &vs, &ve)) {
        *found = {0, ve, vs, ve};
        return true;
    }
    if ((lead = user_lead(data, s, rend)) != 0 && user_keyword(data, s + lead, rend, &vs, &ve)) {
        *found = {s, ve, vs, ve};
        return true;
    }
    return false;
}

// Where a keyword ends if one ends before the [=:] at data[q] (after it at most 2 spaces and a quote), else 0:
// the byte before must be a letter, as every keyword ends with one that (?i) spells in ASCII only.
size_t user_keyword_end(const unsigned char* data, size_t pos, size_t q) {
    size_t t = q;
    while (t > pos && q - t < 2 && SPACE(data[t - 1])) --t;
    if (t > pos && QUOTE(data[t - 1]) && --t > pos && data[t - 1] == '\\') --t;  // the quote's: no keyword ends so
    return t > pos && (UPPER(data[t - 1]) || LOWER(data[t - 1])) ? t : 0;
}

// (?i)(?:^|[^a-z0-9])(?:user|username|...)(?:\\?[\"'])?\s{0,2}[=:]\s{0,2}(?:\\?[\"'])?(?P<v>[A-Za-z0-9._$@\\-]+): a
// match holds a = or :, with nothing but its keyword, quote and spaces (and its lead, which may be the previous
// [=:]) before it. Per [=:] in order: the starts close enough to the keyword ending before it (a lead and the
// longest keyword), from the previous [=:] on.
bool find_user(const unsigned char* data, size_t, size_t pos, size_t rend, Found* found) {
    const size_t reach = 4 + user_keywords().longest;
    size_t eq = find_byte(data, pos, rend, '='), colon = find_byte(data, pos, rend, ':');
    for (size_t q, next = pos; (q = std::min(eq, colon)) < rend; next = q) {
        (q == eq ? eq : colon) = find_byte(data, q + 1, rend, data[q]);
        const size_t t = user_keyword_end(data, pos, q);
        for (size_t s = std::max(next, t > reach ? t - reach : 0); s < t; ++s) {
            if (user_at(data, s, rend, found)) return true;
        }
    }
    return false;
}

struct Entry {
    const char* pattern;
    Finder find;
};

const Entry FINDERS[] = {{IPV4, find_ipv4}, {CARD, find_card}, {HOST, find_host}, {USER, find_user},
                          {SYSLOG, find_syslog}, {IBAN, find_iban}, {MAC, find_mac}, {NANP, find_nanp},
                          {IPV6, find_ipv6}};

}  // namespace

Finder finder_for(const char* pattern, size_t len) {
    for (const Entry& e : FINDERS) {
        if (std::strlen(e.pattern) == len && std::memcmp(e.pattern, pattern, len) == 0) return e.find;
    }
    return nullptr;
}

const char* finder_pattern(size_t i) { return i < sizeof FINDERS / sizeof FINDERS[0] ? FINDERS[i].pattern : nullptr; }

}  // namespace tftsr
