// See keyvalue.h. Every function names the Python function (or pattern) of validators.py it follows; keep the
// two in step. Patterns whose Python meaning RE2 shares run in RE2 (compiled once); the others (lookaheads,
// Python's "^" that matches at the text's start only, searches ending at \Z) are written out by hand, each with
// the reason its backtracking comes to one answer.
#include "keyvalue.h"

#include <re2/re2.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <string>
#include <string_view>
#include <vector>

#include "text.h"

namespace tftsr {
namespace {

using View = std::string_view;

constexpr size_t NPOS = View::npos;
constexpr size_t LINE_LOOKBACK = 256;  // _LINE_LOOKBACK
constexpr size_t SCALAR_MAX = 128;     // _SCALAR_MAX
constexpr size_t QUOTED_MAX = 4096;    // _QUOTED_MAX
constexpr size_t BOUND_MAX_LENGTH = 10000;  // _BOUND_MAX_LENGTH

// Python's \s on str, for the patterns RE2 runs (RE2's \s leaves out \v and \x1c-\x1f)
#define PY_SPACE R"([\t\n\x0b\f\r\x1c-\x1f ])"
#define PY_NOT_SPACE R"([^\t\n\x0b\f\r\x1c-\x1f )"
// _WORD_SEGMENT
#define WORD_SEGMENT R"((?:[a-z]+|(?:[A-Z]{1,3}[a-z]{2,}[0-9]?)+|[a-z]{2,}(?:[A-Z]{1,3}[a-z]{2,}[0-9]?)+))"

// The module patterns RE2 runs as they are (Python's \s and \W spelled out as ASCII classes)
struct Patterns {
    RE2 placeholder{  // _PLACEHOLDER, without its ^...$ (placeholder_pattern reads Python's "$")
        R"re((?i)(?:[*xX#._-]{1,}|<[^<>]*>|\([A-Za-z_ *-]*\)|\[[A-Za-z_ *-]*\])re"
        R"re(|\$\{[^}]*\}?|\$\([^)]*\)?|\$[A-Za-z_][A-Za-z0-9_]*)re"
        R"re(|\{\{.*\}\}?|\{[A-Za-z_][\w.]*(?:![rsa])?(?::[^{}]*)?\}|%[sdr]|%\([a-z_]+\)s|%[A-Za-z_]+%)re"
        R"re(|(?:null|none|nil|undefined|empty|true|false|yes|no|n/?a|unset|redacted|masked|hidden)re"
        R"re(|secret|password|passwd|token|example|dummy|placeholder|required|optional|sensitive)re"
        R"re(|string|value|test|default|str|bytes|int|integer|bool|boolean|float|object|number)re"
        R"re(|\*{2,}\w*|\w*\*{3,}\w*)re"
        R"re(|(?:change|replace|fill|update)[_-]?(?:me|it|this)[\w!@#$%^&*.-]*)re"
        R"re(|(?:password|passwd|secret|admin|test|demo|sample|default|example|letmein|qwerty|guest))re"
        R"re([0-9!@#$%^&*._-]+)re"
        R"re(|(?:your|my)[a-z_-]*|(?:insert|enter|paste|put)[_-][\w-]*)re"
        R"re(|[\w-]*[_-](?:here|placeholder|example|goes[_-]here))re"
        R"re(|(?:example|sample|fake|dummy|test)[_-][\w-]*))re"
        R"re(|![A-Za-z_]+)re"
        R"re(|(?:your|enter|insert|paste|put|type|not|no|see|ask|same)re" PY_SPACE R"re(+as))re" PY_SPACE R"re(.*)re"
        R"re(|.*)re" PY_SPACE R"re((?:here|goes)re" PY_SPACE R"re(+here))re"
        R"re(|(?:process\.env|os\.environ|os\.getenv|getenv|env|config|settings|secrets|vars|params)[.\[(].*))re"};
    RE2 path{R"re((?:~|\.{1,2})?/(?:[a-z0-9._@-]+/)*[a-z0-9._@-]*)re"};  // _PATH
    RE2 password_variable{  // _PASSWORD_VARIABLE
        R"re(_?(?:[a-z0-9]+_)*(?:pass|pwd|pw|auth)[a-z0-9]*(?:_[a-z0-9]+)*)re"
        R"re(|_?(?:[A-Z0-9]+_)*(?:PASS|PWD|PW|AUTH)[A-Z0-9]*(?:_[A-Z0-9]+)*|[a-z_]+(?:\.[a-z_]+)+)re"};
    RE2 password_camel{  // _PASSWORD_CAMEL
        R"re([a-z]+(?:[A-Z][a-z]+)*(?:Pass(?:word|wd|phrase)?|Pwd|Secret|Hash)(?:[A-Z][a-z]+)*)re"
        R"re(|(?:pass(?:word|wd|phrase)?|pwd|secret)(?:[A-Z][a-z]+)+)re"};
    RE2 field_list{R"re(:.*|[A-Za-z_]+(?::[A-Za-z_]+)+:?)re"};  // _FIELD_LIST
    RE2 code_chain{  // _CODE_CHAIN
        R"re([a-z_]{3,}(?:\.[A-Za-z_][A-Za-z0-9_]*)+|_?[a-z][a-z0-9]*(?:_[a-z0-9]+)*_[a-z]{3,})re"};
    RE2 identifier{WORD_SEGMENT R"re((?:[._/-])re" WORD_SEGMENT R"re()*)re"};  // _IDENTIFIER
    RE2 secret_key_before{  // _SECRET_KEY_BEFORE (its (?i) kept off \W: the class is ASCII's complement here)
        R"re((?:(?:(?i:secret)[a-zA-Z0-9_-]{0,16}|(?i:vault)[_-]?(?i:token)))re"
        R"re((?:[^0-9A-Za-z_]{1,8}|[^0-9A-Za-z_]{1,24}(?i:(?:parameter)?value)[^0-9A-Za-z_]{1,8}))re"
        R"re(|(?i:bearer)(?:[ \t]+["']?|%20))$)re"};
    RE2 line_key{  // _LINE_KEY
        R"re([ \t]*(?:-[ \t]+[A-Za-z_][\w.-]*=|["']?[A-Za-z_][\w.-]*["']?(?::[ \t]|[ \t]+=|=[ \t]))[ \t]*)re"};
    RE2 flow_key{R"re([{,][ \t]*["']?[A-Za-z_][\w.-]*["']?:[ \t]+$)re"};  // _FLOW_KEY
    RE2 not_scalar{  // _NOT_SCALAR
        R"re([ \t][A-Za-z_][\w.-]*(?::[ \t]|=)re" PY_NOT_SPACE R"re(=])|["'`()\[\]{}])re"};

    bool ok() const {
        for (const RE2* re : {&placeholder, &path, &password_variable, &password_camel, &field_list, &code_chain,
                              &identifier, &secret_key_before, &line_key, &flow_key, &not_scalar})
            if (!re->ok()) return false;
        return true;
    }
};

const Patterns& patterns() {
    static const Patterns p;
    return p;
}

struct Words {
    std::vector<std::string> placeholder_starts, placeholder_ends;  // _PLACEHOLDER_STARTS, _PLACEHOLDER_ENDS
    std::array<bool, 256> first_letters{}, last_letters{};  // of those words: most values share neither
};

Words& words() {
    static Words w;
    return w;
}

re2::StringPiece piece(View v) { return re2::StringPiece(v.data(), v.size()); }
bool full(const RE2& re, View v) { return RE2::FullMatch(piece(v), re); }
bool found(const RE2& re, View v) { return RE2::PartialMatch(piece(v), re); }

inline unsigned char at(View t, size_t i) { return i < t.size() ? t[i] : 0; }  // _char_after
inline unsigned char prev(View t, size_t i) { return i > 0 ? t[i - 1] : 0; }    // _char_before
inline View span(View t, size_t s, size_t e) { return t.substr(s, e - s); }
inline bool has(View v, char c) { return v.find(c) != NPOS; }

template <typename Pred>
bool every(View v, Pred pred) {  // all(pred(c) for c in v)
    return std::all_of(v.begin(), v.end(), [&](unsigned char c) { return pred(c); });
}

template <typename Pred>
bool some(View v, Pred pred) {  // any(pred(c) for c in v)
    return std::any_of(v.begin(), v.end(), [&](unsigned char c) { return pred(c); });
}

View strip_space(View v) {  // str.strip()
    while (!v.empty() && space(v.front())) v.remove_prefix(1);
    while (!v.empty() && space(v.back())) v.remove_suffix(1);
    return v;
}

View rstrip_space(View v) {  // str.rstrip()
    while (!v.empty() && space(v.back())) v.remove_suffix(1);
    return v;
}

// str.find(sub, lo, hi): the first place in [lo, hi) that holds all of sub, or NPOS
size_t find_in(View t, View sub, size_t lo, size_t hi) {
    hi = std::min(hi, t.size());
    if (lo > hi || hi - lo < sub.size()) return NPOS;
    size_t i = span(t, lo, hi).find(sub);
    return i == NPOS ? NPOS : lo + i;
}

// the end of the line that starts at or after ``from``: its first \n or \r before ``limit``, else ``limit``
size_t line_end_from(View t, size_t from, size_t limit) {
    for (size_t j = from; j < limit; ++j)
        if (t[j] == '\n' || t[j] == '\r') return j;
    return limit;
}

// -------------------------------------------------------------------------------------------- is_placeholder

// _sequential: at least three in four neighbouring pairs (lower-cased) are steps of 0-9 then a-z
bool step(unsigned char a, unsigned char b) {  // b in _NEXT[a]
    if (a == '0' || a == '9') return b == 'a' || b == (a == '0' ? '1' : '0');
    return (digit(a) || (lower(a) && a != 'z')) && b == a + 1;
}

bool sequential(View v) {
    const size_t n = v.size();
    if (n < 6) return false;
    size_t misses = 0;
    for (size_t i = 0; i + 1 < n; ++i) {
        if (!step(fold(v[i]), fold(v[i + 1])) && 4 * ++misses > n - 1) return false;  // misses > 0.25 (n - 1)
    }
    return true;
}

// Which of lower case, upper case and digits the characters of v include.
struct Classes {
    bool lo = false, up = false, dig = false;
};

Classes classes_of(View v) {
    Classes k;
    for (unsigned char c : v) {
        k.lo = k.lo || lower(c);
        k.up = k.up || upper(c);
        k.dig = k.dig || digit(c);
    }
    return k;
}

bool mixed_case_and_digits(View v) {  // _mixed_case_and_digits
    const Classes k = classes_of(v);
    return k.lo && k.up && k.dig;
}

// v.replace("_", "").replace("-", "").isalnum(): a token's characters
bool token_characters(View v) {
    bool any = false;
    for (unsigned char c : v) {
        if (c == '_' || c == '-') continue;
        if (!alnum(c)) return false;
        any = true;
    }
    return any;
}

bool starts_with_folded(View v, const std::string& w) {  // v.lower().startswith(w)
    if (v.size() < w.size()) return false;
    for (size_t i = 0; i < w.size(); ++i)
        if (fold(v[i]) != static_cast<unsigned char>(w[i])) return false;
    return true;
}

bool ends_with_folded(View v, const std::string& w) {  // v.lower().endswith(w)
    return v.size() >= w.size() && starts_with_folded(v.substr(v.size() - w.size()), w);
}

// what _PLACEHOLDER needs of a token's characters: to start or end with one of its words, or to be all x, _, -
bool may_be_placeholder_token(View v) {
    const Words& w = words();
    if (w.first_letters[fold(v.front())])
        for (const std::string& s : w.placeholder_starts)
            if (starts_with_folded(v, s)) return true;
    if (w.last_letters[fold(v.back())])
        for (const std::string& e : w.placeholder_ends)
            if (ends_with_folded(v, e)) return true;
    return every(v, [](unsigned char c) { return in(c, "xX_-"); });
}

// _PLACEHOLDER.match(v): Python's "$" also matches before a final "\n"
bool placeholder_pattern(View v) {
    const RE2& re = patterns().placeholder;
    return full(re, v) || (!v.empty() && v.back() == '\n' && full(re, v.substr(0, v.size() - 1)));
}

bool is_placeholder(View value) {
    View v = strip_space(value);
    while (!v.empty() && in(v.front(), "\"'`")) v.remove_prefix(1);  // .strip("\"'`")
    while (!v.empty() && in(v.back(), "\"'`")) v.remove_suffix(1);
    if (v.empty()) return true;
    if (static_cast<size_t>(std::count(v.begin(), v.end(), v[0])) == v.size()) return true;  // one character repeated
    if (v[0] == '$' && v.size() > 1 && alpha(v[1]) && mixed_case_and_digits(v)) return false;  // $Xk9vQ2pL7
    if (token_characters(v) && !may_be_placeholder_token(v)) return false;
    return placeholder_pattern(v);
}

// ----------------------------------------------------------------------------------- _secret_value_length

// _QUERY_NEXT.search: "&" (or "&amp;") then [A-Za-z0-9_.\[\]-]+ and "="; its start, or NPOS. ("amp" is in the
// class and ";" is not, so "&amp;" not taken as a whole never leads to a match.)
size_t query_next(View v) {
    for (size_t i = v.find('&'); i != NPOS; i = v.find('&', i + 1)) {
        size_t j = i + 1;
        if (v.substr(j, 4) == "amp;") j += 4;
        size_t k = j;
        while (k < v.size() && (word(v[k]) || in(v[k], ".[]-"))) ++k;
        if (k > j && k < v.size() && v[k] == '=') return i;
    }
    return NPOS;
}

unsigned char opener_of(unsigned char c) {  // _OPENER_OF
    switch (c) {
        case ')': return '(';
        case ']': return '[';
        case '}': return '{';
        case '>': return '<';
        default: return 0;
    }
}

View drop_closers(View v) {  // _drop_closers
    while (!v.empty() && (v.back() == ',' || v.back() == ';')) v.remove_suffix(1);
    while (!v.empty()) {
        unsigned char o = opener_of(v.back());
        if (!o || std::count(v.begin(), v.end(), o) >= std::count(v.begin(), v.end(), v.back())) break;
        v.remove_suffix(1);
    }
    return v;
}

size_t secret_value_length(View value) {  // _secret_value_length
    if (has(value, '&')) value = value.substr(0, query_next(value));
    if (is_placeholder(value)) return 0;
    const size_t whole = value.size();
    value = drop_closers(value);
    if (value.size() < 4 || (value.size() != whole && is_placeholder(value)) ||
        (in(value[0], "~./") && has(value, '/') && full(patterns().path, value)) || sequential(value))
        return 0;
    return value.size();
}

// ------------------------------------------------------------------------------------------- _program_text

enum Shape { CODE_REF = 1, VARIABLE = 2, FIELD = 4 };  // _CODE_REF_SHAPE, _VARIABLE_SHAPE, _FIELD_SHAPE

inline bool name_start(unsigned char c) { return alpha(c) || c == '_'; }

// _CODE_REF.match(v): (self|this|cls).x, or a dotted name then "[" or "(" with no digit next. Each repeat of the
// name is greedy and what stops it (a name character, a ".") is neither "[" nor "(", so no backtrack matches.
bool code_ref(View v) {
    for (View self : {View("self."), View("this."), View("cls.")})
        if (v.substr(0, self.size()) == self && v.size() > self.size() && name_start(v[self.size()])) return true;
    size_t i = 0;
    while (i < v.size() && name_start(v[i])) ++i;
    if (i == 0) return false;
    while (i + 1 < v.size() && v[i] == '.' && name_start(v[i + 1])) {
        i += 2;
        while (i < v.size() && word(v[i])) ++i;
    }
    return at(v, i) == '[' || (at(v, i) == '(' && !digit(at(v, i + 1)));
}

bool numbered(View v) {  // _NUMBERED.search: "_" and two digits or more at the end
    size_t k = v.size();
    while (k > 0 && digit(v[k - 1])) --k;
    return v.size() - k >= 2 && k > 0 && v[k - 1] == '_';
}

// What _code_shapes' patterns need of a value before RE2 runs them (most values, random tokens, lack it):
// _PASSWORD_CAMEL is letters only; _PASSWORD_VARIABLE holds pass, pw or auth (in one case) or is a dotted name of
// [a-z_]; _FIELD_LIST opens with ":" or is letters, "_" and ":"
bool may_be_password_variable(View v) {
    for (size_t i = 0; i < v.size(); ++i) {  // one pass for the six words
        View rest = v.substr(i);
        if ((v[i] == 'p' && (rest.substr(0, 4) == "pass" || rest.substr(0, 2) == "pw")) ||
            (v[i] == 'P' && (rest.substr(0, 4) == "PASS" || rest.substr(0, 2) == "PW")) ||
            rest.substr(0, 4) == "auth" || rest.substr(0, 4) == "AUTH")
            return true;
    }
    return every(v, [](unsigned char c) { return lower(c) || c == '_' || c == '.'; });
}

bool may_be_field_list(View v) {
    return v[0] == ':' || every(v, [](unsigned char c) { return name_start(c) || c == ':'; });
}

int code_shapes(View v) {  // _code_shapes
    const Patterns& p = patterns();
    int shapes = 0;
    if ((has(v, '.') || has(v, '(') || has(v, '[')) && code_ref(v)) shapes |= CODE_REF;
    if ((every(v, alpha) && full(p.password_camel, v)) ||
        ((has(v, '_') || has(v, '.')) && may_be_password_variable(v) && full(p.password_variable, v) &&
         !numbered(v)))
        shapes |= VARIABLE;
    if (has(v, ':') && may_be_field_list(v) && full(p.field_list, v)) shapes |= FIELD;
    return shapes;
}

bool code_name(View v) {  // _CODE_NAME.fullmatch: dotted names
    size_t i = 0;
    while (true) {
        if (i >= v.size() || !name_start(v[i])) return false;
        for (++i; i < v.size() && word(v[i]); ++i) {
        }
        if (i == v.size()) return true;
        if (v[i++] != '.') return false;
    }
}

// the end of the run of [ \t] that ends at ``i``, no further back than ``lo``
size_t blanks_back(View t, size_t lo, size_t i) {
    while (i > lo && blank(t[i - 1])) --i;
    return i;
}

// _KEY_COLON_BEFORE.search(text, lo, i): a name's character, ":" and [ \t]+ just before i
bool key_colon_before(View t, size_t lo, size_t i) {
    size_t k = blanks_back(t, lo, i);
    return k < i && k >= lo + 2 && t[k - 1] == ':' && word(t[k - 2]);
}

// _ANNOTATION's tail at i: [ \t]* then "|" or "=" and a blank, or ")" or ","
bool annotation_tail(View t, size_t i) {
    if (at(t, i) == ')' || at(t, i) == ',') return true;
    while (blank(at(t, i))) ++i;
    return (at(t, i) == '|' || at(t, i) == '=') && blank(at(t, i + 1));
}

// _ANNOTATION.match(text, start): the end of its group 1 (a type's name, with its [...]), or NPOS. The name is
// greedy and a shorter one leaves a name character, which no tail takes; so does "[" without its bracket.
size_t annotation(View t, size_t start) {
    size_t i = start;
    if (at(t, i) == '_') ++i;
    if (!alpha(at(t, i))) return NPOS;
    while (name_start(at(t, i))) ++i;
    if (at(t, i) == '[') {
        size_t j = i + 1;
        while (j < t.size() && t[j] != ']' && t[j] != '\n') ++j;
        return j < t.size() && t[j] == ']' && annotation_tail(t, j + 1) ? j + 1 : NPOS;
    }
    return annotation_tail(t, i) ? i : NPOS;
}

unsigned char open_bracket(View t, size_t i) {  // _open_bracket ("" is NUL)
    int depth = 0;
    const size_t lo = i > LINE_LOOKBACK - 1 ? i - (LINE_LOOKBACK - 1) : 0;
    for (size_t j = i; j-- > lo;) {
        unsigned char c = t[j];
        if (c == '\n' || c == '\r') break;
        if (in(c, ")]}")) {
            ++depth;
        } else if (in(c, "([{")) {
            if (!depth) return c;
            --depth;
        }
    }
    return 0;
}

bool program_text(View t, size_t start, size_t end) {  // _program_text
    View value = span(t, start, end);
    const int shapes = code_shapes(value);
    const unsigned char next = at(t, end);
    if ((shapes & CODE_REF) || ((shapes & VARIABLE) && next != '@') ||
        ((shapes & FIELD) && (value[0] != ':' || prev(t, start) == ':')))
        return true;  // (a URL's password, before its "@", is a literal, never a name)
    if ((next == '(' || next == '[') && code_name(value)) return true;
    if (!key_colon_before(t, start > 8 ? start - 8 : 0, start)) return false;
    const size_t type_end = annotation(t, start);
    if (type_end == NPOS) return false;
    for (size_t i = type_end; i < end; ++i)  // not text[m.end(1):end].strip("),:]")
        if (!in(t[i], "),:]")) return false;
    return open_bracket(t, start) != '{';
}

// ------------------------------------------------------------------------------------------ _unquoted_value

bool prose_next(View t, size_t i) {  // _PROSE_NEXT.match(text, i): " " and [a-z`]
    return at(t, i) == ' ' && (lower(at(t, i + 1)) || at(t, i + 1) == '`');
}

bool prose_word(View w) {  // _PROSE_WORD.fullmatch: [A-Z]?[a-z]+ or [A-Z]+
    if (w.empty()) return false;
    if (every(w, upper)) return true;
    View rest = upper(w[0]) ? w.substr(1) : w;
    return !rest.empty() && every(rest, lower);
}

// _COLON_BEFORE.search(text, max(0, start - 40), start): ":" or [ \t]--[a-z-]+, then [ \t]+ up to start. What
// precedes the blanks is no blank, so they are the whole run; the option's [a-z-]+ is the whole run before it,
// as the blank before "--" is no [a-z-].
bool colon_before(View t, size_t start) {
    const size_t lo = start > 40 ? start - 40 : 0;
    const size_t k = blanks_back(t, lo, start);
    if (k == start) return false;
    if (k > lo && t[k - 1] == ':') return true;
    size_t q = k;
    while (q > lo && (lower(t[q - 1]) || t[q - 1] == '-')) --q;
    return q > lo && blank(t[q - 1]) && k - q >= 3 && t[q] == '-' && t[q + 1] == '-';
}

struct Bounds {
    size_t start, end;
};

// _unquoted_value: false for None
bool unquoted_value(View t, size_t start, size_t end, Bounds* out) {
    if (prev(t, start) == '>' && !(start >= 2 && t[start - 2] == '='))
        return false;  // <password>@db:3306 is a placeholder in a URL
    if (prose_next(t, end) && prose_word(span(t, start, end)) && colon_before(t, start))
        return false;  // "the admin password: kubectl get secret ...": a sentence goes on
    if (program_text(t, start, start + drop_closers(span(t, start, end)).size())) return false;
    if (in(t[start], "[({") && end - start > 1) {
        if (is_placeholder(span(t, start, end))) return false;  // {password!r}: a format string's field
        ++start;  // the brackets wrap the value
    }
    const size_t n = secret_value_length(span(t, start, end));
    if (!n) return false;
    *out = {start, start + n};
    return true;
}

// --------------------------------------------------------------------------------------- check_secret_value

// _TEST_VERDICT.search(text, max(0, start - 12), start): (^|[^A-Za-z0-9_])X?PASS:[ \t]+["']? up to start. Python's
// "^" matches at the text's start only (not at the search's). An ending quote is the pattern's (the blanks cannot
// end at one), the blanks are their whole run (":" is none), and a word character before "PASS" is an "X" only
// where the pattern takes it.
bool test_verdict_before(View t, size_t start) {
    const size_t from = start > 12 ? start - 12 : 0;
    size_t q = start;
    if (q > from && (t[q - 1] == '"' || t[q - 1] == '\'')) --q;
    const size_t k = blanks_back(t, from, q);
    if (k == q || k < from + 5 || t.substr(k - 5, 5) != "PASS:") return false;
    size_t b = k - 5;
    if (b > from && t[b - 1] == 'X') --b;
    return b == 0 || (b > from && !word(t[b - 1]));
}

// the default of _DEFAULTED from g: [^?+}\s][^}\s]* up to a "}" before end; that "}", or NPOS
size_t default_end(View t, size_t g, size_t end) {
    if (g >= end || in(t[g], "?+}") || space(t[g])) return NPOS;
    size_t k = g + 1;
    while (k < end && t[k] != '}' && !space(t[k])) ++k;
    return k < end && t[k] == '}' ? k : NPOS;
}

// _DEFAULTED.match(text, start, end) (text[start:] opens with "${"): its group 1. The name runs to the ":" (no name
// character); the optional [-=] is taken first, and left to the default when the default does not match after it.
bool defaulted(View t, size_t start, size_t end, Bounds* group) {
    size_t i = start + 2;
    if (i >= end || !name_start(t[i])) return false;
    for (++i; i < end && (word(t[i]) || t[i] == '.' || t[i] == '-'); ++i) {
    }
    if (i >= end || t[i] != ':') return false;
    ++i;
    size_t r;
    if (i < end && (t[i] == '-' || t[i] == '=') && (r = default_end(t, i + 1, end)) != NPOS) {
        *group = {i + 1, r};
        return true;
    }
    if ((r = default_end(t, i, end)) == NPOS) return false;
    *group = {i, r};
    return true;
}

bool escaped(View t, size_t i) {  // _escaped: an odd run of backslashes before i
    size_t j = i;
    while (j > 0 && t[j - 1] == '\\') --j;
    return (i - j) % 2 == 1;
}

// _closing_quote: NPOS for None
size_t closing_quote(View t, size_t start, size_t end) {
    const unsigned char opener = prev(t, start);
    View closer;
    if (opener == '>') {
        if (start >= 2 && t[start - 2] == '=') return NPOS;
        closer = "</";
    } else if (in(opener, "\"'`")) {
        size_t i = start - 1;
        while (i > 0 && t[i - 1] == '\\') --i;
        closer = span(t, i, start);
    } else {
        return NPOS;
    }
    const size_t line_end = line_end_from(t, start, std::min(t.size(), start + QUOTED_MAX));
    size_t close = find_in(t, closer, end, line_end);
    while (close != NPOS && close > 0 && closer.size() == 1 && escaped(t, close))  // "ab\"c": an escaped quote
        close = find_in(t, closer, close + 1, line_end);
    return close;
}

// _BLOCK_END (or, in a flow map, _FLOW_END).search(text, from, to): where the scalar stops, or ``to``
size_t scalar_stop(View t, size_t from, size_t to, bool flow) {
    for (size_t i = from; i < to; ++i) {
        if ((blank(t[i]) && i + 1 < to && t[i + 1] == '#') || (flow && in(t[i], ",{}[]"))) return i;
    }
    return to;
}

// _scalar_end: NPOS for None
size_t scalar_end(View t, size_t start, size_t end) {
    if (!blank(at(t, end)) || in(t[start], "[({")) return NPOS;  // no word follows on the line
    const size_t lo = start > LINE_LOOKBACK ? start - LINE_LOOKBACK : 0;
    const size_t hi = std::min(t.size(), end + 2 * SCALAR_MAX);
    size_t line_start = start;
    while (line_start > lo && t[line_start - 1] != '\n' && t[line_start - 1] != '\r') --line_start;
    if (line_start == lo && lo > 0) return NPOS;  // too far from its line's start to be the line's key
    const size_t line_end = line_end_from(t, end, hi);
    size_t stop;
    const Patterns& p = patterns();
    if (full(p.line_key, span(t, line_start, start))) {
        stop = scalar_stop(t, end, line_end, false);
    } else if (found(p.flow_key, span(t, std::max(line_start, start > 80 ? start - 80 : 0), start)) &&
               open_bracket(t, start) == '{') {
        stop = scalar_stop(t, end, line_end, true);
    } else {
        return NPOS;
    }
    View wide = rstrip_space(span(t, start, stop));
    if ((!has(wide, ' ') && !has(wide, '\t')) || wide.size() > SCALAR_MAX || found(p.not_scalar, wide)) return NPOS;
    return start + wide.size();
}

bool short_head(View w) {  // _short_head: under 4 characters, with a letter and a digit
    return w.size() < 4 && some(w, alpha) && some(w, digit);
}

bool secret_value_at(View t, size_t* s, size_t* e) {  // check_secret_value
    const size_t start = *s, end = *e;
    if (test_verdict_before(t, start)) return false;
    Bounds b;
    if (t.substr(start, 2) == "${" && defaulted(t, start, end, &b)) {
        const size_t n = secret_value_length(span(t, b.start, b.end));
        if (!n) return false;
        *s = b.start;
        *e = b.start + n;
        return true;
    }
    const size_t close = closing_quote(t, start, end);
    if (close != NPOS) {
        View quoted = span(t, start, close);
        if (!quoted.empty() && every(quoted, lower) && prose_next(t, close + 1))
            return false;  // _PROSE_QUOTED: 'identified by "squash" commands'
        if (!secret_value_length(quoted)) return false;
        *e = close;
        return true;
    }
    const bool unquoted = unquoted_value(t, start, end, &b);
    const size_t wide = scalar_end(t, start, end);
    if (wide != NPOS && (unquoted || short_head(span(t, start, end))) && secret_value_length(span(t, start, wide))) {
        *e = wide;  // (a first word the value would be without its line is a password's)
        return true;
    }
    if (!unquoted) return false;
    *s = b.start;
    *e = b.end;
    return true;
}

// ----------------------------------------------------------------------------------------------- _check_token

// _entropy_at_least_3 and shannon_entropy: the same float sum as Python's (terms in order of first occurrence,
// added one by one), so that the comparison with 3.0 agrees
bool entropy_at_least_3(View v) {
    size_t counts[256] = {0};
    size_t distinct = 0, most = 0;
    for (unsigned char c : v) {
        distinct += !counts[c];
        most = std::max(most, ++counts[c]);
    }
    const size_t n = v.size();
    if (distinct < 8) return false;
    if (most * 8 < n && n < BOUND_MAX_LENGTH) return true;
    double sum = 0.0;
    for (unsigned char c : v) {  // each character's term at its first occurrence (its count then zeroed)
        if (!counts[c]) continue;
        const double p = static_cast<double>(counts[c]) / static_cast<double>(n);
        sum += p * std::log2(p);
        counts[c] = 0;
    }
    return -sum >= 3.0;
}

int character_classes(View v) {  // _character_classes
    const Classes k = classes_of(v);
    return k.lo + k.up + k.dig;
}

// what _IDENTIFIER needs before RE2 runs it: a letter first, then letters, digits and [._/-], each digit after a
// lower-case letter and before an upper-case one, a separator or the end (its segments' [a-z]{2,}[0-9]?)
bool may_be_identifier(View v) {
    if (!alpha(v[0])) return false;
    for (size_t i = 0; i < v.size(); ++i) {
        const unsigned char c = v[i];
        if (digit(c)) {
            const unsigned char next = at(v, i + 1);
            if (!lower(v[i - 1]) || !(next == 0 || upper(next) || in(next, "._/-"))) return false;
        } else if (!alpha(c) && !in(c, "._/-")) {
            return false;
        }
    }
    return true;
}

bool hex_number(View v) {  // 0[xX][0-9a-fA-F]+
    return v.size() > 2 && v[0] == '0' && (v[1] == 'x' || v[1] == 'X') && every(v.substr(2), hex);
}

bool is_uuid(View v) { return uuid(reinterpret_cast<const unsigned char*>(v.data()), 0, v.size()); }

bool not_random(View v) {  // _NOT_RANDOM.fullmatch: a UUID, a name made of words or a hex number
    return is_uuid(v) || hex_number(v) || (may_be_identifier(v) && full(patterns().identifier, v));
}

bool random_looking(View v) {  // _random_looking
    if (v.size() < 12 || !entropy_at_least_3(v) || character_classes(v) < 2) return false;
    return !(not_random(v) || sequential(v));
}

enum TokenKind { NOT_TOKEN = 0, TOKEN = 1, UUID_TOKEN = 2 };

TokenKind token_kind(View v) {  // _token_kind
    if (v.size() <= 64 && std::count_if(v.begin(), v.end(), [](unsigned char c) { return digit(c); }) <= 4 &&
        (lower(v[0]) || v[0] == '_') && every(v, [](unsigned char c) { return word(c) || c == '.'; }) &&
        full(patterns().code_chain, v))  // (its names open with [a-z_] and hold name characters and dots)
        return NOT_TOKEN;
    if (random_looking(v)) return TOKEN;
    return is_uuid(v) ? UUID_TOKEN : NOT_TOKEN;
}

// "/" or "%2F" / "%2f" at i: the index after it, or NPOS
size_t scope_separator(View t, size_t i) {
    if (at(t, i) == '/') return i + 1;
    return at(t, i) == '%' && at(t, i + 1) == '2' && fold(at(t, i + 2)) == 'f' ? i + 3 : NPOS;
}

// _SIGV4_SCOPE.match(text, i): [A-Z0-9]{16,128}, a separator, 8 digits, a separator. What stops the greedy run
// ("/" or "%") is no run character, so the run is whole (a run over 128 long has no separator after its 128th).
bool sigv4_scope(View t, size_t i) {
    size_t k = i;
    while (k < t.size() && (upper(t[k]) || digit(t[k]))) ++k;
    if (k - i < 16 || k - i > 128 || (k = scope_separator(t, k)) == NPOS) return false;
    for (size_t d = 0; d < 8; ++d, ++k)
        if (!digit(at(t, k))) return false;
    return scope_separator(t, k) != NPOS;
}

// _percent_encoded_end: the escapes (not %20) and token characters from i, less encoded padding (%3D)
size_t percent_encoded_end(View t, size_t i) {
    size_t end = i;
    while (end < t.size()) {
        if (t[end] == '%' && end + 2 < t.size() && hex(t[end + 1]) && hex(t[end + 2]) &&
            !(t[end + 1] == '2' && t[end + 2] == '0')) {
            end += 3;
        } else if (alnum(t[end]) || in(t[end], "._~+/-")) {
            ++end;
        } else {
            break;
        }
    }
    while (end > i && end >= 3 && t[end - 3] == '%' && t[end - 2] == '3' && fold(t[end - 1]) == 'd') end -= 3;
    return end;
}

bool secret_key_before(View t, size_t start) {  // _secret_key_before
    return found(patterns().secret_key_before, span(t, start > 64 ? start - 64 : 0, start));
}

// _check_token; ``any_uuid`` for check_api_key (a UUID counts under any key), else a UUID needs a secret's key
bool check_token(View t, size_t* s, size_t* e, bool any_uuid) {
    Bounds b;
    if (!unquoted_value(t, *s, *e, &b)) return false;
    if (t[b.end - 1] == '=' && alnum(at(t, b.end))) return false;  // "Bearer resourceVersion=3": the next key
    const TokenKind kind = token_kind(span(t, b.start, b.end));
    if (kind == NOT_TOKEN || sigv4_scope(t, b.start)) return false;  // a SigV4 scope names a key id
    if (kind == UUID_TOKEN && !any_uuid && !secret_key_before(t, *s)) return false;
    *s = b.start;
    *e = at(t, b.end) == '%' ? percent_encoded_end(t, b.end) : b.end;
    return true;
}

View view(const unsigned char* text, size_t n) { return View(reinterpret_cast<const char*>(text), n); }

}  // namespace

bool secret_value(const unsigned char* text, size_t n, size_t* start, size_t* end) {
    return secret_value_at(view(text, n), start, end);
}

bool generic_secret(const unsigned char* text, size_t n, size_t* start, size_t* end) {
    return check_token(view(text, n), start, end, false);
}

bool api_key(const unsigned char* text, size_t n, size_t* start, size_t* end) {
    return check_token(view(text, n), start, end, true);
}

bool set_keyvalue_words(const std::string& name, const std::string* list, size_t count) {
    Words& w = words();
    std::vector<std::string>* target = name == "_PLACEHOLDER_STARTS" ? &w.placeholder_starts
                                       : name == "_PLACEHOLDER_ENDS" ? &w.placeholder_ends
                                                                     : nullptr;
    if (target == nullptr) return false;
    target->assign(list, list + count);
    w.first_letters.fill(false);
    w.last_letters.fill(false);
    for (const std::string& s : w.placeholder_starts) {
        if (s.empty()) w.first_letters.fill(true);  // (every value starts with "")
        else w.first_letters[static_cast<unsigned char>(s.front())] = true;
    }
    for (const std::string& e : w.placeholder_ends) {
        if (e.empty()) w.last_letters.fill(true);
        else w.last_letters[static_cast<unsigned char>(e.back())] = true;
    }
    return true;
}

bool keyvalue_ready() {
    const Words& w = words();
    return !w.placeholder_starts.empty() && !w.placeholder_ends.empty() && patterns().ok();
}

}  // namespace tftsr
