// Scanner._spans in C++: a span per resolved candidate, its value hashed once per (type, value).
//
// A span is a tuple subclass (spans.Span) built without Span.__new__'s checks, as the Python loop builds
// it with tuple.__new__: the engine only makes spans with 0 <= start < end. Value hashes come from the
// Python function (value_hash) and are remembered in the caller's dict, which the Python loop shares.
//
// Most values recur, and looking one up in that dict costs a substring and a (type, value) tuple. So a
// C++ map from (type object, the value's characters) to its hash answers first, without either. It only
// mirrors the dict it was filled beside: every entry of it is in that dict, so the dict a scan leaves
// behind is the one the Python loop would leave. It is dropped whenever that may no longer hold: another
// dict or hash function is passed, or the dict's size is not the size its last insertion here left
// (Scanner._spans empties a full dict; nothing else changes the engine's dict). Its size is bounded, and
// it is only touched with the GIL held, so threads sharing a scanner see one consistent map.
#include "spans.h"

#include <string>
#include <unordered_map>
#include <utility>

namespace tftsr {

namespace {

// Entries held at most: beyond the engine's memo (1 << 16), as a value may be keyed once per string kind.
constexpr size_t kMaxEntries = size_t{1} << 17;

struct HashCache {
    PyObject* dict = nullptr;     // owned: the identity the entries mirror cannot be reused while held
    PyObject* hash_fn = nullptr;  // owned, for the same reason
    Py_ssize_t dict_size = -1;    // the dict's size when last seen here
    // key: the type object's address, the string kind, the value's characters; value: (type, hash), owned
    std::unordered_map<std::string, std::pair<PyObject*, PyObject*>> map;
    std::string probe;  // the key being looked up, reused so that a lookup allocates nothing

    void clear() {
        for (auto& kv : map) {
            Py_DECREF(kv.second.first);
            Py_DECREF(kv.second.second);
        }
        map.clear();
    }

    // Drops the entries unless they still mirror `d` as filled with `fn` (see the file's comment).
    void sync(PyObject* d, PyObject* fn) {
        if (d == dict && fn == hash_fn && PyDict_GET_SIZE(d) == dict_size && map.size() <= kMaxEntries) return;
        clear();
        Py_INCREF(d);
        Py_INCREF(fn);
        Py_XSETREF(dict, d);
        Py_XSETREF(hash_fn, fn);
        dict_size = PyDict_GET_SIZE(d);
    }

    void set_probe(PyObject* type, PyObject* text, Py_ssize_t s, Py_ssize_t e) {
        const int kind = PyUnicode_KIND(text);
        probe.assign(reinterpret_cast<const char*>(&type), sizeof type);
        probe.push_back(static_cast<char>(kind));
        probe.append(static_cast<const char*>(PyUnicode_DATA(text)) + s * kind, (e - s) * kind);
    }

    // The remembered hash of text[s:e] under `type` (borrowed), or nullptr.
    PyObject* find(PyObject* type, PyObject* text, Py_ssize_t s, Py_ssize_t e) {
        set_probe(type, text, s, e);
        auto it = map.find(probe);
        return it == map.end() ? nullptr : it->second.second;
    }

    // Remembers a hash the dict now holds for text[s:e] under `type`.
    void add(PyObject* type, PyObject* text, Py_ssize_t s, Py_ssize_t e, PyObject* hash) {
        set_probe(type, text, s, e);
        auto done = map.emplace(probe, std::make_pair(type, hash));
        if (!done.second) return;
        Py_INCREF(type);
        Py_INCREF(hash);
        dict_size = PyDict_GET_SIZE(dict);
    }
};

// Never destroyed: releasing its references after the interpreter is finalized would crash at exit.
HashCache& cache = *new HashCache;

// The hash of text[s:e] under `type` (a new reference), from the cache, the dict or hash_fn; nullptr on error.
PyObject* hash_of(PyObject* type, PyObject* text, Py_ssize_t s, Py_ssize_t e, PyObject* hashes, PyObject* hash_fn) {
    // The cache reads the text's characters: a slice outside them takes the dict's way, as before.
    const bool cacheable = 0 <= s && s <= e && e <= PyUnicode_GET_LENGTH(text);
    cache.sync(hashes, hash_fn);
    if (PyObject* known = cacheable ? cache.find(type, text, s, e) : nullptr) {
        Py_INCREF(known);
        return known;
    }
    PyObject* value = PyUnicode_Substring(text, s, e);
    PyObject* key = value == nullptr ? nullptr : PyTuple_Pack(2, type, value);
    PyObject* hash = key == nullptr ? nullptr : PyDict_GetItemWithError(hashes, key);  // borrowed
    Py_XINCREF(hash);
    if (hash == nullptr && key != nullptr && !PyErr_Occurred()) {
        hash = PyObject_CallFunctionObjArgs(hash_fn, type, value, nullptr);  // may run other threads
        cache.sync(hashes, hash_fn);
        if (hash != nullptr && PyDict_SetItem(hashes, key, hash) < 0) Py_CLEAR(hash);
    }
    if (hash != nullptr && cacheable) cache.add(type, text, s, e, hash);
    Py_XDECREF(key);
    Py_XDECREF(value);
    return hash;
}

// Whether the garbage collector may skip a span: no __dict__ and only untracked fields (ints, strs, None)
// mean it can be in no reference cycle. CPython untracks such plain tuples itself, but not tuple
// subclasses, so each span would be traversed by every collection until freed: 80 ns a span.
bool untrackable(PyTypeObject* span_type, PyObject* span) {
    if (span_type->tp_dictoffset != 0) return false;
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(span); ++i)
        if (PyObject_GC_IsTracked(PyTuple_GET_ITEM(span, i))) return false;
    return true;
}

}  // namespace

PyObject* make_spans(PyObject*, PyObject* args) {
    PyObject *found, *text, *hashes, *hash_fn;
    PyTypeObject* span_type;
    Py_ssize_t offset;
    if (!PyArg_ParseTuple(args, "O!UnO!O!O", &PyList_Type, &found, &text, &offset, &PyDict_Type, &hashes,
                          &PyType_Type, &span_type, &hash_fn))
        return nullptr;
    if (!PyType_IsSubtype(span_type, &PyTuple_Type)) {
        PyErr_SetString(PyExc_TypeError, "span_type must be a tuple subclass");
        return nullptr;
    }
    const Py_ssize_t count = PyList_GET_SIZE(found);
    PyObject* out = PyList_New(count);
    if (out == nullptr) return nullptr;
    for (Py_ssize_t i = 0; i < count; ++i) {
        PyObject* cand = PyList_GET_ITEM(found, i);  // (start, end, priority, type, detector)
        if (!PyTuple_Check(cand) || PyTuple_GET_SIZE(cand) != 5) {
            PyErr_SetString(PyExc_TypeError, "a candidate is (start, end, priority, type, detector)");
            Py_DECREF(out);
            return nullptr;
        }
        Py_ssize_t s = PyLong_AsSsize_t(PyTuple_GET_ITEM(cand, 0));
        Py_ssize_t e = PyLong_AsSsize_t(PyTuple_GET_ITEM(cand, 1));
        if (PyErr_Occurred()) {
            Py_DECREF(out);
            return nullptr;
        }
        PyObject* type = PyTuple_GET_ITEM(cand, 3);
        PyObject* detector = PyTuple_GET_ITEM(cand, 4);
        PyObject* hash = hash_of(type, text, s, e, hashes, hash_fn);
        PyObject* span = hash == nullptr ? nullptr : span_type->tp_alloc(span_type, 6);
        PyObject* start = span == nullptr ? nullptr : PyLong_FromSsize_t(s + offset);
        PyObject* end = start == nullptr ? nullptr : PyLong_FromSsize_t(e + offset);
        if (end == nullptr) {
            Py_XDECREF(start);
            Py_XDECREF(span);
            Py_XDECREF(hash);
            Py_DECREF(out);
            return nullptr;
        }
        Py_INCREF(type);
        Py_INCREF(detector);
        Py_INCREF(Py_None);
        PyTuple_SET_ITEM(span, 0, start);
        PyTuple_SET_ITEM(span, 1, end);
        PyTuple_SET_ITEM(span, 2, type);
        PyTuple_SET_ITEM(span, 3, detector);
        PyTuple_SET_ITEM(span, 4, hash);  // the reference taken above
        PyTuple_SET_ITEM(span, 5, Py_None);
        if (untrackable(span_type, span)) PyObject_GC_UnTrack(span);
        PyList_SET_ITEM(out, i, span);
    }
    return out;
}

}  // namespace tftsr
