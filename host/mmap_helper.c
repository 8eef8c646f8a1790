// wasm-mmap native helper: maps file pages straight into a WebAssembly memory's buffer.
//
// Stateless by design: the JS side owns the table of regions and decides what goes where; this
// file only checks that every range lies inside the buffer as it is *now* (the data pointer is
// re-read on every call, because memory.grow detaches old buffers) and makes the syscall.
// Node-API only, so one build serves every Node version that has Node-API 8.

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

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

static uint64_t page_size;

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
  if ((uintptr_t)data % page_size != 0 || size % page_size != 0) {
    return range_error(env, "buffer must start and end on a page boundary");
  }
  if (!get_count(env, argv[1], "offset must be a non-negative integer", &offset)) return false;
  if (!get_count(env, argv[2], "length must be a non-negative integer", length)) return false;
  if (page_offset && offset % page_size != 0) {
    return range_error(env, "offset must be a multiple of the page size");
  }
  if (offset > size || size - offset < *length) {
    return range_error(env, "range reaches beyond the end of the buffer");
  }
  *addr = data + offset;
  return true;
}

// Fresh zero pages over [addr, addr + length): the way to drop a file mapping without leaving a
// hole (an access to a hole would be a SIGSEGV, not a wasm trap).
static int put_zero_pages(uint8_t *addr, uint64_t length) {
  void *got = mmap(addr, length, PROT_READ | PROT_WRITE, MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS,
                   -1, 0);
  return got == MAP_FAILED ? errno : 0;
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
  if (file_offset % page_size != 0) {
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
  // The caller chose shared or private and checked the file's size: a page wholly past the end
  // of the file raises SIGBUS on first touch, which watch() turns into EFAULT. No fstat or
  // fcntl here: they cost a third of this call.
  int flags = (shared ? MAP_SHARED : MAP_PRIVATE) | MAP_FIXED | (populate ? MAP_POPULATE : 0);
  void *got = mmap(addr, length, PROT_READ | (writable ? PROT_WRITE : 0), flags, fd,
                   (off_t)file_offset);
  if (got == MAP_FAILED) {
    int err = errno;
    // A failed MAP_FIXED may already have unmapped the range (mmap(2)); msync(MS_ASYNC) does
    // nothing but report ENOMEM for a hole, which zero pages then fill.
    if (msync(addr, length, MS_ASYNC) != 0 && errno == ENOMEM) put_zero_pages(addr, length);
    return throw_errno(env, err, "mmap");
  }
  return NULL;
}

// unmap(buffer, offset, length): zero pages back over the range; the file keeps its bytes.
static napi_value do_unmap(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  uint8_t *addr;
  uint64_t length;
  if (!get_range(env, info, 3, argv, true, &addr, &length)) return NULL;
  if (length == 0) { range_error(env, "length must be positive"); return NULL; }
  int err = put_zero_pages(addr, length);
  return err != 0 ? throw_errno(env, err, "mmap") : NULL;
}

// msync(buffer, offset, length): MS_SYNC. An unaligned offset is the kernel's EINVAL, as in
// CPython's flush().
static napi_value do_msync(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  uint8_t *addr;
  uint64_t length;
  if (!get_range(env, info, 3, argv, false, &addr, &length)) return NULL;
  if (msync(addr, length, MS_SYNC) != 0) return throw_errno(env, errno, "msync");
  return NULL;
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
  if (mprotect(addr, length, PROT_READ | (writable ? PROT_WRITE : 0)) != 0) {
    return throw_errno(env, errno, "mprotect");
  }
  return NULL;
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
  if (to_offset % page_size != 0 || to_offset > size || size - to_offset < length) {
    range_error(env, "toOffset must be page-aligned and its range inside the buffer");
    return NULL;
  }
  to = data + to_offset;
  if ((from < to ? to - from : from - to) < length) {
    range_error(env, "the ranges must not overlap");
    return NULL;
  }
  length = (length + page_size - 1) / page_size * page_size;
  if (mremap(from, length, length, MREMAP_MAYMOVE | MREMAP_FIXED, to) == MAP_FAILED) {
    return throw_errno(env, errno, "mremap");
  }
  int err = put_zero_pages(from, length);
  return err != 0 ? throw_errno(env, err, "mmap") : NULL;
}

// madvise(buffer, offset, length, advice): the real madvise; alignment is the kernel's EINVAL.
static napi_value do_madvise(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  uint8_t *addr;
  uint64_t length, advice;
  if (!get_range(env, info, 4, argv, false, &addr, &length)) return NULL;
  if (!get_count(env, argv[3], "advice must be a non-negative integer", &advice)) return NULL;
  if (advice > INT_MAX) { range_error(env, "advice must be a non-negative integer"); return NULL; }
  if (madvise(addr, length, (int)advice) != 0) return throw_errno(env, errno, "madvise");
  return NULL;
}

// dup(fd): a close-on-exec duplicate, so the map outlives the caller's fd (CPython dup()s too).
static napi_value do_dup(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], result;
  int fd;
  NODE_API_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (!get_fd(env, argv[0], &fd)) return NULL;
  int got = fcntl(fd, F_DUPFD_CLOEXEC, 0);
  if (got < 0) return throw_errno(env, errno, "fcntl");
  NODE_API_CALL(env, napi_create_int32(env, got, &result));
  return result;
}

// SIGBUS: a touch of a mapped page wholly past the end of its file (another process truncated
// it). CPython dies there; here the handler puts a zero page over the faulting page, so that
// the wasm instruction completes, and counts the fault where the JS side reads it after each
// call (which then reports EFAULT). Only addresses inside watched memories are taken; any
// other SIGBUS goes to the previous disposition, as if this handler were not there.
#define MAX_WATCHED 16384
static struct { uintptr_t start, end; } watched[MAX_WATCHED];
static volatile sig_atomic_t watched_count;
static volatile int32_t *fault_record; // [faults, address low 32 bits, address high 32 bits]
static struct sigaction previous_sigbus;

static void on_sigbus(int sig, siginfo_t *info, void *context) {
  uintptr_t address = (uintptr_t)info->si_addr;
  for (sig_atomic_t i = 0; i < watched_count; i++) {
    if (address >= watched[i].start && address < watched[i].end) {
      void *page = (void *)(address & ~(uintptr_t)(page_size - 1));
      if (mmap(page, page_size, PROT_READ | PROT_WRITE, MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS,
               -1, 0) == MAP_FAILED) {
        break;
      }
      fault_record[1] = (int32_t)(uint32_t)address;
      fault_record[2] = (int32_t)(uint32_t)((uint64_t)address >> 32);
      fault_record[0]++;
      return;
    }
  }
  if (previous_sigbus.sa_flags & SA_SIGINFO) {
    previous_sigbus.sa_sigaction(sig, info, context);
  } else if (previous_sigbus.sa_handler != SIG_DFL && previous_sigbus.sa_handler != SIG_IGN) {
    previous_sigbus.sa_handler(sig);
  } else {
    // Returning re-runs the faulting access, which now meets the default action.
    signal(SIGBUS, SIG_DFL);
  }
}

// watch(buffer, reserved, record): takes SIGBUS in [data, data + reserved) from now on (a wasm
// memory's whole reservation), counting faults in `record`, an Int32Array of 3 that the caller
// keeps alive for the life of the process. The handler is installed on the first call.
static napi_value do_watch(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  uint8_t *data, *record;
  uint64_t size, record_size, reserved;
  NODE_API_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (!get_view(env, argv[0], &data, &size)) return NULL;
  if (!get_count(env, argv[1], "reserved must be a non-negative integer", &reserved)) return NULL;
  if (!get_view(env, argv[2], &record, &record_size)) return NULL;
  if (record_size < 3 * sizeof(int32_t) || (uintptr_t)record % sizeof(int32_t) != 0) {
    range_error(env, "record must hold 3 aligned int32 values");
    return NULL;
  }
  if (watched_count == MAX_WATCHED) {
    range_error(env, "too many watched memories");
    return NULL;
  }
  if (fault_record == NULL) {
    fault_record = (volatile int32_t *)record;
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_sigaction = on_sigbus;
    action.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigemptyset(&action.sa_mask);
    if (sigaction(SIGBUS, &action, &previous_sigbus) != 0) return throw_errno(env, errno, "sigaction");
  }
  watched[watched_count].start = (uintptr_t)data;
  watched[watched_count].end = (uintptr_t)data + reserved;
  watched_count++;
  return NULL;
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
  struct stat st;
  NODE_API_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (!get_fd(env, argv[0], &fd)) return NULL;
  bool is_view;
  NODE_API_CALL(env, napi_is_typedarray(env, argv[1], &is_view));
  if (is_view) NODE_API_CALL(env, napi_get_typedarray_info(env, argv[1], &type, &count, &data, NULL, NULL));
  if (!is_view || type != napi_float64_array || count < 4) {
    type_error(env, "out must be a Float64Array of 4");
    return NULL;
  }
  if (fstat(fd, &st) != 0) return throw_errno(env, errno, "fstat");
  double *out = data;
  out[0] = (double)st.st_size;
  out[1] = (double)st.st_mode;
  out[2] = (double)st.st_rdev;
  // The access mode too: one call instead of two saves a tenth of an open. And O_APPEND: a
  // dup shares it, and under it Linux's pwrite ignores the offset (the copy backing's write-back).
  int flags = fcntl(fd, F_GETFL);
  out[3] = flags < 0 ? -1 : (double)(flags & (O_ACCMODE | O_APPEND));
  return NULL;
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
  page_size = (uint64_t)sysconf(_SC_PAGESIZE);
  NODE_API_CALL(env, napi_create_double(env, (double)page_size, &size));
  napi_property_descriptor properties[] = {
    {"map", NULL, do_map, NULL, NULL, NULL, napi_enumerable, NULL},
    {"unmap", NULL, do_unmap, NULL, NULL, NULL, napi_enumerable, NULL},
    {"msync", NULL, do_msync, NULL, NULL, NULL, napi_enumerable, NULL},
    {"protect", NULL, do_protect, NULL, NULL, NULL, napi_enumerable, NULL},
    {"madvise", NULL, do_madvise, NULL, NULL, NULL, napi_enumerable, NULL},
    {"move", NULL, do_move, NULL, NULL, NULL, napi_enumerable, NULL},
    {"dup", NULL, do_dup, NULL, NULL, NULL, napi_enumerable, NULL},
    {"address", NULL, do_address, NULL, NULL, NULL, napi_enumerable, NULL},
    {"watch", NULL, do_watch, NULL, NULL, NULL, napi_enumerable, NULL},
    {"fstat", NULL, do_fstat, NULL, NULL, NULL, napi_enumerable, NULL},
    {"pageSize", NULL, NULL, NULL, NULL, size, napi_enumerable, NULL},
  };
  NODE_API_CALL(env, napi_define_properties(env, exports,
                                            sizeof properties / sizeof *properties, properties));
  return exports;
}
