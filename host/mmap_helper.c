// wasm-mmap native helper for Node: maps file pages straight into a WebAssembly memory's buffer.
// This file is the Node-API binding only; the syscalls and the SIGBUS watch are host/pages.c,
// which the Python host compiles too.
//
// Stateless by design: the JS side owns the table of regions and decides what goes where; this
// file only checks that every range lies inside the buffer as it is *now* (the data pointer is
// re-read on every call, because memory.grow detaches old buffers) and makes the syscall.
// Node-API only, so one build serves every Node version that has Node-API 8.

#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pages.h"
#include <node_api.h>

// Node's test/js-native-api/common.h: throw the last Node-API error unless one is pending.
static void throw_last_error(napi_env env) {
  const napi_extended_error_info *info = NULL;
  bool pending = false;
  napi_get_last_error_info(env, &info);
  napi_is_exception_pending(env, &pending);
  if (!pending) {
    const char *message = info != NULL && info->error_message != NULL
        ? info->error_message : "Node-API call failed";
    napi_throw_error(env, NULL, message);
  }
}

#define NODE_API_CALL_BASE(env, the_call, ret_val) \
  do {                                             \
    if ((the_call) != napi_ok) {                   \
      throw_last_error(env);                       \
      return ret_val;                              \
    }                                              \
  } while (0)

#define NODE_API_CALL(env, the_call) NODE_API_CALL_BASE(env, the_call, NULL)
#define NODE_API_CHECK(env, the_call) NODE_API_CALL_BASE(env, the_call, false)

// The names Node gives these errnos (os.constants.errno), for the syscalls made here.
static const char *errno_code(int err) {
  switch (err) {
#define CODE(name) case name: return #name;
    CODE(EACCES) CODE(EAGAIN) CODE(EBADF) CODE(EBUSY) CODE(EEXIST) CODE(EFAULT) CODE(EINVAL)
    CODE(EIO) CODE(EMFILE) CODE(ENFILE) CODE(ENODEV) CODE(ENOMEM) CODE(ENOSYS) CODE(ENOTSUP)
    CODE(ENXIO) CODE(EOVERFLOW) CODE(EPERM) CODE(ETXTBSY)
#undef CODE
    default: return "UNKNOWN";
  }
}

// Throws Error('[Errno N] strerror') with errno, code and syscall, as Node's fs errors carry.
static napi_value throw_errno(napi_env env, int err, const char *syscall) {
  char text[160];
  napi_value message, error, value;
  snprintf(text, sizeof text, "[Errno %d] %s", err, strerror(err));
  NODE_API_CALL(env, napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &message));
  NODE_API_CALL(env, napi_create_error(env, NULL, message, &error));
  NODE_API_CALL(env, napi_create_int32(env, err, &value));
  NODE_API_CALL(env, napi_set_named_property(env, error, "errno", value));
  NODE_API_CALL(env, napi_create_string_utf8(env, errno_code(err), NAPI_AUTO_LENGTH, &value));
  NODE_API_CALL(env, napi_set_named_property(env, error, "code", value));
  NODE_API_CALL(env, napi_create_string_utf8(env, syscall, NAPI_AUTO_LENGTH, &value));
  NODE_API_CALL(env, napi_set_named_property(env, error, "syscall", value));
  NODE_API_CALL(env, napi_throw(env, error));
  return NULL;
}

static bool type_error(napi_env env, const char *message) {
  napi_throw_type_error(env, NULL, message);
  return false;
}

static bool range_error(napi_env env, const char *message) {
  napi_throw_range_error(env, NULL, message);
  return false;
}

// An integer number in [min, max] (JS numbers are doubles; anything else is a caller's bug).
static bool get_integer(napi_env env, napi_value value, const char *message, double min,
                        double max, double *out) {
  napi_valuetype type;
  NODE_API_CHECK(env, napi_typeof(env, value, &type));
  if (type != napi_number) return type_error(env, message);
  NODE_API_CHECK(env, napi_get_value_double(env, value, out));
  if (!(*out >= min && *out <= max) || (double)(int64_t)*out != *out) {
    return range_error(env, message);
  }
  return true;
}

// A non-negative safe integer: an offset or a length.
static bool get_count(napi_env env, napi_value value, const char *message, uint64_t *out) {
  double number;
  if (!get_integer(env, value, message, 0, 9007199254740991.0, &number)) return false;
  *out = (uint64_t)number;
  return true;
}

// Any int: a negative fd is the kernel's EBADF, as CPython's mmap(-2, ...) reports it.
static bool get_fd(napi_env env, napi_value value, int *out) {
  double fd;
  if (!get_integer(env, value, "fd must be an integer", INT_MIN, INT_MAX, &fd)) return false;
  *out = (int)fd;
  return true;
}

static bool get_bool(napi_env env, napi_value value, const char *message, bool *out) {
  napi_valuetype type;
  NODE_API_CHECK(env, napi_typeof(env, value, &type));
  if (type != napi_boolean) return type_error(env, message);
  NODE_API_CHECK(env, napi_get_value_bool(env, value, out));
  return true;
}

// The bytes behind an ArrayBuffer, or behind a Uint8Array (Node 20's Node-API refuses a
// SharedArrayBuffer itself but takes a view of it). A detached buffer has no data: refuse it.
static bool get_view(napi_env env, napi_value value, uint8_t **data, uint64_t *length) {
  bool is_buffer, is_view;
  size_t size = 0;
  void *pointer = NULL;
  NODE_API_CHECK(env, napi_is_arraybuffer(env, value, &is_buffer));
  if (is_buffer) {
    NODE_API_CHECK(env, napi_get_arraybuffer_info(env, value, &pointer, &size));
  } else {
    napi_typedarray_type type;
    NODE_API_CHECK(env, napi_is_typedarray(env, value, &is_view));
    if (is_view) {
      NODE_API_CHECK(env, napi_get_typedarray_info(env, value, &type, &size, &pointer, NULL, NULL));
    }
    if (!is_view || type != napi_uint8_array) {
      return type_error(env, "buffer must be an ArrayBuffer or a Uint8Array");
    }
  }
  if (pointer == NULL || size == 0) return type_error(env, "buffer is detached or empty");
  *data = pointer;
  *length = size;
  return true;
}

// Reads the call's first argc arguments into argv, of which (buffer, offset, length) come first,
// and checks that [offset, offset + length) lies in the buffer. The buffer must start and end on
// page boundaries (a wasm memory's always does), so the kernel rounding the length up to whole
// pages never reaches past it.
static bool get_range(napi_env env, napi_callback_info info, size_t argc, napi_value *argv,
                      bool page_offset, uint8_t **addr, uint64_t *length) {
  uint8_t *data;
  uint64_t size, offset;
  NODE_API_CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (!get_view(env, argv[0], &data, &size)) return false;
  if ((uintptr_t)data % pages_size != 0 || size % pages_size != 0) {
    return range_error(env, "buffer must start and end on a page boundary");
  }
  if (!get_count(env, argv[1], "offset must be a non-negative integer", &offset)) return false;
  if (!get_count(env, argv[2], "length must be a non-negative integer", length)) return false;
  if (page_offset && offset % pages_size != 0) {
    return range_error(env, "offset must be a multiple of the page size");
  }
  if (offset > size || size - offset < *length) {
    return range_error(env, "range reaches beyond the end of the buffer");
  }
  *addr = data + offset;
  return true;
}

// map(buffer, offset, length, fd, fileOffset, writable, shared, populate?): mmap MAP_FIXED into
// the buffer; `populate` adds MAP_POPULATE (a private map then copies its pages at once, as
// CPython's does with that flag, instead of following the file until first written).
static napi_value do_map(napi_env env, napi_callback_info info) {
  napi_value argv[8];
  uint8_t *addr;
  uint64_t length, file_offset;
  int fd;
  bool writable, shared, populate = false;
  napi_valuetype populate_type;
  if (!get_range(env, info, 8, argv, true, &addr, &length)) return NULL;
  if (length == 0) { range_error(env, "length must be positive"); return NULL; }
  if (!get_fd(env, argv[3], &fd)) return NULL;
  if (!get_count(env, argv[4], "fileOffset must be a non-negative integer", &file_offset)) {
    return NULL;
  }
  if (file_offset % pages_size != 0) {
    range_error(env, "fileOffset must be a multiple of the page size");
    return NULL;
  }
  if (!get_bool(env, argv[5], "writable must be a boolean", &writable)) return NULL;
  if (!get_bool(env, argv[6], "shared must be a boolean", &shared)) return NULL;
  NODE_API_CALL(env, napi_typeof(env, argv[7], &populate_type));
  if (populate_type != napi_undefined &&
      !get_bool(env, argv[7], "populate must be a boolean", &populate)) {
    return NULL;
  }
  int err = pages_map(addr, length, fd, file_offset, writable, shared, populate);
  return err != 0 ? throw_errno(env, err, "mmap") : NULL;
}

// unmap(buffer, offset, length): zero pages back over the range; the file keeps its bytes.
static napi_value do_unmap(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  uint8_t *addr;
  uint64_t length;
  if (!get_range(env, info, 3, argv, true, &addr, &length)) return NULL;
  if (length == 0) { range_error(env, "length must be positive"); return NULL; }
  int err = pages_zero(addr, length);
  return err != 0 ? throw_errno(env, err, "mmap") : NULL;
}

// msync(buffer, offset, length): MS_SYNC. An unaligned offset is the kernel's EINVAL, as in
// CPython's flush().
static napi_value do_msync(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  uint8_t *addr;
  uint64_t length;
  if (!get_range(env, info, 3, argv, false, &addr, &length)) return NULL;
  int err = pages_msync(addr, length);
  return err != 0 ? throw_errno(env, err, "msync") : NULL;
}

// protect(buffer, offset, length, writable): mprotect. Every memory.grow (from JS or from wasm)
// leaves the whole memory read-write, read-only mappings included; this puts PROT_READ back.
static napi_value do_protect(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  uint8_t *addr;
  uint64_t length;
  bool writable;
  if (!get_range(env, info, 4, argv, true, &addr, &length)) return NULL;
  if (length == 0) { range_error(env, "length must be positive"); return NULL; }
  if (!get_bool(env, argv[3], "writable must be a boolean", &writable)) return NULL;
  int err = pages_protect(addr, length, writable);
  return err != 0 ? throw_errno(env, err, "mprotect") : NULL;
}

// move(buffer, offset, length, toOffset): moves the mapping of [offset, offset + length) to
// toOffset with mremap, private pages included (re-mapping the file there would lose a private
// map's writes, as CPython's mremap never does), then puts zero pages over the old range.
static napi_value do_move(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  uint8_t *from, *to;
  uint64_t length, to_offset, size;
  if (!get_range(env, info, 4, argv, true, &from, &length)) return NULL;
  if (length == 0) { range_error(env, "length must be positive"); return NULL; }
  if (!get_count(env, argv[3], "toOffset must be a non-negative integer", &to_offset)) return NULL;
  uint8_t *data;
  if (!get_view(env, argv[0], &data, &size)) return NULL;
  if (to_offset % pages_size != 0 || to_offset > size || size - to_offset < length) {
    range_error(env, "toOffset must be page-aligned and its range inside the buffer");
    return NULL;
  }
  to = data + to_offset;
  if ((from < to ? to - from : from - to) < length) {
    range_error(env, "the ranges must not overlap");
    return NULL;
  }
  const char *syscall = NULL;
  int err = pages_move(from, to, length, &syscall);
  return err != 0 ? throw_errno(env, err, syscall) : NULL;
}

// madvise(buffer, offset, length, advice): the real madvise; alignment is the kernel's EINVAL.
static napi_value do_madvise(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  uint8_t *addr;
  uint64_t length, advice;
  if (!get_range(env, info, 4, argv, false, &addr, &length)) return NULL;
  if (!get_count(env, argv[3], "advice must be a non-negative integer", &advice)) return NULL;
  if (advice > INT_MAX) { range_error(env, "advice must be a non-negative integer"); return NULL; }
  int err = pages_madvise(addr, length, (int)advice);
  return err != 0 ? throw_errno(env, err, "madvise") : NULL;
}

struct env_state;
static struct env_state *state_of(napi_env env);
static bool own_fd(struct env_state *state, int fd, bool owned);

// dup(fd): a close-on-exec duplicate, so the map outlives the caller's fd (CPython dup()s too).
static napi_value do_dup(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], result;
  int fd;
  NODE_API_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (!get_fd(env, argv[0], &fd)) return NULL;
  int got = pages_dup(fd);
  if (got < 0) return throw_errno(env, -got, "fcntl");
  if (!own_fd(state_of(env), got, true)) {
    close(got);
    return throw_errno(env, ENOMEM, "fcntl");
  }
  NODE_API_CALL(env, napi_create_int32(env, got, &result));
  return result;
}

// close(fd): closes an fd that dup() made. Through here, not fs.closeSync: in a worker Node
// warns of every fd it did not open itself, and the env then no longer has to close it.
static napi_value do_close(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  int fd;
  NODE_API_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (!get_fd(env, argv[0], &fd)) return NULL;
  if (fd >= 0) own_fd(state_of(env), fd, false);
  if (close(fd) != 0) return throw_errno(env, errno, "close");
  return NULL;
}

// What one env (the main thread, or a worker) owns here: the fds dup() made for its maps, so
// that they are closed when the env goes (a worker that exits with maps open leaks none).
struct env_state {
  napi_env env;
  uint8_t *fds; // fds[fd] != 0: the env owns fd
  int fd_capacity;
};

static struct env_state *state_of(napi_env env) {
  void *data = NULL;
  napi_get_instance_data(env, &data);
  return data;
}

// The env is going away (a worker exits, or the process does): its memories are still there,
// they go after this. Give back their slots, then close the fds its maps still held.
static void env_cleanup(void *arg) {
  struct env_state *state = arg;
  pages_unwatch(state->env);
  for (int fd = 0; fd < state->fd_capacity; fd++) {
    if (state->fds[fd]) close(fd);
  }
  free(state->fds);
  free(state);
}

// Marks fd as owned (or not) by the env.
static bool own_fd(struct env_state *state, int fd, bool owned) {
  if (fd >= state->fd_capacity) {
    if (!owned) return true;
    int capacity = fd < 64 ? 128 : fd * 2;
    uint8_t *grown = realloc(state->fds, (size_t)capacity);
    if (grown == NULL) return false;
    memset(grown + state->fd_capacity, 0, (size_t)(capacity - state->fd_capacity));
    state->fds = grown;
    state->fd_capacity = capacity;
  }
  state->fds[fd] = owned;
  return true;
}

// watch(buffer, reserved): takes SIGBUS in [data, data + reserved) from now on (a wasm memory's
// whole reservation) until the calling env goes away; returns the memory's fault record (see
// above), an ArrayBuffer over memory this library owns. The handler is installed on the first call.
static napi_value do_watch(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2], result;
  uint8_t *data;
  uint64_t size, reserved;
  NODE_API_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (!get_view(env, argv[0], &data, &size)) return NULL;
  if (!get_count(env, argv[1], "reserved must be a non-negative integer", &reserved)) return NULL;
  if (reserved > ((uint64_t)1 << 40)) {
    range_error(env, "reserved must be at most 1 TiB");
    return NULL;
  }
  uint8_t *record;
  size_t record_size;
  int err = pages_watch((uintptr_t)data, reserved, env, &record, &record_size);
  if (err == ENOSPC) {
    range_error(env, "too many watched memories");
    return NULL;
  }
  if (err != 0) return throw_errno(env, err, err == ELIBACC ? "sigaction" : "mmap");
  // No finalizer: a record stays with its slot for good (host/pages.c).
  NODE_API_CALL(env, napi_create_external_arraybuffer(env, record, record_size, NULL, NULL, &result));
  return result;
}

// fstat(fd, out): out[0] = st_size, out[1] = st_mode, out[2] = st_rdev, out[3] = the access
// mode (F_GETFL & O_ACCMODE), into a caller's Float64Array (reused: cheaper than Node's
// fs.fstatSync, whose Stats object costs a microsecond a map).
static napi_value do_fstat(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_typedarray_type type;
  size_t count;
  void *data;
  int fd;
  NODE_API_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (!get_fd(env, argv[0], &fd)) return NULL;
  bool is_view;
  NODE_API_CALL(env, napi_is_typedarray(env, argv[1], &is_view));
  if (is_view) NODE_API_CALL(env, napi_get_typedarray_info(env, argv[1], &type, &count, &data, NULL, NULL));
  if (!is_view || type != napi_float64_array || count < 4) {
    type_error(env, "out must be a Float64Array of 4");
    return NULL;
  }
  int err = pages_fstat(fd, data);
  return err != 0 ? throw_errno(env, err, "fstat") : NULL;
}

// address(buffer): the data pointer, so the JS side can place regions 2 MiB-aligned in the
// address space (huge-page friendly) although the memory's base is only 64 KiB-aligned.
static napi_value do_address(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], result;
  uint8_t *data;
  uint64_t size;
  NODE_API_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (!get_view(env, argv[0], &data, &size)) return NULL;
  // User-space addresses are below 2^57, well inside a double's exact integers.
  NODE_API_CALL(env, napi_create_double(env, (double)(uintptr_t)data, &result));
  return result;
}

NAPI_MODULE_INIT() {
  napi_value size;
  pages_init();
  struct env_state *state = calloc(1, sizeof *state);
  if (state == NULL) {
    napi_throw_error(env, NULL, "out of memory");
    return NULL;
  }
  state->env = env;
  NODE_API_CALL(env, napi_set_instance_data(env, state, NULL, NULL));
  NODE_API_CALL(env, napi_add_env_cleanup_hook(env, env_cleanup, state));
  NODE_API_CALL(env, napi_create_double(env, (double)pages_size, &size));
  napi_property_descriptor properties[] = {
    {"map", NULL, do_map, NULL, NULL, NULL, napi_enumerable, NULL},
    {"unmap", NULL, do_unmap, NULL, NULL, NULL, napi_enumerable, NULL},
    {"msync", NULL, do_msync, NULL, NULL, NULL, napi_enumerable, NULL},
    {"protect", NULL, do_protect, NULL, NULL, NULL, napi_enumerable, NULL},
    {"madvise", NULL, do_madvise, NULL, NULL, NULL, napi_enumerable, NULL},
    {"move", NULL, do_move, NULL, NULL, NULL, napi_enumerable, NULL},
    {"dup", NULL, do_dup, NULL, NULL, NULL, napi_enumerable, NULL},
    {"close", NULL, do_close, NULL, NULL, NULL, napi_enumerable, NULL},
    {"address", NULL, do_address, NULL, NULL, NULL, napi_enumerable, NULL},
    {"watch", NULL, do_watch, NULL, NULL, NULL, napi_enumerable, NULL},
    {"fstat", NULL, do_fstat, NULL, NULL, NULL, napi_enumerable, NULL},
    {"pageSize", NULL, NULL, NULL, NULL, size, napi_enumerable, NULL},
  };
  NODE_API_CALL(env, napi_define_properties(env, exports,
                                            sizeof properties / sizeof *properties, properties));
  return exports;
}
