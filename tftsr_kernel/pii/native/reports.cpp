// The structural prefilter's reports (prefilter.Reports) in C++: Hyperscan's match handler and the
// windows the engine searches around the reports.
//
// Hyperscan's Python binding calls its match handler once per report; a Python function there cost the
// engine a frame and two list appends per report, and turning the flat lists into windows (extending
// each report over a run the prefilter cut short, sorting, merging) a Python loop per report more. This
// object is the handler itself (a call appends to a C++ vector) and builds the windows in one call.
// Reports are kept per pattern as flat (start, end) pairs, in the order Hyperscan gives them.
#include "reports.h"

#include "pytype.h"

#include <algorithm>
#include <utility>
#include <vector>

namespace tftsr {

namespace {

struct ReportsObject {
    PyObject_HEAD
    std::vector<std::vector<Py_ssize_t>>* per;  // per pattern: start, end, start, end, ...
};

int reports_init(ReportsObject* self, PyObject* args, PyObject*) {
    Py_ssize_t n;
    if (!PyArg_ParseTuple(args, "n", &n)) return -1;
    if (n < 0) {
        PyErr_SetString(PyExc_ValueError, "the number of patterns cannot be negative");
        return -1;
    }
    delete self->per;
    self->per = new std::vector<std::vector<Py_ssize_t>>(static_cast<size_t>(n));
    return 0;
}

void reports_dealloc(ReportsObject* self) {
    delete self->per;
    Py_TYPE(self)->tp_free(reinterpret_cast<PyObject*>(self));
}

// The pattern's reports, or nullptr (with an exception) for an index out of range.
std::vector<Py_ssize_t>* pattern(ReportsObject* self, Py_ssize_t i) {
    if (self->per == nullptr || i < 0 || static_cast<size_t>(i) >= self->per->size()) {
        PyErr_SetString(PyExc_IndexError, "no such pattern");
        return nullptr;
    }
    return &(*self->per)[static_cast<size_t>(i)];
}

// Hyperscan's match handler: (id, start, end, flags, context) -> None (go on scanning).
PyObject* reports_call(ReportsObject* self, PyObject* args, PyObject* kwargs) {
    Py_ssize_t id, start, end;
    unsigned int flags;
    PyObject* context;
    if (kwargs != nullptr || !PyArg_ParseTuple(args, "nnnIO", &id, &start, &end, &flags, &context)) {
        if (!PyErr_Occurred()) PyErr_SetString(PyExc_TypeError, "a match handler takes five arguments");
        return nullptr;
    }
    std::vector<Py_ssize_t>* out = pattern(self, id);
    if (out == nullptr) return nullptr;
    out->push_back(start);
    out->push_back(end);
    Py_RETURN_NONE;
}

PyObject* reports_count(ReportsObject* self, PyObject* arg) {
    Py_ssize_t i = PyLong_AsSsize_t(arg);
    if (i == -1 && PyErr_Occurred()) return nullptr;
    std::vector<Py_ssize_t>* reports = pattern(self, i);
    return reports == nullptr ? nullptr : PyLong_FromSize_t(reports->size() / 2);
}

PyObject* reports_flat(ReportsObject* self, PyObject* arg) {
    Py_ssize_t i = PyLong_AsSsize_t(arg);
    if (i == -1 && PyErr_Occurred()) return nullptr;
    std::vector<Py_ssize_t>* reports = pattern(self, i);
    if (reports == nullptr) return nullptr;
    PyObject* out = PyList_New(static_cast<Py_ssize_t>(reports->size()));
    for (size_t k = 0; out != nullptr && k < reports->size(); ++k) {
        PyObject* v = PyLong_FromSsize_t((*reports)[k]);
        if (v == nullptr) Py_CLEAR(out);
        else PyList_SET_ITEM(out, static_cast<Py_ssize_t>(k), v);
    }
    return out;
}

// A 128-entry class table (bytes, 1 where an ASCII character is in the class) read off attribute `name` of
// `obj`, or nullptr for None. The table stays alive with `obj`. False (with an exception) for anything else.
bool class_table(PyObject* obj, const char* name, const char** table) {
    *table = nullptr;
    if (obj == Py_None) return true;
    PyObject* value = PyObject_GetAttrString(obj, name);
    if (value == nullptr) return false;
    const bool ok = PyBytes_Check(value) && PyBytes_GET_SIZE(value) == 128;
    if (ok) *table = PyBytes_AS_STRING(value);
    else PyErr_Format(PyExc_TypeError, "%s is a 128-byte class table", name);
    Py_DECREF(value);  // held by obj
    return ok;
}

// A RunTail's (class table, padding, extra), read off its `spec`; false (with an exception) when malformed.
bool tail_spec(PyObject* tail, const char** table, int* padding, Py_ssize_t* extra) {
    PyObject* spec = PyObject_GetAttrString(tail, "spec");
    if (spec == nullptr) return false;
    PyObject* cls;
    bool ok = PyTuple_Check(spec) && PyArg_ParseTuple(spec, "Opn", &cls, padding, extra);
    ok = ok && PyBytes_Check(cls) && PyBytes_GET_SIZE(cls) == 128;
    if (ok) *table = PyBytes_AS_STRING(cls);
    else if (!PyErr_Occurred()) PyErr_SetString(PyExc_TypeError, "a RunTail's spec is (128-byte table, padding, extra)");
    Py_DECREF(spec);  // its items are held by the RunTail
    return ok;
}

bool in_class(const char* table, unsigned char c) { return c < 128 && table[c] != 0; }

// RunTail.end: past the run of the class that starts at `e`, past a run of '=' when padded, plus `extra`.
Py_ssize_t tail_end(const unsigned char* text, Py_ssize_t len, const char* table, int padding, Py_ssize_t extra,
                    Py_ssize_t e) {
    while (e < len && in_class(table, text[e])) ++e;
    if (padding)
        while (e < len && text[e] == '=') ++e;
    return e + extra;
}

// prefilter.som_windows: [start - margin, end + margin] clamped to [0, n] for each pair, sorted and merged.
std::vector<std::pair<Py_ssize_t, Py_ssize_t>> merged(std::vector<std::pair<Py_ssize_t, Py_ssize_t>>& pairs,
                                                      Py_ssize_t n, Py_ssize_t margin) {
    std::sort(pairs.begin(), pairs.end());
    std::vector<std::pair<Py_ssize_t, Py_ssize_t>> regions;
    Py_ssize_t cur_s = std::max<Py_ssize_t>(pairs[0].first - margin, 0);
    Py_ssize_t cur_e = std::min(pairs[0].second + margin, n);
    for (const auto& p : pairs) {
        Py_ssize_t s = p.first > margin ? p.first - margin : 0;
        Py_ssize_t e = p.second + margin < n ? p.second + margin : n;
        if (s <= cur_e) {
            if (e > cur_e) cur_e = e;
            continue;
        }
        regions.emplace_back(cur_s, cur_e);
        cur_s = s;
        cur_e = e;
    }
    regions.emplace_back(cur_s, cur_e);
    return regions;
}

// (regions, searched): a list of (start, end) and the characters they cover.
PyObject* region_list(const std::vector<std::pair<Py_ssize_t, Py_ssize_t>>& regions) {
    PyObject* out = PyList_New(static_cast<Py_ssize_t>(regions.size()));
    Py_ssize_t searched = 0;
    for (size_t k = 0; out != nullptr && k < regions.size(); ++k) {
        PyObject* item = Py_BuildValue("(nn)", regions[k].first, regions[k].second);
        if (item == nullptr) Py_CLEAR(out);
        else PyList_SET_ITEM(out, static_cast<Py_ssize_t>(k), item);
        searched += regions[k].second - regions[k].first;
    }
    if (out == nullptr) return nullptr;
    return Py_BuildValue("(Nn)", out, searched);
}

// som_regions(i, data, tail, head, n, margin) -> (regions, searched): prefilter.som_windows over pattern i's
// (start, end) reports, each end first carried over the trailing run the prefilter cut short (tail: a
// prefilter.RunTail or None, as RunTail.end) and each start back over a cut leading run (head: a RunHead or
// None, as RunHead.start). data is the ASCII text the reports are offsets into.
PyObject* reports_som_regions(ReportsObject* self, PyObject* args) {
    Py_ssize_t i, n, margin;
    Py_buffer data;
    PyObject *tail, *head;
    if (!PyArg_ParseTuple(args, "ny*OOnn", &i, &data, &tail, &head, &n, &margin)) return nullptr;
    const char *tail_table = nullptr, *head_table = nullptr;
    int padding = 0;
    Py_ssize_t extra = 0;
    std::vector<Py_ssize_t>* reports = pattern(self, i);
    bool ok = reports != nullptr && class_table(head, "table", &head_table) &&
              (tail == Py_None || tail_spec(tail, &tail_table, &padding, &extra));
    if (!ok || reports->empty()) {
        PyBuffer_Release(&data);
        if (ok) PyErr_SetString(PyExc_ValueError, "no reports to build windows from");
        return nullptr;
    }
    const auto* text = static_cast<const unsigned char*>(data.buf);
    const Py_ssize_t len = data.len;
    std::vector<std::pair<Py_ssize_t, Py_ssize_t>> pairs;
    pairs.reserve(reports->size() / 2);
    for (size_t k = 0; k + 1 < reports->size(); k += 2) {
        Py_ssize_t s = (*reports)[k], e = (*reports)[k + 1];
        if (tail_table != nullptr) e = tail_end(text, len, tail_table, padding, extra, e);
        if (head_table != nullptr)
            while (s > 0 && s <= len && in_class(head_table, text[s - 1])) --s;
        pairs.emplace_back(s, e);
    }
    PyBuffer_Release(&data);
    return region_list(merged(pairs, n, margin));
}

// end_regions(i, back, forward, n[, data, tail]) -> (regions, searched): triggers.windows over pattern i's
// reported ends; with a tail (a prefilter.RunTail: the prefilter matched only the first character of a
// trailing run), each window reaches from back before the end to forward past the run's end in data.
PyObject* reports_end_regions(ReportsObject* self, PyObject* args) {
    Py_ssize_t i, back, forward, n;
    Py_buffer data = {};
    PyObject* tail = Py_None;
    if (!PyArg_ParseTuple(args, "nnnn|y*O", &i, &back, &forward, &n, &data, &tail)) return nullptr;
    std::vector<Py_ssize_t>* reports = pattern(self, i);
    const char* table = nullptr;
    int padding = 0;
    Py_ssize_t extra = 0;
    if (reports == nullptr || (tail != Py_None && !tail_spec(tail, &table, &padding, &extra))) {
        if (data.obj != nullptr) PyBuffer_Release(&data);
        return nullptr;
    }
    if (table != nullptr) {
        if (data.obj == nullptr || reports->empty()) {
            PyErr_SetString(PyExc_ValueError, "a tail needs the text and at least one report");
            if (data.obj != nullptr) PyBuffer_Release(&data);
            return nullptr;
        }
        const auto* text = static_cast<const unsigned char*>(data.buf);
        std::vector<std::pair<Py_ssize_t, Py_ssize_t>> pairs;
        pairs.reserve(reports->size() / 2);
        for (size_t k = 1; k < reports->size(); k += 2) {
            Py_ssize_t p = (*reports)[k];
            pairs.emplace_back(p > back ? p - back : 0, tail_end(text, data.len, table, padding, extra, p) + forward);
        }
        PyBuffer_Release(&data);
        return region_list(merged(pairs, n, 0));
    }
    if (data.obj != nullptr) PyBuffer_Release(&data);
    std::vector<std::pair<Py_ssize_t, Py_ssize_t>> regions;
    Py_ssize_t cur_s = -1, cur_e = -1;
    for (size_t k = 1; k < reports->size(); k += 2) {
        Py_ssize_t p = (*reports)[k];
        Py_ssize_t s = p > back ? p - back : 0;
        Py_ssize_t e = std::min(p + forward, n);
        if (s <= cur_e) {
            if (e > cur_e) cur_e = e;
            continue;
        }
        if (cur_e >= 0) regions.emplace_back(cur_s, cur_e);
        cur_s = s;
        cur_e = e;
    }
    if (cur_e >= 0) regions.emplace_back(cur_s, cur_e);
    return region_list(regions);
}

PyMethodDef reports_methods[] = {
    {"count", reinterpret_cast<PyCFunction>(reports_count), METH_O, "count(i) -> how many reports pattern i has"},
    {"flat", reinterpret_cast<PyCFunction>(reports_flat), METH_O, "flat(i) -> [start, end, start, end, ...]"},
    {"som_regions", reinterpret_cast<PyCFunction>(reports_som_regions), METH_VARARGS,
     "som_regions(i, data, tail, head, n, margin) -> (windows around (start, end) reports, characters covered)"},
    {"end_regions", reinterpret_cast<PyCFunction>(reports_end_regions), METH_VARARGS,
     "end_regions(i, back, forward, n[, data, tail]) -> (windows around reported ends, characters covered)"},
    {nullptr, nullptr, 0, nullptr},
};

PyTypeObject ReportsType = {PyVarObject_HEAD_INIT(nullptr, 0)};

}  // namespace

bool add_reports_type(PyObject* module) {
    define_type(&ReportsType, "tftsr_kernel.pii.native._matcher.Reports", sizeof(ReportsObject),
                reinterpret_cast<initproc>(reports_init), reinterpret_cast<destructor>(reports_dealloc),
                reports_methods, "Reports(n): one prefilter scan's reports for n patterns; Hyperscan's match handler");
    ReportsType.tp_call = reinterpret_cast<ternaryfunc>(reports_call);
    if (PyType_Ready(&ReportsType) < 0) return false;
    Py_INCREF(&ReportsType);
    if (PyModule_AddObject(module, "Reports", reinterpret_cast<PyObject*>(&ReportsType)) < 0) {
        Py_DECREF(&ReportsType);
        return false;
    }
    return true;
}

}  // namespace tftsr
