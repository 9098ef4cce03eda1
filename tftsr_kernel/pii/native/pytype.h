// Filling in a C++ extension type's PyTypeObject: the fields every type of the module sets alike.
#pragma once

#define PY_SSIZE_T_CLEAN
#include <Python.h>

namespace tftsr {

// A plain type (no subclassing, no GC) of `size` bytes, made with tp_new and set up by `init`.
inline void define_type(PyTypeObject* type, const char* name, Py_ssize_t size, initproc init, destructor dealloc,
                        PyMethodDef* methods, const char* doc) {
    type->tp_name = name;
    type->tp_basicsize = size;
    type->tp_flags = Py_TPFLAGS_DEFAULT;
    type->tp_new = PyType_GenericNew;
    type->tp_init = init;
    type->tp_dealloc = dealloc;
    type->tp_methods = methods;
    type->tp_doc = doc;
}

}  // namespace tftsr
