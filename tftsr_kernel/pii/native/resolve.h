// Resolving overlapping candidates (engine._resolve) in C++: see resolve.cpp.
#pragma once

#define PY_SSIZE_T_CLEAN
#include <Python.h>

namespace tftsr {

// resolve(cands) -> the kept candidates in start order; sorts cands by start in place
PyObject* resolve(PyObject* module, PyObject* cands);

}  // namespace tftsr
