// Scanner._spans in C++: a span per resolved candidate, its value hashed once per (type, value).
//
// A span is a tuple subclass (spans.Span) built without Span.__new__'s checks, as the Python loop builds
// it with tuple.__new__: the engine only makes spans with 0 <= start < end. Value hashes come from the
// Python function (value_hash) and are remembered in the caller's dict, which the Python loop shares.
#include "spans.h"

namespace tftsr {

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
        PyObject* value = PyUnicode_Substring(text, s, e);
        PyObject* key = value == nullptr ? nullptr : PyTuple_Pack(2, type, value);
        PyObject* hash = key == nullptr ? nullptr : PyDict_GetItemWithError(hashes, key);  // borrowed
        Py_XINCREF(hash);
        if (hash == nullptr && key != nullptr && !PyErr_Occurred()) {
            hash = PyObject_CallFunctionObjArgs(hash_fn, type, value, nullptr);
            if (hash != nullptr && PyDict_SetItem(hashes, key, hash) < 0) Py_CLEAR(hash);
        }
        Py_XDECREF(key);
        Py_XDECREF(value);
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
        PyList_SET_ITEM(out, i, span);
    }
    return out;
}

}  // namespace tftsr
