// The RE2 search loop of tftsr_kernel.pii.backend.Compiled._search, in C++, and the engine's
// per-candidate validation for the validators checks.h carries.
//
// Python's binding costs about 0.6 us per RE2 call and a tuple per group per call; a dense detector makes
// thousands of calls per megabyte. This module runs the same loop against RE2's C++ API and returns the
// same list: (value_start, value_end) or (match_start, match_end, value_start, value_end) per
// non-overlapping match, in byte offsets. search_checked() also validates each value (ASCII text only)
// and returns the engine's candidate tuples. For a few dense catalog patterns a hand-written finder
// (finders.h) stands in for RE2's search. backend.py and engine.py keep the Python loops as the
// reference and for machines where this module is not built; tests compare the two.
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <re2/re2.h>

#include "checks.h"
#include "finders.h"
#include "pytype.h"
#include "reports.h"
#include "resolve.h"
#include "spans.h"

#include <string>
#include <vector>

#ifndef TFTSR_SOURCE_HASH  // build.py passes the sources' hash; another build is never taken for current
#define TFTSR_SOURCE_HASH ""
#endif

namespace {

struct Edges {
    bool on = false;
    bool begin = false;       // the lead may be ``^``
    int literals[256] = {0};  // first byte of a literal lead -> its length
    bool tail = false;        // one boundary character follows the value
    bool end = false;         // ... or the end of the text
};

// A value that ends the match, LEAD(?P<v>[X]{n,}P{0,k}), whose lead never ends with a character of X
// (backend.tail_value): in ASCII text it is the match's trailing run of P and the run of X before that.
struct Tail {
    bool on = false;
    bool run[128] = {false};  // X
    bool pad[128] = {false};  // P
};

// One branch of a pattern that is an alternation at its top level, each branch holding one value group
// (backend.branch_values): the branch without its group, and its Tail when its value ends the match.
struct Branch {
    RE2* bare = nullptr;
    Tail tail;
};

struct MatcherObject {
    PyObject_HEAD
    RE2* rx;
    RE2* bare;
    int groups;  // capturing groups of rx
    std::vector<int>* value_idx;
    std::string* prefix;
    Py_ssize_t least;
    Edges* edges;
    Tail* tail;
    std::vector<Branch>* branches;  // or nullptr
    tftsr::Finder finder;  // a hand-written search standing in for RE2's (finders.h), or nullptr
};

RE2::Options options() {
    RE2::Options o;
    o.set_max_mem(64 << 20);
    o.set_log_errors(false);
    return o;
}

void matcher_dealloc(MatcherObject* self) {
    delete self->rx;
    delete self->bare;
    delete self->value_idx;
    delete self->prefix;
    delete self->edges;
    delete self->tail;
    if (self->branches != nullptr)
        for (Branch& b : *self->branches) delete b.bare;
    delete self->branches;
    Py_TYPE(self)->tp_free(reinterpret_cast<PyObject*>(self));
}

// Marks the ASCII bytes of ``chars`` in ``set``; false with a Python error set for any other byte.
bool ascii_set(const char* chars, Py_ssize_t n, bool* set) {
    for (Py_ssize_t i = 0; i < n; ++i) {
        const auto b = static_cast<unsigned char>(chars[i]);
        if (b >= 128) {
            PyErr_SetString(PyExc_ValueError, "a tail's characters are ASCII");
            return false;
        }
        set[b] = true;
    }
    return true;
}

// A tail (X, P) as ASCII bytes into t; 0, or -1 with a Python error set.
int read_tail(PyObject* tail_obj, Tail* t) {
    const char *run, *pad;
    Py_ssize_t run_len, pad_len;
    if (!PyArg_ParseTuple(tail_obj, "y#y#", &run, &run_len, &pad, &pad_len)) return -1;
    if (!ascii_set(run, run_len, t->run) || !ascii_set(pad, pad_len, t->pad)) return -1;
    t->on = true;
    return 0;
}

// The tail argument of Matcher(); 0, or -1 with a Python error set.
int parse_tail(MatcherObject* self, PyObject* tail_obj) {
    if (self->bare == nullptr || self->groups != 1) {
        PyErr_SetString(PyExc_ValueError, "a tail needs the pattern without its one group");
        return -1;
    }
    return read_tail(tail_obj, self->tail);
}

// The branches argument of Matcher(): a sequence of (branch without its group: bytes, tail or None), the
// branches of the pattern in order; 0, or -1 with a Python error set.
int parse_branches(MatcherObject* self, PyObject* branches_obj) {
    if (self->bare == nullptr || self->groups < 2) {
        PyErr_SetString(PyExc_ValueError, "branches need the pattern without its groups");
        return -1;
    }
    PyObject* seq = PySequence_Fast(branches_obj, "branches must be a sequence of (bare, tail)");
    if (seq == nullptr) return -1;
    self->branches = new std::vector<Branch>(static_cast<size_t>(PySequence_Fast_GET_SIZE(seq)));
    int status = 0;
    for (Py_ssize_t i = 0; status == 0 && i < PySequence_Fast_GET_SIZE(seq); ++i) {
        Branch& b = (*self->branches)[static_cast<size_t>(i)];
        const char* bare;
        Py_ssize_t bare_len;
        PyObject* tail_obj;
        if (!PyArg_ParseTuple(PySequence_Fast_GET_ITEM(seq, i), "y#O", &bare, &bare_len, &tail_obj)) {
            status = -1;
            break;
        }
        b.bare = new RE2(re2::StringPiece(bare, static_cast<size_t>(bare_len)), options());
        if (!b.bare->ok() || b.bare->NumberOfCapturingGroups() != 0) {
            PyErr_SetString(PyExc_ValueError, "RE2 cannot compile a branch without its group");
            status = -1;
        } else if (tail_obj != Py_None) {
            status = read_tail(tail_obj, &b.tail);
        }
    }
    Py_DECREF(seq);
    return status;
}

// Matcher(pattern, bare, value_idx, prefix, least, edges, source=b"", tail=None, branches=None)
//   pattern, bare: UTF-8 bytes (bare may be None); value_idx: tuple of group numbers; prefix: bytes;
//   least: int; edges: None or (begin, {first byte: length}, tail, end); source: the pattern as the catalog
//   writes it (pattern may be a rewrite of it), which picks a finder; tail: None or (X, P) as ASCII bytes
//   (backend.tail_value); branches: None or per top-level branch (branch without its group, tail or None)
//   (backend.branch_values)
int matcher_init(MatcherObject* self, PyObject* args, PyObject*) {
    const char* pat;
    Py_ssize_t pat_len;
    PyObject *bare_obj, *idx_obj, *edges_obj, *tail_obj = Py_None, *branches_obj = Py_None;
    const char* prefix;
    Py_ssize_t prefix_len;
    Py_ssize_t least;
    const char* source = "";
    Py_ssize_t source_len = 0;
    if (!PyArg_ParseTuple(args, "y#OOy#nO|y#OO", &pat, &pat_len, &bare_obj, &idx_obj, &prefix, &prefix_len, &least,
                          &edges_obj, &source, &source_len, &tail_obj, &branches_obj)) {
        return -1;
    }
    if (self->rx != nullptr) {
        PyErr_SetString(PyExc_TypeError, "a Matcher is initialised once");
        return -1;
    }
    self->rx = new RE2(re2::StringPiece(pat, static_cast<size_t>(pat_len)), options());
    if (!self->rx->ok()) {
        PyErr_SetString(PyExc_ValueError, "RE2 cannot compile this pattern");
        return -1;
    }
    self->groups = self->rx->NumberOfCapturingGroups();
    // a finder gives the match and one value group: the source's own, or none in a rewrite without it
    self->finder = self->groups <= 1 ? tftsr::finder_for(source, static_cast<size_t>(source_len)) : nullptr;
    if (bare_obj != Py_None) {
        char* bare;
        Py_ssize_t bare_len;
        if (PyBytes_AsStringAndSize(bare_obj, &bare, &bare_len) < 0) return -1;
        self->bare = new RE2(re2::StringPiece(bare, static_cast<size_t>(bare_len)), options());
        if (!self->bare->ok() || self->bare->NumberOfCapturingGroups() != 0) {
            PyErr_SetString(PyExc_ValueError, "RE2 cannot compile the pattern without its group");
            return -1;
        }
    }
    self->value_idx = new std::vector<int>();
    PyObject* seq = PySequence_Fast(idx_obj, "value_idx must be a sequence");
    if (seq == nullptr) return -1;
    for (Py_ssize_t i = 0; i < PySequence_Fast_GET_SIZE(seq); ++i) {
        long g = PyLong_AsLong(PySequence_Fast_GET_ITEM(seq, i));
        if (g < 1 || g > self->groups) {
            Py_DECREF(seq);
            if (!PyErr_Occurred()) PyErr_SetString(PyExc_ValueError, "value group out of range");
            return -1;
        }
        self->value_idx->push_back(static_cast<int>(g));
    }
    Py_DECREF(seq);
    self->prefix = new std::string(prefix, static_cast<size_t>(prefix_len));
    self->least = least;
    self->edges = new Edges();
    if (edges_obj != Py_None) {
        int begin, tail, end;
        PyObject* literals;
        if (!PyArg_ParseTuple(edges_obj, "pO!pp", &begin, &PyDict_Type, &literals, &tail, &end)) return -1;
        if (self->bare == nullptr) {
            PyErr_SetString(PyExc_ValueError, "edges need the pattern without its group");
            return -1;
        }
        Edges* e = self->edges;
        e->on = true;
        e->begin = begin;
        e->tail = tail;
        e->end = end;
        PyObject *key, *value;
        Py_ssize_t pos = 0;
        while (PyDict_Next(literals, &pos, &key, &value)) {
            long b = PyLong_AsLong(key), n = PyLong_AsLong(value);
            if (b < 0 || b > 255 || n < 1) {
                if (!PyErr_Occurred()) PyErr_SetString(PyExc_ValueError, "bad literal lead");
                return -1;
            }
            e->literals[b] = static_cast<int>(n);
        }
    }
    self->tail = new Tail();
    if (tail_obj != Py_None && parse_tail(self, tail_obj) < 0) return -1;
    return branches_obj == Py_None ? 0 : parse_branches(self, branches_obj);
}

// Where the value lies in a match of LEAD(?P<v>BODY)TRAIL (backend.Edges.value); false: ask the group.
bool edge_value(const Edges& e, const unsigned char* data, size_t n, size_t ms, size_t me, size_t* vs,
                size_t* ve) {
    if ((ms == 0 && e.begin) || (me == n && e.end)) return false;
    unsigned char b = data[ms];
    int lead = e.literals[b];
    if (lead == 0) lead = b < 0xC0 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
    *vs = ms + static_cast<size_t>(lead);
    *ve = me;
    if (e.tail) {
        *ve -= 1;
        while ((data[*ve] & 0xC0) == 0x80) *ve -= 1;  // back to the first byte of the boundary character
    }
    return true;
}

// Where the value lies in a match (Tail); false where a byte of the match is not ASCII: ask the group.
bool tail_value(const Tail& t, const unsigned char* data, size_t ms, size_t me, size_t* vs) {
    for (size_t i = ms; i < me; ++i) {
        if (data[i] >= 128) return false;
    }
    size_t j = me;
    while (j > ms && t.pad[data[j - 1]]) --j;
    while (j > ms && t.run[data[j - 1]]) --j;
    *vs = j;
    return true;
}

// The value of a match [ms, me) of a pattern of branches, read off the match when the branch leftmost-first
// takes there -- the first that matches at ms -- ends in its value (Tail); false otherwise: ask the groups.
bool branch_tail_value(const std::vector<Branch>& branches, const re2::StringPiece& text,
                       const unsigned char* data, size_t ms, size_t me, size_t rend, size_t* vs) {
    re2::StringPiece m;
    for (const Branch& b : branches) {
        if (!b.bare->Match(text, ms, rend, RE2::ANCHOR_START, &m, 1)) continue;
        const bool whole = static_cast<size_t>(m.data() - text.data()) + m.size() == me;
        return whole && b.tail.on && tail_value(b.tail, data, ms, me, vs);
    }
    return false;
}

bool parse_regions(PyObject* regions_obj, size_t n, std::vector<std::pair<size_t, size_t>>* regions) {
    if (regions_obj == Py_None) {
        regions->emplace_back(0, n);
        return true;
    }
    PyObject* seq = PySequence_Fast(regions_obj, "regions must be a sequence of (start, end)");
    if (seq == nullptr) return false;
    for (Py_ssize_t i = 0; i < PySequence_Fast_GET_SIZE(seq); ++i) {
        Py_ssize_t s, e;
        if (!PyArg_ParseTuple(PySequence_Fast_GET_ITEM(seq, i), "nn", &s, &e)) {
            Py_DECREF(seq);
            return false;
        }
        s = s < 0 ? 0 : s;
        e = e > static_cast<Py_ssize_t>(n) ? static_cast<Py_ssize_t>(n) : e;
        regions->emplace_back(static_cast<size_t>(s), static_cast<size_t>(e < s ? s : e));
    }
    Py_DECREF(seq);
    return true;
}

// The matches in ``regions`` as ms, me, vs, ve per match (backend.Compiled._search, its RE2 branch).
void collect(const MatcherObject* self, const unsigned char* data, size_t n,
             const std::vector<std::pair<size_t, size_t>>& regions, std::vector<size_t>* found) {
    const re2::StringPiece text(reinterpret_cast<const char*>(data), n);
    const int nsub = self->groups + 1;
    std::vector<re2::StringPiece> sub(static_cast<size_t>(nsub));
    re2::StringPiece whole_match;
    const std::string& prefix = *self->prefix;
    const Edges& edges = *self->edges;
    const size_t least = static_cast<size_t>(self->least);
    auto offset = [&](const re2::StringPiece& p) { return static_cast<size_t>(p.data() - text.data()); };
    size_t pos = 0;
    for (const auto& [rs, rend] : regions) {
        if (pos < rs) pos = rs;
        while (rend >= pos && rend - pos >= least) {
            size_t ms, me;
            if (self->finder != nullptr) {  // RE2's match and value group, by hand (finders.h)
                tftsr::Found f;
                if (!self->finder(data, n, pos, rend, &f)) break;
                sub[0] = text.substr(f.ms, f.me - f.ms);
                if (nsub > 1) sub[1] = text.substr(f.vs, f.ve - f.vs);
            } else if (!prefix.empty()) {  // every match starts with it: try each occurrence, leftmost first
                size_t at = text.substr(0, rend).find(prefix, pos);
                if (at == re2::StringPiece::npos) break;
                if (!self->rx->Match(text, at, rend, RE2::ANCHOR_START, sub.data(), nsub)) {
                    pos = at + 1;
                    continue;
                }
            } else if (edges.on) {
                if (!self->bare->Match(text, pos, rend, RE2::UNANCHORED, &whole_match, 1)) break;
                ms = offset(whole_match);
                me = ms + whole_match.size();
                size_t vs, ve;
                if (edge_value(edges, data, n, ms, me, &vs, &ve)) {
                    if (ve > vs) found->insert(found->end(), {ms, me, vs, ve});
                    pos = ve > ms ? ve : me > ms ? me : ms + 1;
                    continue;
                }
                // at an edge of the text: the group says (it matches here, as the bare pattern did)
                if (!self->rx->Match(text, pos, rend, RE2::UNANCHORED, sub.data(), nsub)) break;
            } else if (self->tail->on) {
                if (!self->bare->Match(text, pos, rend, RE2::UNANCHORED, &whole_match, 1)) break;
                ms = offset(whole_match);
                me = ms + whole_match.size();
                size_t vs;
                if (tail_value(*self->tail, data, ms, me, &vs)) {
                    if (me > vs) found->insert(found->end(), {ms, me, vs, me});
                    pos = me > ms ? me : ms + 1;
                    continue;
                }
                // not ASCII: the group says (it matches here, as the bare pattern did)
                if (!self->rx->Match(text, pos, rend, RE2::UNANCHORED, sub.data(), nsub)) break;
            } else if (self->branches != nullptr) {
                if (!self->bare->Match(text, pos, rend, RE2::UNANCHORED, &whole_match, 1)) break;
                ms = offset(whole_match);
                me = ms + whole_match.size();
                size_t vs;
                if (branch_tail_value(*self->branches, text, data, ms, me, rend, &vs)) {
                    if (me > vs) found->insert(found->end(), {ms, me, vs, me});
                    pos = me > ms ? me : ms + 1;
                    continue;
                }
                // a branch whose value does not end the match, or text that is not ASCII: the groups say
                if (!self->rx->Match(text, pos, rend, RE2::UNANCHORED, sub.data(), nsub)) break;
            } else if (!self->rx->Match(text, pos, rend, RE2::UNANCHORED, sub.data(), nsub)) {
                break;
            }
            ms = offset(sub[0]);
            me = ms + sub[0].size();
            size_t vs = ms, ve = me;
            for (int i : *self->value_idx) {
                if (sub[static_cast<size_t>(i)].data() != nullptr) {
                    vs = offset(sub[static_cast<size_t>(i)]);
                    ve = vs + sub[static_cast<size_t>(i)].size();
                    break;
                }
            }
            if (ve > vs) found->insert(found->end(), {ms, me, vs, ve});
            pos = ve > ms ? ve : me > ms ? me : ms + 1;
        }
    }
}

// The matches of one call, with the GIL released while RE2 runs; false with a Python error set.
bool matches_of(MatcherObject* self, const Py_buffer& buf, PyObject* regions_obj, std::vector<size_t>* found) {
    const size_t n = static_cast<size_t>(buf.len);
    std::vector<std::pair<size_t, size_t>> regions;
    if (!parse_regions(regions_obj, n, &regions)) return false;
    PyThreadState* state = PyEval_SaveThread();
    collect(self, static_cast<const unsigned char*>(buf.buf), n, regions, found);
    PyEval_RestoreThread(state);
    return true;
}

PyObject* size_object(size_t v) { return PyLong_FromSsize_t(static_cast<Py_ssize_t>(v)); }

// search(data, regions, whole) -> list: see backend.Compiled._search (its RE2 branch is the reference)
PyObject* matcher_search(MatcherObject* self, PyObject* args) {
    Py_buffer buf;
    PyObject* regions_obj;
    int whole;
    if (!PyArg_ParseTuple(args, "y*Op", &buf, &regions_obj, &whole)) return nullptr;
    std::vector<size_t> found;
    bool ok = matches_of(self, buf, regions_obj, &found);
    PyBuffer_Release(&buf);
    if (!ok) return nullptr;
    const size_t width = whole ? 4 : 2;
    PyObject* out = PyList_New(static_cast<Py_ssize_t>(found.size() / 4));
    if (out == nullptr) return nullptr;
    for (size_t i = 0, k = 0; i < found.size(); i += 4, ++k) {
        PyObject* item = PyTuple_New(static_cast<Py_ssize_t>(width));
        if (item == nullptr) {
            Py_DECREF(out);
            return nullptr;
        }
        for (size_t j = 0; j < width; ++j) {
            PyObject* v = size_object(found[i + (whole ? j : 2 + j)]);
            if (v == nullptr) {
                Py_DECREF(item);
                Py_DECREF(out);
                return nullptr;
            }
            PyTuple_SET_ITEM(item, static_cast<Py_ssize_t>(j), v);
        }
        PyList_SET_ITEM(out, static_cast<Py_ssize_t>(k), item);
    }
    return out;
}

// search_checked(data, regions, check, tail) -> list of (start, end, *tail) for the values the validator
// ``check`` keeps, with the bounds it gives (engine._checked over search(); ASCII data only)
PyObject* matcher_search_checked(MatcherObject* self, PyObject* args) {
    Py_buffer buf;
    PyObject *regions_obj, *tail;
    int check;
    if (!PyArg_ParseTuple(args, "y*OiO!", &buf, &regions_obj, &check, &PyTuple_Type, &tail)) return nullptr;
    if (check <= tftsr::NONE || check >= tftsr::CHECK_COUNT || !tftsr::words_ready()) {
        PyBuffer_Release(&buf);
        PyErr_SetString(PyExc_ValueError, "unknown check, or its word lists were not set");
        return nullptr;
    }
    std::vector<size_t> found;
    bool ok = matches_of(self, buf, regions_obj, &found);
    const auto* data = static_cast<const unsigned char*>(buf.buf);
    const size_t n = static_cast<size_t>(buf.len);
    std::vector<size_t> kept;
    for (size_t i = 0; ok && i < found.size(); i += 4) {
        size_t s = found[i + 2], e = found[i + 3];
        if (tftsr::run_check(static_cast<tftsr::Check>(check), data, n, &s, &e) && s < e) {
            kept.push_back(s);
            kept.push_back(e);
        }
    }
    PyBuffer_Release(&buf);
    if (!ok) return nullptr;
    const Py_ssize_t extra = PyTuple_GET_SIZE(tail);
    PyObject* out = PyList_New(static_cast<Py_ssize_t>(kept.size() / 2));
    if (out == nullptr) return nullptr;
    for (size_t i = 0; i < kept.size(); i += 2) {
        PyObject* item = PyTuple_New(2 + extra);
        PyObject* s = size_object(kept[i]);
        PyObject* e = size_object(kept[i + 1]);
        if (item == nullptr || s == nullptr || e == nullptr) {
            Py_XDECREF(item);
            Py_XDECREF(s);
            Py_XDECREF(e);
            Py_DECREF(out);
            return nullptr;
        }
        PyTuple_SET_ITEM(item, 0, s);
        PyTuple_SET_ITEM(item, 1, e);
        for (Py_ssize_t j = 0; j < extra; ++j) {
            PyObject* v = PyTuple_GET_ITEM(tail, j);
            Py_INCREF(v);
            PyTuple_SET_ITEM(item, 2 + j, v);
        }
        PyList_SET_ITEM(out, static_cast<Py_ssize_t>(i / 2), item);
    }
    return out;
}

// set_words(name, words): hand one of validators.py's word lists to the C++ validators
PyObject* module_set_words(PyObject*, PyObject* args) {
    const char* name;
    PyObject* words;
    if (!PyArg_ParseTuple(args, "sO", &name, &words)) return nullptr;
    PyObject* seq = PySequence_Fast(words, "words must be an iterable of str");
    if (seq == nullptr) return nullptr;
    std::vector<std::string> items;
    for (Py_ssize_t i = 0; i < PySequence_Fast_GET_SIZE(seq); ++i) {
        Py_ssize_t len;
        const char* w = PyUnicode_AsUTF8AndSize(PySequence_Fast_GET_ITEM(seq, i), &len);
        if (w == nullptr) {
            Py_DECREF(seq);
            return nullptr;
        }
        items.emplace_back(w, static_cast<size_t>(len));
    }
    Py_DECREF(seq);
    if (!tftsr::set_words(name, items.data(), items.size())) {
        PyErr_Format(PyExc_ValueError, "no word list is called %s", name);
        return nullptr;
    }
    Py_RETURN_NONE;
}

PyObject* matcher_finds(MatcherObject* self, void*) { return PyBool_FromLong(self->finder != nullptr); }

PyGetSetDef matcher_getset[] = {
    {"finds", reinterpret_cast<getter>(matcher_finds), nullptr, "whether a hand-written finder stands in for RE2",
     nullptr},
    {nullptr, nullptr, nullptr, nullptr, nullptr},
};

// the pattern sources that have a finder, as str
PyObject* finder_patterns() {
    Py_ssize_t count = 0;
    while (tftsr::finder_pattern(static_cast<size_t>(count)) != nullptr) ++count;
    PyObject* out = PyTuple_New(count);
    for (Py_ssize_t i = 0; out != nullptr && i < count; ++i) {
        PyObject* p = PyUnicode_FromString(tftsr::finder_pattern(static_cast<size_t>(i)));
        if (p == nullptr) {
            Py_DECREF(out);
            return nullptr;
        }
        PyTuple_SET_ITEM(out, i, p);
    }
    return out;
}

PyMethodDef matcher_methods[] = {
    {"search", reinterpret_cast<PyCFunction>(matcher_search), METH_VARARGS,
     "search(data, regions, whole) -> list of (vs, ve) or (ms, me, vs, ve) in byte offsets"},
    {"search_checked", reinterpret_cast<PyCFunction>(matcher_search_checked), METH_VARARGS,
     "search_checked(data, regions, check, tail) -> list of (start, end, *tail) the validator keeps"},
    {nullptr, nullptr, 0, nullptr},
};

// check(check, data, start, end) -> (start, end) or None: one validator on one value (for the tests)
PyObject* module_check(PyObject*, PyObject* args) {
    int check;
    Py_buffer buf;
    Py_ssize_t start, end;
    if (!PyArg_ParseTuple(args, "iy*nn", &check, &buf, &start, &end)) return nullptr;
    bool bad = check <= tftsr::NONE || check >= tftsr::CHECK_COUNT || !tftsr::words_ready() || start < 0 ||
               end <= start || end > buf.len;
    size_t s = static_cast<size_t>(start), e = static_cast<size_t>(end);
    bool kept = !bad && tftsr::run_check(static_cast<tftsr::Check>(check), static_cast<const unsigned char*>(buf.buf),
                                         static_cast<size_t>(buf.len), &s, &e);
    PyBuffer_Release(&buf);
    if (bad) {
        PyErr_SetString(PyExc_ValueError, "unknown check, no word lists, or bounds outside the data");
        return nullptr;
    }
    if (!kept) Py_RETURN_NONE;
    return Py_BuildValue("(nn)", static_cast<Py_ssize_t>(s), static_cast<Py_ssize_t>(e));
}

PyMethodDef module_methods[] = {
    {"check", module_check, METH_VARARGS, "check(check, data, start, end) -> (start, end) or None"},
    {"make_spans", tftsr::make_spans, METH_VARARGS,
     "make_spans(found, text, offset, hashes, span_type, value_hash) -> spans (Scanner._spans)"},
    {"resolve", tftsr::resolve, METH_O, "resolve(cands) -> the kept candidates in start order (engine._resolve)"},
    {"set_words", module_set_words, METH_VARARGS, "set_words(name, words): a word list of validators.py"},
    {nullptr, nullptr, 0, nullptr},
};

PyTypeObject MatcherType = {PyVarObject_HEAD_INIT(nullptr, 0)};

PyModuleDef module_def = {PyModuleDef_HEAD_INIT, "_matcher",
                          "The RE2 search loop of backend.Compiled and the dense validators in C++ (matcher.cpp).",
                          -1, module_methods};

}  // namespace

PyMODINIT_FUNC PyInit__matcher() {
    tftsr::define_type(&MatcherType, "tftsr_kernel.pii.native._matcher.Matcher", sizeof(MatcherObject),
                       reinterpret_cast<initproc>(matcher_init), reinterpret_cast<destructor>(matcher_dealloc),
                       matcher_methods,
                       "One pattern's RE2 search loop: Matcher(pattern, bare, value_idx, prefix, least, edges, "
                       "source=b'', tail=None, branches=None)");
    MatcherType.tp_getset = matcher_getset;
    if (PyType_Ready(&MatcherType) < 0) return nullptr;
    PyObject* m = PyModule_Create(&module_def);
    if (m == nullptr) return nullptr;
    Py_INCREF(&MatcherType);
    if (PyModule_AddObject(m, "Matcher", reinterpret_cast<PyObject*>(&MatcherType)) < 0) {
        Py_DECREF(&MatcherType);
        Py_DECREF(m);
        return nullptr;
    }
    if (!tftsr::add_reports_type(m)) {
        Py_DECREF(m);
        return nullptr;
    }
    PyObject* checks = Py_BuildValue("{sisisisisisisisisisi}", "ipv4", tftsr::IPV4, "luhn", tftsr::LUHN, "username",
                                     tftsr::USERNAME, "hostname", tftsr::HOSTNAME, "host_label", tftsr::HOST_LABEL,
                                     "syslog_host", tftsr::SYSLOG_HOST, "vendor_key", tftsr::VENDOR_KEY, "entropy",
                                     tftsr::ENTROPY, "api_key", tftsr::API_KEY, "secret_value", tftsr::SECRET_VALUE);
    if (checks == nullptr || PyModule_AddObject(m, "CHECKS", checks) < 0) {
        Py_XDECREF(checks);
        Py_DECREF(m);
        return nullptr;
    }
    if (PyModule_AddStringConstant(m, "SOURCE_HASH", TFTSR_SOURCE_HASH) < 0) {  // see build.py
        Py_DECREF(m);
        return nullptr;
    }
    PyObject* finders = finder_patterns();
    if (finders == nullptr || PyModule_AddObject(m, "FINDERS", finders) < 0) {
        Py_XDECREF(finders);
        Py_DECREF(m);
        return nullptr;
    }
    return m;
}
