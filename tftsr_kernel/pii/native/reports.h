// The structural prefilter's reports (Hyperscan's match handler and the windows around them): see reports.cpp.
#pragma once

#define PY_SSIZE_T_CLEAN
#include <Python.h>

namespace tftsr {

// Adds the Reports type to the module; false (with an exception) on failure
bool add_reports_type(PyObject* module);

}  // namespace tftsr
