// wasm_mmap._native: the Python host's C part. Three things CPython's own mmap does in C and a
// Python class cannot:
//   Export  one core export, called straight through Wasmtime's C API
//           (wasmtime_func_call_unchecked, from the wheel's own library: its address comes from
//           wasmtime-py's ctypes handle), converting Python numbers by the export's signature:
//           ~0.1 µs a call, against ~26 µs through wasmtime-py's Func.__call__.
//   Core    one instance's memory (its base never moves: Config.memory_may_move = False): bytes
//           in and out, the out record, the SIGBUS fault record, and host/pages.c's calls on
//           page ranges, checked to lie inside the memory's reservation.
//   Base    the base class of wasm_mmap.mmap: the buffer protocol (memoryview(m), re.search).
// The semantics stay in the core; nothing here decides what a map does.
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <structmember.h>

#include <errno.h>
#include <math.h>
#include <unistd.h>

#include "pages.h"

// Wasmtime's C API (wasmtime/func.h, wasmtime/val.h), the few types this file passes through.
typedef struct { uint64_t store_id; void *private_; } wasmtime_func_t;
typedef union {
  int32_t i32;
  int64_t i64;
  float f32;
  double f64;
  uint8_t v128[16];
  void *funcref;
} wasmtime_val_raw_t;
typedef void *(*call_unchecked_t)(void *context, const wasmtime_func_t *func,
                                  wasmtime_val_raw_t *args_and_results, size_t len, void **trap);
typedef void (*delete_t)(void *);

static call_unchecked_t call_unchecked;
static delete_t trap_delete, error_delete;

// What a call returns when the SIGBUS handler absorbed a fault in this memory during it (or
// during a copy out): the host then reports EFAULT (wasm_mmap/_backing.py, absorb_fault).
#define FAULTED (-2000000000LL)
// A wasm32 memory: every address the core gives lies below this.
#define RESERVED ((uint64_t)1 << 32)

typedef struct {
  PyObject_HEAD
  void *context;
  wasmtime_func_t scratch;  // the core's scratch(n) export, for 'B' arguments
  uint8_t *base;
  uint64_t out;          // the out record's address
  int32_t *faults;       // the fault record (pages.c), or a dummy counter until watched
  int32_t no_faults;
  int32_t handled;       // how many of faults[0] the host has handled
  uint8_t *fault_pages;
  size_t fault_pages_size;
} CoreObject;

typedef struct {
  PyObject_HEAD
  vectorcallfunc vectorcall;
  CoreObject *core;
  wasmtime_func_t func;
  int nparams;    // the wasm function's
  int nargs;      // the Python call's: a 'B' argument fills two parameters
  char kinds[8];  // per parameter: 'i' i32, 'd' f64, 'B' a bytes-like argument staged in the
                  // scratch area (its address, i32), 'L' its length (f64, not an argument)
  char result;    // 'i', 'd', 'v' (none), or 'O': a count whose bytes at OUT[0] are copied out
  PyObject *name;
} ExportObject;

static PyTypeObject CoreType, ExportType, BaseType;

static PyObject *trapped(ExportObject *e, void *error, void *trap) {
  if (trap != NULL) trap_delete(trap);
  if (error != NULL) error_delete(error);
  // The core returns codes for every expected failure: a trap is a bug (docs/ABI.md, Traps).
  PyErr_Format(PyExc_SystemError, "wasm-mmap: the core trapped in %U (a bug)", e->name);
  return NULL;
}

static bool fault_pending(CoreObject *core) {
  return __atomic_load_n(core->faults, __ATOMIC_ACQUIRE) != core->handled;
}

// Copies a bytes-like object (CPython's y* converter, with its message for anything else) into
// the core's scratch area (docs/ABI.md, Bytes in and out): the address and length go to
// vals[0], vals[1]. In the same C call as the export that reads it, so no other thread's call
// can come between.
static bool stage(ExportObject *e, PyObject *data, wasmtime_val_raw_t *vals) {
  Py_buffer view;
  if (PyObject_GetBuffer(data, &view, PyBUF_SIMPLE) != 0) return false;
  CoreObject *core = e->core;
  wasmtime_val_raw_t scratch[1];
  scratch[0].f64 = (double)view.len;
  void *trap = NULL;
  void *error = call_unchecked(core->context, &core->scratch, scratch, 1, &trap);
  if (error != NULL || trap != NULL) {
    PyBuffer_Release(&view);
    trapped(e, error, trap);
    return false;
  }
  double at = scratch[0].f64;
  if (at <= 0 || at + (double)view.len > (double)RESERVED) {
    PyBuffer_Release(&view);
    errno = ENOMEM;  // the scratch area could not grow
    PyErr_SetFromErrno(PyExc_OSError);
    return false;
  }
  memcpy(core->base + (uint64_t)at, view.buf, (size_t)view.len);
  vals[0].i64 = 0;
  vals[0].i32 = (int32_t)(uint32_t)at;
  vals[1].f64 = (double)view.len;
  PyBuffer_Release(&view);
  return true;
}

static PyObject *export_vectorcall(PyObject *self, PyObject *const *args, size_t nargsf,
                                   PyObject *kwnames) {
  ExportObject *e = (ExportObject *)self;
  Py_ssize_t n = PyVectorcall_NARGS(nargsf);
  if (n != e->nargs || kwnames != NULL) {
    PyErr_Format(PyExc_TypeError, "%U() takes %d positional arguments", e->name, e->nargs);
    return NULL;
  }
  wasmtime_val_raw_t vals[8];
  vals[0].i64 = 0;
  for (int i = 0, a = 0; i < e->nparams; i++, a++) {
    PyObject *arg = args[a];
    switch (e->kinds[i]) {
      case 'i': {
        long v = PyLong_AsLong(arg);
        if (v == -1 && PyErr_Occurred()) return NULL;
        vals[i].i64 = 0;
        vals[i].i32 = (int32_t)v;
        break;
      }
      case 'B':
        // Last, after every other argument is converted: nothing may fail after the copy.
        break;
      default: {
        if (arg == Py_None) {
          vals[i].f64 = NAN;  // docs/ABI.md: NaN means "not given"
        } else {
          double v = PyFloat_AsDouble(arg);
          if (v == -1.0 && PyErr_Occurred()) return NULL;
          vals[i].f64 = v;
        }
      }
    }
    if (e->kinds[i] == 'B') i++;  // its 'L'
  }
  for (int i = 0, a = 0; i < e->nparams; i++, a++) {
    if (e->kinds[i] == 'B') {
      if (!stage(e, args[a], vals + i)) return NULL;
      i++;
    }
  }
  CoreObject *core = e->core;
  void *trap = NULL;
  void *error = call_unchecked(core->context, &e->func, vals, e->nparams > 0 ? (size_t)e->nparams : 1,
                               &trap);
  if (error != NULL || trap != NULL) return trapped(e, error, trap);
  if (fault_pending(core)) return PyLong_FromLongLong(FAULTED);
  switch (e->result) {
    case 'i': return PyLong_FromLong(vals[0].i32);
    case 'd': return PyLong_FromLongLong((long long)vals[0].f64);  // results are exact integers
    case 'O': {
      double count = vals[0].f64;
      if (count < 0) return PyLong_FromLongLong((long long)count);
      double address;
      memcpy(&address, core->base + core->out, sizeof address);
      if (address < 0 || address + count > (double)RESERVED) {
        PyErr_SetString(PyExc_SystemError, "wasm-mmap: the core gave bytes outside its memory (a bug)");
        return NULL;
      }
      // The copy reads the map's pages: a touch past a shrunk file's end shows only now.
      PyObject *bytes = PyBytes_FromStringAndSize((const char *)core->base + (uint64_t)address,
                                                  (Py_ssize_t)count);
      if (bytes != NULL && fault_pending(core)) {
        Py_DECREF(bytes);
        return PyLong_FromLongLong(FAULTED);
      }
      return bytes;
    }
    default: Py_RETURN_NONE;
  }
}

static void export_dealloc(ExportObject *e) {
  Py_XDECREF(e->core);
  Py_XDECREF(e->name);
  Py_TYPE(e)->tp_free((PyObject *)e);
}

static PyObject *export_repr(ExportObject *e) {
  return PyUnicode_FromFormat("<core export %U>", e->name);
}

static PyTypeObject ExportType = {
  PyVarObject_HEAD_INIT(NULL, 0)
  .tp_name = "wasm_mmap._native.Export",
  .tp_basicsize = sizeof(ExportObject),
  .tp_dealloc = (destructor)export_dealloc,
  .tp_repr = (reprfunc)export_repr,
  .tp_call = PyVectorcall_Call,
  .tp_vectorcall_offset = offsetof(ExportObject, vectorcall),
  .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_VECTORCALL,
  .tp_doc = "One export of the core, called through Wasmtime's C API.",
};

// Core(context, base, out): the store's context pointer, the memory's base, the out record.
static int core_init(CoreObject *self, PyObject *args, PyObject *kwds) {
  unsigned long long context, base, out;
  if (!PyArg_ParseTuple(args, "KKK", &context, &base, &out)) return -1;
  self->context = (void *)(uintptr_t)context;
  self->base = (uint8_t *)(uintptr_t)base;
  self->out = out;
  self->no_faults = 0;
  self->faults = &self->no_faults;
  return 0;
}

static void core_dealloc(CoreObject *self) {
  // The memory goes with the store; its slot in the watch table goes now.
  if (self->faults != &self->no_faults) pages_unwatch(self);
  Py_TYPE(self)->tp_free((PyObject *)self);
}

// export(store_id, private, params, result, name): an Export of this core.
static PyObject *core_export(CoreObject *self, PyObject *args) {
  unsigned long long store_id, private_;
  const char *params, *result;
  PyObject *name;
  if (!PyArg_ParseTuple(args, "KKssU", &store_id, &private_, &params, &result, &name)) return NULL;
  size_t n = strlen(params);
  if (n > 8) return PyErr_Format(PyExc_ValueError, "too many parameters");
  ExportObject *e = PyObject_New(ExportObject, &ExportType);
  if (e == NULL) return NULL;
  e->vectorcall = export_vectorcall;
  Py_INCREF(self);
  e->core = self;
  e->func.store_id = store_id;
  e->func.private_ = (void *)(uintptr_t)private_;
  e->nparams = (int)n;
  e->nargs = 0;
  for (size_t i = 0; i < n; i++) e->nargs += params[i] != 'L';
  memcpy(e->kinds, params, n);
  if (strcmp(PyUnicode_AsUTF8(name), "scratch") == 0) self->scratch = e->func;
  e->result = result[0];
  Py_INCREF(name);
  e->name = name;
  return (PyObject *)e;
}

// A range of the memory the core gave out: below the 4 GiB any wasm32 address reaches.
static bool in_memory(uint64_t address, uint64_t length) {
  if (address > RESERVED || RESERVED - address < length) {
    PyErr_SetString(PyExc_ValueError, "range reaches beyond the memory");
    return false;
  }
  return true;
}

// bytes(address, n): a copy of n bytes at address, as CPython returns bytes; None when the copy
// touched a page past the end of a shrunk file (the SIGBUS handler put zeros there).
static PyObject *core_bytes(CoreObject *self, PyObject *const *args, Py_ssize_t n) {
  if (n != 2) return PyErr_Format(PyExc_TypeError, "bytes(address, n)");
  long long address = PyLong_AsLongLong(args[0]);
  long long count = PyLong_AsLongLong(args[1]);
  if (PyErr_Occurred()) return NULL;
  if (address < 0 || count < 0 || !in_memory((uint64_t)address, (uint64_t)count)) {
    if (!PyErr_Occurred()) PyErr_SetString(PyExc_ValueError, "bad range");
    return NULL;
  }
  PyObject *bytes = PyBytes_FromStringAndSize((const char *)self->base + address, (Py_ssize_t)count);
  if (bytes != NULL && __atomic_load_n(self->faults, __ATOMIC_ACQUIRE) != self->handled) {
    Py_DECREF(bytes);
    Py_RETURN_NONE;
  }
  return bytes;
}

// view(address, n): a writable memoryview of n bytes at address, for os.preadv/os.pwrite (the
// copy backing); only for the time of that call.
static PyObject *core_view(CoreObject *self, PyObject *args) {
  unsigned long long address, count;
  if (!PyArg_ParseTuple(args, "KK", &address, &count)) return NULL;
  if (!in_memory(address, count)) return NULL;
  return PyMemoryView_FromMemory((char *)self->base + address, (Py_ssize_t)count, PyBUF_WRITE);
}

// out(i): value i of the out record (an exact integer), valid until the next call.
static PyObject *core_out(CoreObject *self, PyObject *arg) {
  long i = PyLong_AsLong(arg);
  if (i < 0 || i > 3) {
    if (!PyErr_Occurred()) PyErr_SetString(PyExc_IndexError, "out record has 4 values");
    return NULL;
  }
  double v;
  memcpy(&v, self->base + self->out + 8 * (uint64_t)i, sizeof v);
  return PyLong_FromLongLong((long long)v);
}

static PyObject *os_error(int err) {
  errno = err;
  return PyErr_SetFromErrno(PyExc_OSError);
}

// watch(): takes SIGBUS in this memory's 4 GiB from now on (pages.c).
static PyObject *core_watch(CoreObject *self, PyObject *unused) {
  uint8_t *record;
  size_t size;
  if (self->faults != &self->no_faults) Py_RETURN_NONE;
  int err = pages_watch((uintptr_t)self->base, RESERVED, self, &record, &size);
  if (err != 0) return os_error(err);
  self->handled = *(int32_t *)record;
  self->faults = (int32_t *)record;
  self->fault_pages = record + PAGES_RECORD_HEADER;
  self->fault_pages_size = size - PAGES_RECORD_HEADER;
  Py_RETURN_NONE;
}

// take_faults(first, count): marks every fault so far handled, and returns the pages in
// [first, first + count) (numbered from the memory's base) where the handler put a zero page,
// clearing their bits.
static PyObject *core_take_faults(CoreObject *self, PyObject *args) {
  unsigned long long first, count;
  if (!PyArg_ParseTuple(args, "KK", &first, &count)) return NULL;
  self->handled = __atomic_load_n(self->faults, __ATOMIC_ACQUIRE);
  PyObject *pages = PyList_New(0);
  if (pages == NULL || self->faults == &self->no_faults) return pages;
  for (uint64_t page = first; page < first + count && page / 8 < self->fault_pages_size; page++) {
    uint8_t bit = (uint8_t)(1u << (page % 8));
    if ((self->fault_pages[page / 8] & bit) == 0) continue;
    __atomic_fetch_and(&self->fault_pages[page / 8], (uint8_t)~bit, __ATOMIC_RELAXED);
    PyObject *number = PyLong_FromUnsignedLongLong(page - first);
    if (number == NULL || PyList_Append(pages, number) != 0) {
      Py_XDECREF(number);
      Py_DECREF(pages);
      return NULL;
    }
    Py_DECREF(number);
  }
  return pages;
}

// acknowledge(): every fault so far is being handled (before the host calls the core again,
// whose Exports answer FAULTED while one is pending).
static PyObject *core_acknowledge(CoreObject *self, PyObject *unused) {
  self->handled = __atomic_load_n(self->faults, __ATOMIC_ACQUIRE);
  Py_RETURN_NONE;
}

// Whether a fault was absorbed since the host last looked.
static PyObject *core_fault_pending(CoreObject *self, PyObject *unused) {
  return PyBool_FromLong(__atomic_load_n(self->faults, __ATOMIC_ACQUIRE) != self->handled);
}

// A page-aligned range of the memory, for the calls below.
static bool page_range(uint64_t address, uint64_t length, bool aligned) {
  if (!in_memory(address, length)) return false;
  if (aligned && address % pages_size != 0) {
    PyErr_SetString(PyExc_ValueError, "address must be a multiple of the page size");
    return false;
  }
  return true;
}

// map(address, length, fd, file_offset, writable, shared, populate)
static PyObject *core_map(CoreObject *self, PyObject *args) {
  unsigned long long address, length, file_offset;
  int fd, writable, shared, populate;
  if (!PyArg_ParseTuple(args, "KKiKppp", &address, &length, &fd, &file_offset, &writable, &shared,
                        &populate)) {
    return NULL;
  }
  if (!page_range(address, length, true)) return NULL;
  if (length == 0 || file_offset % pages_size != 0) {
    PyErr_SetString(PyExc_ValueError, "length must be positive, file_offset page-aligned");
    return NULL;
  }
  int err = pages_map(self->base + address, length, fd, file_offset, writable, shared, populate);
  return err != 0 ? os_error(err) : (Py_INCREF(Py_None), Py_None);
}

// unmap(address, length): zero pages over the range.
static PyObject *core_unmap(CoreObject *self, PyObject *args) {
  unsigned long long address, length;
  if (!PyArg_ParseTuple(args, "KK", &address, &length)) return NULL;
  if (!page_range(address, length, true)) return NULL;
  if (length == 0) Py_RETURN_NONE;
  int err = pages_zero(self->base + address, length);
  return err != 0 ? os_error(err) : (Py_INCREF(Py_None), Py_None);
}

// msync(address, length): an unaligned address is the kernel's EINVAL, as in CPython's flush().
static PyObject *core_msync(CoreObject *self, PyObject *args) {
  unsigned long long address, length;
  if (!PyArg_ParseTuple(args, "KK", &address, &length)) return NULL;
  if (!page_range(address, length, false)) return NULL;
  int err = pages_msync(self->base + address, length);
  return err != 0 ? os_error(err) : (Py_INCREF(Py_None), Py_None);
}

// madvise(address, length, advice)
static PyObject *core_madvise(CoreObject *self, PyObject *args) {
  unsigned long long address, length;
  int advice;
  if (!PyArg_ParseTuple(args, "KKi", &address, &length, &advice)) return NULL;
  if (!page_range(address, length, false)) return NULL;
  int err = pages_madvise(self->base + address, length, advice);
  return err != 0 ? os_error(err) : (Py_INCREF(Py_None), Py_None);
}

// move(address, length, to): the mapping moves with mremap; zero pages stay behind.
static PyObject *core_move(CoreObject *self, PyObject *args) {
  unsigned long long from, length, to;
  if (!PyArg_ParseTuple(args, "KKK", &from, &length, &to)) return NULL;
  if (!page_range(from, length, true) || !page_range(to, length, true)) return NULL;
  if (length == 0 || (from < to ? to - from : from - to) < length) {
    PyErr_SetString(PyExc_ValueError, "the ranges must not be empty or overlap");
    return NULL;
  }
  const char *syscall;
  int err = pages_move(self->base + from, self->base + to, length, &syscall);
  return err != 0 ? os_error(err) : (Py_INCREF(Py_None), Py_None);
}

static PyMethodDef core_methods[] = {
  {"export", (PyCFunction)core_export, METH_VARARGS, "export(store_id, private, params, result, name)"},
  {"bytes", (PyCFunction)(void (*)(void))core_bytes, METH_FASTCALL, "bytes(address, n)"},
  {"view", (PyCFunction)core_view, METH_VARARGS, "view(address, n)"},
  {"acknowledge", (PyCFunction)core_acknowledge, METH_NOARGS, "acknowledge()"},
  {"out", (PyCFunction)core_out, METH_O, "out(i)"},
  {"watch", (PyCFunction)core_watch, METH_NOARGS, "watch()"},
  {"take_faults", (PyCFunction)core_take_faults, METH_VARARGS, "take_faults(first_page, pages)"},
  {"fault_pending", (PyCFunction)core_fault_pending, METH_NOARGS, "fault_pending()"},
  {"map", (PyCFunction)core_map, METH_VARARGS, "map(address, length, fd, file_offset, writable, shared, populate)"},
  {"unmap", (PyCFunction)core_unmap, METH_VARARGS, "unmap(address, length)"},
  {"msync", (PyCFunction)core_msync, METH_VARARGS, "msync(address, length)"},
  {"madvise", (PyCFunction)core_madvise, METH_VARARGS, "madvise(address, length, advice)"},
  {"move", (PyCFunction)core_move, METH_VARARGS, "move(address, length, to)"},
  {NULL, NULL, 0, NULL},
};

static PyTypeObject CoreType = {
  PyVarObject_HEAD_INIT(NULL, 0)
  .tp_name = "wasm_mmap._native.Core",
  .tp_basicsize = sizeof(CoreObject),
  .tp_dealloc = (destructor)core_dealloc,
  .tp_flags = Py_TPFLAGS_DEFAULT,
  .tp_methods = core_methods,
  .tp_init = (initproc)core_init,
  .tp_new = PyType_GenericNew,
  .tp_doc = "One core instance's memory.",
};

// Base: what wasm_mmap.mmap needs in C. `_core` and `_h` are set by the subclass; `_data`,
// `_length`, `_access` are Exports (map_data, map_length, map_access) of that core.
typedef struct {
  PyObject_HEAD
  PyObject *core;
  PyObject *data, *length, *access;
  int handle;
  Py_ssize_t exports;
  PyObject *weakrefs;
} BaseObject;

static long long call_one(PyObject *export, int handle) {
  PyObject *h = PyLong_FromLong(handle);
  if (h == NULL) return FAULTED;
  PyObject *r = PyObject_CallOneArg(export, h);
  Py_DECREF(h);
  if (r == NULL) return FAULTED;
  long long v = PyLong_AsLongLong(r);
  Py_DECREF(r);
  return v;
}

// CPython's mmap_buffer_getbuf: the map's bytes, read-only for ACCESS_READ.
static int base_getbuffer(BaseObject *self, Py_buffer *view, int flags) {
  if (self->core == NULL || self->data == NULL || self->length == NULL || self->access == NULL) {
    PyErr_SetString(PyExc_ValueError, "mmap closed or invalid");
    return -1;
  }
  long long length = call_one(self->length, self->handle);
  if (PyErr_Occurred()) return -1;
  if (length < 0) {
    PyErr_SetString(PyExc_ValueError, "mmap closed or invalid");
    return -1;
  }
  long long address = call_one(self->data, self->handle);
  long long access = call_one(self->access, self->handle);
  if (PyErr_Occurred()) return -1;
  CoreObject *core = (CoreObject *)self->core;
  if (PyBuffer_FillInfo(view, (PyObject *)self, core->base + address, (Py_ssize_t)length,
                        access == 1, flags) < 0) {
    return -1;
  }
  self->exports++;
  return 0;
}

static void base_releasebuffer(BaseObject *self, Py_buffer *view) { self->exports--; }

static PyBufferProcs base_as_buffer = {
  (getbufferproc)base_getbuffer,
  (releasebufferproc)base_releasebuffer,
};

static int base_traverse(BaseObject *self, visitproc visit, void *arg) {
  Py_VISIT(Py_TYPE(self));
  Py_VISIT(self->core);
  Py_VISIT(self->data);
  Py_VISIT(self->length);
  Py_VISIT(self->access);
  return 0;
}

static int base_clear(BaseObject *self) {
  Py_CLEAR(self->core);
  Py_CLEAR(self->data);
  Py_CLEAR(self->length);
  Py_CLEAR(self->access);
  return 0;
}

static void base_dealloc(BaseObject *self) {
  PyTypeObject *type = Py_TYPE(self);
  PyObject_GC_UnTrack(self);
  if (self->weakrefs != NULL) PyObject_ClearWeakRefs((PyObject *)self);
  base_clear(self);
  type->tp_free((PyObject *)self);
}

static PyMemberDef base_members[] = {
  {"_core", T_OBJECT, offsetof(BaseObject, core), 0, NULL},
  {"_data", T_OBJECT, offsetof(BaseObject, data), 0, NULL},
  {"_length", T_OBJECT, offsetof(BaseObject, length), 0, NULL},
  {"_access", T_OBJECT, offsetof(BaseObject, access), 0, NULL},
  {"_h", T_INT, offsetof(BaseObject, handle), 0, NULL},
  {"_exports", T_PYSSIZET, offsetof(BaseObject, exports), READONLY, NULL},
  {NULL, 0, 0, 0, NULL},
};

static PyTypeObject BaseType = {
  PyVarObject_HEAD_INIT(NULL, 0)
  .tp_name = "wasm_mmap._native.Base",
  .tp_basicsize = sizeof(BaseObject),
  .tp_dealloc = (destructor)base_dealloc,
  .tp_as_buffer = &base_as_buffer,
  .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC,
  .tp_traverse = (traverseproc)base_traverse,
  .tp_clear = (inquiry)base_clear,
  .tp_weaklistoffset = offsetof(BaseObject, weakrefs),
  .tp_members = base_members,
  .tp_new = PyType_GenericNew,
  .tp_doc = "The buffer protocol of wasm_mmap.mmap.",
};

// setup(call_unchecked, trap_delete, error_delete): addresses in the wheel's libwasmtime.
static PyObject *mod_setup(PyObject *module, PyObject *args) {
  unsigned long long call, trap, error;
  if (!PyArg_ParseTuple(args, "KKK", &call, &trap, &error)) return NULL;
  call_unchecked = (call_unchecked_t)(uintptr_t)call;
  trap_delete = (delete_t)(uintptr_t)trap;
  error_delete = (delete_t)(uintptr_t)error;
  Py_RETURN_NONE;
}

// dup(fd): a close-on-exec duplicate (CPython's mmap dup()s the fd too).
static PyObject *mod_dup(PyObject *module, PyObject *arg) {
  int fd = _PyLong_AsInt(arg);
  if (fd == -1 && PyErr_Occurred()) return NULL;
  int got = pages_dup(fd);
  return got < 0 ? os_error(-got) : PyLong_FromLong(got);
}

// fstat(fd): (st_size, st_mode, st_rdev, access mode and O_APPEND), or OSError.
static PyObject *mod_fstat(PyObject *module, PyObject *arg) {
  int fd = _PyLong_AsInt(arg);
  if (fd == -1 && PyErr_Occurred()) return NULL;
  double out[4];
  int err = pages_fstat(fd, out);
  if (err != 0) return os_error(err);
  return Py_BuildValue("LLLi", (long long)out[0], (long long)out[1], (long long)out[2], (int)out[3]);
}

static PyMethodDef module_methods[] = {
  {"setup", mod_setup, METH_VARARGS, "setup(call_unchecked, trap_delete, error_delete)"},
  {"dup", mod_dup, METH_O, "dup(fd)"},
  {"fstat", mod_fstat, METH_O, "fstat(fd)"},
  {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module_def = {
  PyModuleDef_HEAD_INIT, "wasm_mmap._native", "The C part of wasm_mmap's host.", -1, module_methods,
};

PyMODINIT_FUNC PyInit__native(void) {
  pages_init();
  if (PyType_Ready(&ExportType) < 0 || PyType_Ready(&CoreType) < 0 || PyType_Ready(&BaseType) < 0) {
    return NULL;
  }
  PyObject *m = PyModule_Create(&module_def);
  if (m == NULL) return NULL;
  if (PyModule_AddObjectRef(m, "Core", (PyObject *)&CoreType) < 0 ||
      PyModule_AddObjectRef(m, "Export", (PyObject *)&ExportType) < 0 ||
      PyModule_AddObjectRef(m, "Base", (PyObject *)&BaseType) < 0 ||
      PyModule_AddIntConstant(m, "FAULTED", FAULTED) < 0 ||
      PyModule_AddIntConstant(m, "PAGESIZE", (long)pages_size) < 0) {
    Py_DECREF(m);
    return NULL;
  }
  return m;
}
