// wasm-mmap native helper: maps file pages straight into a WebAssembly memory's buffer.
//
// Stateless by design: the JS side owns the table of regions and decides what goes where; this
// file only checks that every range lies inside the buffer as it is *now* (the data pointer is
// re-read on every call, because memory.grow detaches old buffers) and makes the syscall.
// Node-API only, so one build serves every Node version that has Node-API 8.

#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
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
  int got = fcntl(fd, F_DUPFD_CLOEXEC, 0);
  if (got < 0) return throw_errno(env, errno, "fcntl");
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

// SIGBUS: a touch of a mapped page wholly past the end of its file (another process truncated
// it). CPython dies there; here the handler puts a zero page over the faulting page, so that
// the wasm instruction completes, and records the fault in the record of the watched memory it
// hit, where the JS side that owns that memory reads it after each call (which then reports
// EFAULT and maps the file again over every page the record names). Only addresses inside
// watched memories are taken; any other SIGBUS goes to the previous disposition, as if this
// handler were not there.
//
// Every worker thread has its own memories, so the table of watched memories is shared by all
// threads and lock-free (the handler may run on any thread at any moment): a slot goes
// FREE -> BUSY (claimed with a CAS, then filled) -> LIVE (the handler reads it) -> BUSY -> FREE
// when the env that watched it goes away. A record is never freed: it stays with its slot for the
// life of the process, so the handler can never write into freed memory.
//
// A record (the ArrayBuffer watch() returns):
//   ┌ faults: i32 ┬ address low: i32 ┬ address high: i32 ┬ 0: i32 ┬ page bits ...        ┐
//   0             4                  8                   12        16
// page bits: bit n of byte n / 8 is set when the handler put a zero page over page n of the
// watched range (the JS side clears it once it has handled that page).
#define MAX_WATCHED 16384
#define RECORD_HEADER 16
enum { SLOT_FREE, SLOT_BUSY, SLOT_LIVE };
struct slot {
  _Atomic int state;
  _Atomic uintptr_t start, end;
  uint8_t *record; // mmap'd zero-filled, kept for good; set only while the slot is BUSY
  size_t record_size;
  napi_env owner;
};
static struct slot watched[MAX_WATCHED];
static _Atomic int watched_high; // slots at or past it were never used: the handler stops there
static struct sigaction previous_sigbus;
static pthread_once_t install_once = PTHREAD_ONCE_INIT;
static int install_error;

static void on_sigbus(int sig, siginfo_t *info, void *context) {
  uintptr_t address = (uintptr_t)info->si_addr;
  int high = atomic_load_explicit(&watched_high, memory_order_acquire);
  // A fault on a thread is in that thread's own memory (cores' memories are not shared), whose
  // slot stays LIVE until the thread's env is torn down: no slot can change under this loop.
  // Every slot that holds the address gets the fault: a memory that was collected without its
  // env going keeps its slot, and a new memory may now lie in its range.
  bool taken = false;
  uintptr_t page = address & ~(uintptr_t)(page_size - 1);
  // si_code <= 0: sent by kill(2) or raise(3), not a fault of ours.
  for (int i = 0; i < high && info->si_code > 0; i++) {
    struct slot *s = &watched[i];
    if (atomic_load_explicit(&s->state, memory_order_acquire) != SLOT_LIVE) continue;
    uintptr_t start = atomic_load_explicit(&s->start, memory_order_relaxed);
    if (address < start || address >= atomic_load_explicit(&s->end, memory_order_relaxed)) continue;
    if (!taken && mmap((void *)page, page_size, PROT_READ | PROT_WRITE,
                       MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == MAP_FAILED) {
      break;
    }
    taken = true;
    int32_t *header = (int32_t *)s->record;
    uint64_t n = (page - start) / page_size;
    __atomic_fetch_or(s->record + RECORD_HEADER + n / 8, (uint8_t)(1u << (n % 8)), __ATOMIC_RELAXED);
    __atomic_store_n(&header[1], (int32_t)(uint32_t)address, __ATOMIC_RELAXED);
    __atomic_store_n(&header[2], (int32_t)(uint32_t)((uint64_t)address >> 32), __ATOMIC_RELAXED);
    __atomic_fetch_add(&header[0], 1, __ATOMIC_RELEASE);
  }
  if (taken) return;
  if (previous_sigbus.sa_flags & SA_SIGINFO) {
    previous_sigbus.sa_sigaction(sig, info, context);
  } else if (previous_sigbus.sa_handler != SIG_DFL && previous_sigbus.sa_handler != SIG_IGN) {
    previous_sigbus.sa_handler(sig);
  } else if (previous_sigbus.sa_handler == SIG_DFL || info->si_code > 0) {
    // Returning re-runs a faulting access, which then meets the default action (a fault's
    // SIGBUS cannot be ignored); a SIGBUS sent by kill(2) (si_code <= 0) re-runs nothing, so it
    // is raised again (SA_NODEFER: at once). An ignored one sent by kill(2) stays ignored.
    signal(SIGBUS, SIG_DFL);
    if (info->si_code <= 0) raise(SIGBUS);
  }
}

// Installs the handler once per process, and pins this library: Node unloads an addon when
// the worker that loaded it exits, and a handler left pointing into unloaded code would turn
// the next SIGBUS into a SIGSEGV.
static void install(void) {
  Dl_info self;
  if (dladdr((void *)on_sigbus, &self) == 0 || dlopen(self.dli_fname, RTLD_NOW | RTLD_NODELETE) == NULL) {
    install_error = ELIBACC;
    return;
  }
  struct sigaction action;
  memset(&action, 0, sizeof action);
  action.sa_sigaction = on_sigbus;
  action.sa_flags = SA_SIGINFO | SA_NODEFER;
  sigemptyset(&action.sa_mask);
  if (sigaction(SIGBUS, &action, &previous_sigbus) != 0) install_error = errno;
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
  int high = atomic_load(&watched_high);
  for (int i = 0; i < high; i++) {
    int live = SLOT_LIVE;
    if (watched[i].owner == state->env &&
        atomic_compare_exchange_strong(&watched[i].state, &live, SLOT_BUSY)) {
      watched[i].owner = NULL;
      atomic_store(&watched[i].state, SLOT_FREE);
    }
  }
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
  pthread_once(&install_once, install);
  if (install_error != 0) return throw_errno(env, install_error, "sigaction");
  size_t record_size = RECORD_HEADER + (reserved / page_size + 7) / 8;
  int i = 0;
  for (; i < MAX_WATCHED; i++) {
    int free_state = SLOT_FREE;
    if (atomic_compare_exchange_strong(&watched[i].state, &free_state, SLOT_BUSY)) break;
  }
  if (i == MAX_WATCHED) {
    range_error(env, "too many watched memories");
    return NULL;
  }
  struct slot *s = &watched[i];
  if (s->record != NULL && s->record_size >= record_size) {
    madvise(s->record, s->record_size, MADV_DONTNEED); // private anonymous pages: zeros again
  } else {
    // The slot's old record is smaller: no handler can reach it (the slot is not LIVE), but a
    // record is never unmapped (see above), so it is left as it is.
    void *record = mmap(NULL, record_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (record == MAP_FAILED) {
      int err = errno;
      atomic_store(&s->state, SLOT_FREE);
      return throw_errno(env, err, "mmap");
    }
    s->record = record;
    s->record_size = record_size;
  }
  s->owner = env;
  atomic_store_explicit(&s->start, (uintptr_t)data, memory_order_relaxed);
  atomic_store_explicit(&s->end, (uintptr_t)data + reserved, memory_order_relaxed);
  atomic_store_explicit(&s->state, SLOT_LIVE, memory_order_release);
  int high = atomic_load(&watched_high);
  while (high < i + 1 && !atomic_compare_exchange_weak(&watched_high, &high, i + 1)) {}
  // No finalizer: the memory stays with the slot, as above.
  NODE_API_CALL(env, napi_create_external_arraybuffer(env, s->record, record_size, NULL, NULL, &result));
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
  struct env_state *state = calloc(1, sizeof *state);
  if (state == NULL) {
    napi_throw_error(env, NULL, "out of memory");
    return NULL;
  }
  state->env = env;
  NODE_API_CALL(env, napi_set_instance_data(env, state, NULL, NULL));
  NODE_API_CALL(env, napi_add_env_cleanup_hook(env, env_cleanup, state));
  NODE_API_CALL(env, napi_create_double(env, (double)page_size, &size));
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
