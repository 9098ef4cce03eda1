// See checks.h. Every function names the Python function it follows; keep the two in step.
#include "checks.h"

#include "keyvalue.h"
#include "text.h"

#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

namespace tftsr {
namespace {

using Words = std::unordered_set<std::string>;

struct Lists {
    Words not_users, type_names, not_hosts, tlds, file_tlds, file_exts, code_roots;
    bool ready = false;
};

Lists& lists() {
    static Lists l;
    return l;
}

Words* list_named(const std::string& name) {
    Lists& l = lists();
    if (name == "_NOT_USERS") return &l.not_users;
    if (name == "_TYPE_NAMES") return &l.type_names;
    if (name == "_NOT_HOSTS") return &l.not_hosts;
    if (name == "_TLDS") return &l.tlds;
    if (name == "_FILE_TLDS") return &l.file_tlds;
    if (name == "_FILE_EXTS") return &l.file_exts;
    if (name == "_CODE_ROOTS") return &l.code_roots;
    return nullptr;
}

std::string lowered(const unsigned char* t, size_t s, size_t e) {
    std::string out(reinterpret_cast<const char*>(t + s), e - s);
    for (char& c : out) c = static_cast<char>(fold(static_cast<unsigned char>(c)));
    return out;
}

bool all_digits(const unsigned char* t, size_t s, size_t e) {  // str.isdigit
    if (s >= e) return false;
    for (size_t i = s; i < e; ++i)
        if (!digit(t[i])) return false;
    return true;
}

// _ipv4_value_ok + check_ipv4
bool ipv4(const unsigned char* t, size_t n, size_t s, size_t e) {
    int parts = 0;
    size_t i = s;
    while (true) {
        size_t j = i;
        int value = 0;
        while (j < e && t[j] != '.') {
            if (!digit(t[j])) return false;
            value = value * 10 + (t[j] - '0');
            if (value > 9999) value = 9999;
            ++j;
        }
        if (j == i) return false;
        if ((j - i > 3 && t[i] == '0') || value > 255) return false;
        ++parts;
        if (j == e) break;
        i = j + 1;
    }
    if (parts != 4) return false;
    unsigned char b = before(t, s);
    if (digit(b) || b == '~' || (b == '.' && digit(before(t, s - 1)))) return false;
    if ((b == 'v' || b == 'V') && !alnum(before(t, s - 1))) return false;
    unsigned char a = after(t, n, e);
    if (digit(a) || (a == '.' && digit(after(t, n, e + 1)))) return false;
    return true;
}

bool luhn_ok(const std::string& digits) {
    int total = 0;
    for (size_t k = 0; k < digits.size(); ++k) {
        int d = digits[digits.size() - 1 - k] - '0';
        if (k % 2) {
            d *= 2;
            if (d > 9) d -= 9;
        }
        total += d;
    }
    return total % 10 == 0;
}

// _CARD_PREFIX: 4|5[1-5]|2[2-7]|3[47]|6(?:011|5|4[4-9]|2)|35|3(?:0[0-5]|[689])|5[06-9]|6
bool card_prefix(const std::string& d) {
    char a = d[0], b = d.size() > 1 ? d[1] : 0, c = d.size() > 2 ? d[2] : 0;
    switch (a) {
        case '4': case '6': return true;
        case '5': return digit(static_cast<unsigned char>(b));
        case '2': return b >= '2' && b <= '7';
        case '3': return (b >= '4' && b <= '9') || (b == '0' && c >= '0' && c <= '5');
        default: return false;
    }
}

// _card_ok + check_luhn
bool luhn(const unsigned char* t, size_t n, size_t s, size_t e) {
    if (alnum(after(t, n, e))) return false;
    std::string digits;
    unsigned char sep = 0;
    std::string groups;  // lengths of the runs between separators
    size_t run = 0;
    for (size_t i = s; i < e; ++i) {
        unsigned char c = t[i];
        if (c == ' ' || c == '-') {
            if (sep != 0 && sep != c) return false;  // one kind of separator
            sep = c;
            groups.push_back(static_cast<char>(run));
            run = 0;
        } else if (digit(c)) {
            digits.push_back(static_cast<char>(c));
            ++run;
        } else {
            return false;
        }
    }
    if (digits.size() < 13 || digits.size() > 19) return false;
    if (sep != 0) {
        groups.push_back(static_cast<char>(run));
        static const std::string shapes[] = {{4, 4, 4, 4}, {4, 6, 5}, {4, 6, 4}, {4, 4, 4, 4, 3}, {4, 4, 4, 2},
                                             {4, 4, 4, 1}};
        bool shaped = false;
        for (const auto& shape : shapes) shaped = shaped || shape == groups;
        if (!shaped) return false;
    }
    return card_prefix(digits) && luhn_ok(digits);
}

// check_username and _user_length
bool username(const unsigned char* t, size_t n, size_t* s, size_t* e) {
    size_t start = *s, end = *e;
    if (t[start] == '\\') {  // _ESCAPED_NAME: 1-3 backslashes, a quote, a name, a backslash
        size_t i = start;
        while (i < n && t[i] == '\\') ++i;
        if (i - start <= 3 && i < n && (t[i] == '"' || t[i] == '\'')) {
            size_t name = ++i;
            while (i < n && (alnum(t[i]) || t[i] == '.' || t[i] == '_' || t[i] == '$' || t[i] == '@' || t[i] == '-'))
                ++i;
            if (i > name && i - name <= 64 && i < n && t[i] == '\\') {
                start = name;
                end = i;
            }
        }
    }
    while (end > start) {  // .rstrip(".,;:)\\")
        unsigned char c = t[end - 1];
        if (c != '.' && c != ',' && c != ';' && c != ':' && c != ')' && c != '\\') break;
        --end;
    }
    if (end == start) return false;
    std::string low = lowered(t, start, end);
    unsigned char first = t[start];
    if (lists().not_users.count(low) || first == '$' || first == '<' || first == '%' || first == '{' ||
        all_digits(t, start, end))
        return false;
    if (lists().type_names.count(low) || after(t, n, end) == '[') return false;
    *s = start;
    *e = end;
    return true;
}

// _hostname_kind (its _NO_HOST answers; the single-dot file TLD test is in hostname below)
bool hostname_value(const unsigned char* t, size_t s, size_t e) {
    std::vector<std::pair<size_t, size_t>> labels;
    size_t i = s;
    for (size_t j = s; j <= e; ++j) {
        if (j == e || t[j] == '.') {
            labels.emplace_back(i, j);
            i = j + 1;
        }
    }
    const Lists& l = lists();
    if (labels.size() < 2) return false;
    std::string last = lowered(t, labels.back().first, labels.back().second);
    if (!l.tlds.count(last)) return false;
    const auto& second = labels[labels.size() - 2];
    if (l.file_tlds.count(last) && l.file_exts.count(lowered(t, second.first, second.second))) return false;
    if (labels.size() >= 3 && l.code_roots.count(lowered(t, labels[0].first, labels[0].second))) return false;
    bool rest_upper = false, cased = false, all_upper = true;
    for (size_t k = s; k < e; ++k) {
        if (upper(t[k]) && k > labels[0].second) rest_upper = true;
        if (alpha(t[k])) {
            cased = true;
            if (lower(t[k])) all_upper = false;
        }
    }
    if (rest_upper && !(cased && all_upper)) return false;  // CamelCase inside: a class or method name
    for (size_t k = 0; k + 1 < labels.size(); ++k)
        if (!all_digits(t, labels[k].first, labels[k].second)) return true;
    return false;
}

// _USERINFO_END: the last character of a URL's user:password or an e-mail's local part
inline bool userinfo_end(unsigned char c) { return alnum(c) || in(c, "._%+-~!$*"); }

// check_hostname (with _hostname_kind's _HOST_IN_URL answer)
bool hostname(const unsigned char* t, size_t n, size_t s, size_t e) {
    if (!hostname_value(t, s, e)) return false;
    unsigned char b = before(t, s), a = after(t, n, e);
    bool in_url = (b == '/' && before(t, s - 1) == '/') || (b == '@' && userinfo_end(before(t, s - 1)));
    size_t dots = 0, dot = e;
    for (size_t k = s; k < e; ++k)
        if (t[k] == '.') {
            if (dots++ == 0) dot = k;
        }
    if (!in_url && dots == 1 && lists().file_tlds.count(lowered(t, dot + 1, e))) return false;
    if (alnum(b) || (b != 0 && in(b, "@._-/") && !in_url) || alnum(a) || a == '_' || a == '-' || a == '(')
        return false;
    if (a == '.' && alnum(after(t, n, e + 1))) return false;
    return true;
}

// _host_label_ok + check_host_label
bool host_label(const unsigned char* t, size_t n, size_t s, size_t e) {
    if (lists().not_hosts.count(lowered(t, s, e))) return false;
    bool letter = false;
    for (size_t k = s; k < e && !letter; ++k) letter = alpha(t[k]);
    if (!letter || uuid(t, s, e)) return false;
    if (after(t, n, e) == ':') {  // _USERINFO_REST: :[^\s/@"'<>]*@ -- the user of a URL, not its host
        size_t k = e + 1;
        while (k < n && !in(t[k], " \t\n\r\f\v\x1c\x1d\x1e\x1f/@\"'<>")) ++k;  // \s: str.isspace
        if (k < n && t[k] == '@') return false;
    }
    return true;
}

// check_syslog_host
bool syslog_host(const unsigned char* t, size_t n, size_t* s, size_t* e) {
    size_t colon = *s;
    while (colon < *e && t[colon] != ':') ++colon;
    if (colon >= *e) return false;
    size_t host_start = colon + 7;  // past "mm:ss "
    if (host_start >= *e) return false;
    size_t host_end = host_start;
    while (host_end < *e && t[host_end] != ' ') ++host_end;
    if (host_end >= *e || host_end <= host_start) return false;
    if (!host_label(t, n, host_start, host_end)) return false;
    *s = host_start;
    *e = host_end;
    return true;
}

// check_vendor_key: five different characters or more in the value's last 16 (filler is a documentation example)
bool vendor_key(const unsigned char* t, size_t s, size_t e) {
    bool seen[256] = {false};
    int distinct = 0;
    for (size_t i = e - s > 16 ? e - 16 : s; i < e && distinct < 5; ++i) {
        distinct += !seen[t[i]];
        seen[t[i]] = true;
    }
    return distinct >= 5;
}

}  // namespace

bool set_words(const std::string& name, const std::string* words, size_t count) {
    Words* list = list_named(name);
    if (list == nullptr) return set_keyvalue_words(name, words, count);
    list->clear();
    for (size_t i = 0; i < count; ++i) list->insert(words[i]);
    Lists& l = lists();
    l.ready = !l.not_users.empty() && !l.type_names.empty() && !l.not_hosts.empty() && !l.tlds.empty() &&
              !l.file_tlds.empty() && !l.file_exts.empty() && !l.code_roots.empty();
    return true;
}

bool words_ready() { return lists().ready && keyvalue_ready(); }

bool run_check(Check check, const unsigned char* t, size_t n, size_t* s, size_t* e) {
    switch (check) {
        case IPV4: return ipv4(t, n, *s, *e);
        case LUHN: return luhn(t, n, *s, *e);
        case USERNAME: return username(t, n, s, e);
        case HOSTNAME: return hostname(t, n, *s, *e);
        case HOST_LABEL: return host_label(t, n, *s, *e);
        case SYSLOG_HOST: return syslog_host(t, n, s, e);
        case VENDOR_KEY: return vendor_key(t, *s, *e);
        case ENTROPY: return generic_secret(t, n, s, e);
        case API_KEY: return api_key(t, n, s, e);
        case SECRET_VALUE: return secret_value(t, n, s, e);
        default: return true;
    }
}

}  // namespace tftsr
