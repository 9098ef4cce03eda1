// engine._resolve in C++, with engine._greedy and engine._keep_cluster: the same candidate tuples, in the
// same order, and the argument sorted by start in place as the Python version leaves it.
//
// A candidate is (start, end, priority, type, detector) with int start, end and priority (each fitting a
// Py_ssize_t) and a str type; anything else is refused with a TypeError. Types compare as Python compares
// str (code point by code point); the detector is never read. No Python code runs during the call.
#include "resolve.h"

#include <algorithm>
#include <vector>

namespace tftsr {
namespace {

struct Cand {
    Py_ssize_t start, end, priority;
    PyObject* type;   // borrowed, as is tuple: the argument list holds them
    PyObject* tuple;  // the candidate itself, which the result holds again
};

// The fields of candidate ``index`` (``item``); false with a TypeError or OverflowError set.
bool read_cand(PyObject* item, Py_ssize_t index, Cand* c) {
    bool shaped = PyTuple_Check(item) && PyTuple_GET_SIZE(item) == 5 && PyLong_Check(PyTuple_GET_ITEM(item, 0)) &&
                  PyLong_Check(PyTuple_GET_ITEM(item, 1)) && PyLong_Check(PyTuple_GET_ITEM(item, 2)) &&
                  PyUnicode_Check(PyTuple_GET_ITEM(item, 3));
    if (!shaped) {
        PyErr_Format(PyExc_TypeError,
                     "resolve: candidate %zd is not a tuple (start: int, end: int, priority: int, type: str, "
                     "detector)", index);
        return false;
    }
    c->start = PyLong_AsSsize_t(PyTuple_GET_ITEM(item, 0));
    c->end = PyLong_AsSsize_t(PyTuple_GET_ITEM(item, 1));
    c->priority = PyLong_AsSsize_t(PyTuple_GET_ITEM(item, 2));
    c->type = PyTuple_GET_ITEM(item, 3);
    c->tuple = item;
    return (c->start != -1 && c->end != -1 && c->priority != -1) || !PyErr_Occurred();  // -1: maybe an error
}

bool starts_before(const Cand& a, const Cand& b) { return a.start < b.start; }

// cands.sort(key=_START): a stable merge of the ascending runs (the candidates of each detector come in one)
void sort_by_start(std::vector<Cand>& cands) {
    std::vector<size_t> bounds{0};  // where each run starts, then the end
    for (size_t i = 1; i < cands.size(); ++i)
        if (cands[i].start < cands[i - 1].start) bounds.push_back(i);
    bounds.push_back(cands.size());
    if (bounds.size() == 2) return;  // one run: sorted already
    std::vector<Cand> merged(cands.size());
    while (bounds.size() > 2) {  // merge runs two by two, an odd last run copied
        std::vector<size_t> next{0};
        for (size_t k = 0; k + 1 < bounds.size(); k += 2) {
            auto lo = cands.begin() + bounds[k], mid = cands.begin() + bounds[k + 1];
            auto hi = k + 2 < bounds.size() ? cands.begin() + bounds[k + 2] : mid;
            std::merge(lo, mid, mid, hi, merged.begin() + bounds[k], starts_before);
            next.push_back(static_cast<size_t>(hi - cands.begin()));
        }
        cands.swap(merged);
        bounds.swap(next);
    }
}

// _greedy's sort key: (start - end, priority, start, type); the difference is taken without overflow
bool greedy_before(const Cand& a, const Cand& b) {
    __int128 la = static_cast<__int128>(a.start) - a.end, lb = static_cast<__int128>(b.start) - b.end;
    if (la != lb) return la < lb;
    if (a.priority != b.priority) return a.priority < b.priority;
    if (a.start != b.start) return a.start < b.start;
    return a.type != b.type && PyUnicode_Compare(a.type, b.type) < 0;  // str against str: cannot fail
}

// _greedy: the members of [first, last) kept longest first, each overlapping no member kept before it;
// moves them to the front of the range in that order and returns the end of the survivors.
Cand* greedy(Cand* first, Cand* last) {
    std::stable_sort(first, last, greedy_before);
    std::vector<Py_ssize_t> starts, ends;  // the kept spans, by start (as bisect keeps them)
    Cand* out = first;
    for (Cand* c = first; c != last; ++c) {
        auto at = std::upper_bound(starts.begin(), starts.end(), c->start);
        size_t i = static_cast<size_t>(at - starts.begin());
        if ((i > 0 && ends[i - 1] > c->start) || (i < starts.size() && starts[i] < c->end)) continue;
        starts.insert(at, c->start);
        ends.insert(ends.begin() + static_cast<std::ptrdiff_t>(i), c->end);
        *out++ = *c;
    }
    return out;
}

// _keep_cluster: what survives of one cluster of overlapping candidates, appended to ``kept`` in start order
void keep_cluster(Cand* first, Cand* last, std::vector<PyObject*>* kept) {
    Cand* end = greedy(first, last);
    std::stable_sort(first, end, starts_before);
    for (Cand* c = first; c != end; ++c) kept->push_back(c->tuple);
}

// _resolve's walk over the candidates sorted by start: clusters of transitively overlapping candidates,
// a lone candidate kept as it is
std::vector<PyObject*> resolve_sorted(std::vector<Cand>& cands) {
    std::vector<PyObject*> kept;
    kept.reserve(cands.size());
    Cand* const stop = cands.data() + cands.size();
    for (Cand* first = cands.data(); first != stop;) {
        Py_ssize_t gend = first->end;
        Cand* last = first + 1;
        for (; last != stop && last->start < gend; ++last) gend = std::max(gend, last->end);
        if (last - first == 1)
            kept.push_back(first->tuple);
        else
            keep_cluster(first, last, &kept);
        first = last;
    }
    return kept;
}

PyObject* new_list(const std::vector<PyObject*>& items) {
    PyObject* out = PyList_New(static_cast<Py_ssize_t>(items.size()));
    if (out == nullptr) return nullptr;
    for (size_t i = 0; i < items.size(); ++i) {
        Py_INCREF(items[i]);
        PyList_SET_ITEM(out, static_cast<Py_ssize_t>(i), items[i]);
    }
    return out;
}

}  // namespace

PyObject* resolve(PyObject*, PyObject* list) {
    if (!PyList_Check(list)) {
        PyErr_SetString(PyExc_TypeError, "resolve: the candidates must be a list");
        return nullptr;
    }
    const Py_ssize_t n = PyList_GET_SIZE(list);
    std::vector<Cand> cands(static_cast<size_t>(n));
    for (Py_ssize_t i = 0; i < n; ++i)
        if (!read_cand(PyList_GET_ITEM(list, i), i, &cands[static_cast<size_t>(i)])) return nullptr;
    sort_by_start(cands);
    for (Py_ssize_t i = 0; i < n; ++i) PyList_SET_ITEM(list, i, cands[static_cast<size_t>(i)].tuple);  // a permutation
    return new_list(resolve_sorted(cands));
}

}  // namespace tftsr
