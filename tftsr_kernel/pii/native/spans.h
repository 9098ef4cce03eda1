// Building the engine's spans (Scanner._spans) in C++: see spans.cpp.
#pragma once

#define PY_SSIZE_T_CLEAN
#include <Python.h>

namespace tftsr {

// make_spans(found, text, offset, hashes, span_type, value_hash) -> list of span_type
PyObject* make_spans(PyObject* module, PyObject* args);

}  // namespace tftsr
