// The RE2 search loop of tftsr_kernel.pii.backend.Compiled._search, in C++.
//
// Python's binding costs about 0.6 us per RE2 call and a tuple per group per call; a dense detector makes
// thousands of calls per megabyte. This module runs the same loop against RE2's C++ API and returns the
// same list: (value_start, value_end) or (match_start, match_end, value_start, value_end) per
// non-overlapping match, in byte offsets. backend.py keeps the Python loop as the reference and for
// machines where this module is not built; tests compare the two.
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <re2/re2.h>

#include <memory>
#include <string>
#include <vector>

namespace {

struct Edges {
    bool on = false;
    bool begin = false;       // the lead may be ``^``
    int literals[256] = {0};  // first byte of a literal lead -> its length
    bool tail = false;        // one boundary character follows the value
    bool end = false;         // ... or the end of the text
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
    Py_TYPE(self)->tp_free(reinterpret_cast<PyObject*>(self));
}

// Matcher(pattern, bare, value_idx, prefix, least, edges)
//   pattern, bare: UTF-8 bytes (bare may be None); value_idx: tuple of group numbers; prefix: bytes;
//   least: int; edges: None or (begin, {first byte: length}, tail, end)
int matcher_init(MatcherObject* self, PyObject* args, PyObject*) {
    const char* pat;
    Py_ssize_t pat_len;
    PyObject *bare_obj, *idx_obj, *edges_obj;
    const char* prefix;
    Py_ssize_t prefix_len;
    Py_ssize_t least;
    if (!PyArg_ParseTuple(args, "y#OOy#nO", &pat, &pat_len, &bare_obj, &idx_obj, &prefix, &prefix_len, &least,
                          &edges_obj)) {
        return -1;
    }
    self->rx = new RE2(re2::StringPiece(pat, static_cast<size_t>(pat_len)), options());
    if (!self->rx->ok()) {
        PyErr_SetString(PyExc_ValueError, "RE2 cannot compile this pattern");
        return -1;
    }
    self->groups = self->rx->NumberOfCapturingGroups();
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
    return 0;
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

bool append(PyObject* out, bool whole, size_t ms, size_t me, size_t vs, size_t ve) {
    PyObject* item = whole ? Py_BuildValue("(nnnn)", static_cast<Py_ssize_t>(ms), static_cast<Py_ssize_t>(me),
                                           static_cast<Py_ssize_t>(vs), static_cast<Py_ssize_t>(ve))
                           : Py_BuildValue("(nn)", static_cast<Py_ssize_t>(vs), static_cast<Py_ssize_t>(ve));
    if (item == nullptr) return false;
    int rc = PyList_Append(out, item);
    Py_DECREF(item);
    return rc == 0;
}

// search(data, regions, whole) -> list: see backend.Compiled._search (its RE2 branch is the reference)
PyObject* matcher_search(MatcherObject* self, PyObject* args) {
    Py_buffer buf;
    PyObject* regions_obj;
    int whole;
    if (!PyArg_ParseTuple(args, "y*Op", &buf, &regions_obj, &whole)) return nullptr;
    const size_t n = static_cast<size_t>(buf.len);
    const unsigned char* data = static_cast<const unsigned char*>(buf.buf);
    std::vector<std::pair<size_t, size_t>> regions;
    if (regions_obj == Py_None) {
        regions.emplace_back(0, n);
    } else {
        PyObject* seq = PySequence_Fast(regions_obj, "regions must be a sequence of (start, end)");
        if (seq == nullptr) {
            PyBuffer_Release(&buf);
            return nullptr;
        }
        for (Py_ssize_t i = 0; i < PySequence_Fast_GET_SIZE(seq); ++i) {
            Py_ssize_t s, e;
            if (!PyArg_ParseTuple(PySequence_Fast_GET_ITEM(seq, i), "nn", &s, &e)) {
                Py_DECREF(seq);
                PyBuffer_Release(&buf);
                return nullptr;
            }
            s = s < 0 ? 0 : s;
            e = e > static_cast<Py_ssize_t>(n) ? static_cast<Py_ssize_t>(n) : e;
            regions.emplace_back(static_cast<size_t>(s), static_cast<size_t>(e < s ? s : e));
        }
        Py_DECREF(seq);
    }
    PyObject* out = PyList_New(0);
    if (out == nullptr) {
        PyBuffer_Release(&buf);
        return nullptr;
    }
    const re2::StringPiece text(reinterpret_cast<const char*>(data), n);
    const int nsub = self->groups + 1;
    std::vector<re2::StringPiece> sub(static_cast<size_t>(nsub));
    re2::StringPiece whole_match;
    const std::string& prefix = *self->prefix;
    const Edges& edges = *self->edges;
    const size_t least = static_cast<size_t>(self->least);
    bool ok = true;
    size_t pos = 0;
    auto offset = [&](const re2::StringPiece& p) { return static_cast<size_t>(p.data() - text.data()); };
    std::vector<size_t> found;  // ms, me, vs, ve per match
    {
        PyThreadState* state = PyEval_SaveThread();  // matching only: the Python objects are built after
        for (const auto& [rs, rend] : regions) {
            if (pos < rs) pos = rs;
            while (rend >= pos && rend - pos >= least) {
                size_t ms, me;
                bool grouped = true;
                if (!prefix.empty()) {  // every match starts with it: try each occurrence, leftmost first
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
                        if (ve > vs) found.insert(found.end(), {ms, me, vs, ve});
                        pos = ve > ms ? ve : me > ms ? me : ms + 1;
                        continue;
                    }
                    // at an edge of the text: the group says
                    if (!self->rx->Match(text, pos, rend, RE2::UNANCHORED, sub.data(), nsub)) {
                        grouped = false;  // cannot happen: the bare pattern matched here
                    }
                } else if (!self->rx->Match(text, pos, rend, RE2::UNANCHORED, sub.data(), nsub)) {
                    break;
                }
                if (!grouped) break;
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
                if (ve > vs) found.insert(found.end(), {ms, me, vs, ve});
                pos = ve > ms ? ve : me > ms ? me : ms + 1;
            }
        }
        PyEval_RestoreThread(state);
    }
    for (size_t i = 0; ok && i < found.size(); i += 4) ok = append(out, whole, found[i], found[i + 1], found[i + 2], found[i + 3]);
    PyBuffer_Release(&buf);
    if (!ok) {
        Py_DECREF(out);
        return nullptr;
    }
    return out;
}

PyMethodDef matcher_methods[] = {
    {"search", reinterpret_cast<PyCFunction>(matcher_search), METH_VARARGS,
     "search(data, regions, whole) -> list of (vs, ve) or (ms, me, vs, ve) in byte offsets"},
    {nullptr, nullptr, 0, nullptr},
};

PyTypeObject MatcherType = {PyVarObject_HEAD_INIT(nullptr, 0)};

PyModuleDef module_def = {PyModuleDef_HEAD_INIT, "_re2_search",
                          "The RE2 search loop of backend.Compiled in C++ (see re2_search.cpp).", -1};

}  // namespace

PyMODINIT_FUNC PyInit__re2_search() {
    MatcherType.tp_name = "tftsr_kernel.pii.native._re2_search.Matcher";
    MatcherType.tp_basicsize = sizeof(MatcherObject);
    MatcherType.tp_flags = Py_TPFLAGS_DEFAULT;
    MatcherType.tp_new = PyType_GenericNew;
    MatcherType.tp_init = reinterpret_cast<initproc>(matcher_init);
    MatcherType.tp_dealloc = reinterpret_cast<destructor>(matcher_dealloc);
    MatcherType.tp_methods = matcher_methods;
    MatcherType.tp_doc = "One pattern's RE2 search loop: Matcher(pattern, bare, value_idx, prefix, least, edges)";
    if (PyType_Ready(&MatcherType) < 0) return nullptr;
    PyObject* m = PyModule_Create(&module_def);
    if (m == nullptr) return nullptr;
    Py_INCREF(&MatcherType);
    if (PyModule_AddObject(m, "Matcher", reinterpret_cast<PyObject*>(&MatcherType)) < 0) {
        Py_DECREF(&MatcherType);
        Py_DECREF(m);
        return nullptr;
    }
    return m;
}
