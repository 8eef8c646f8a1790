// The plain C half of the native helper (pages.h): mapping calls over a WebAssembly memory and
// the SIGBUS watch, shared by Node's binding (host/mmap_helper.c) and Python's extension
// (python/wasm_mmap/_native.c). Stateless but for the watch table: the hosts own the table of
// regions, check their arguments, and pass addresses inside their memory as it is now.

#define _GNU_SOURCE
#include "pages.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

uint64_t pages_size;

void pages_init(void) { pages_size = (uint64_t)sysconf(_SC_PAGESIZE); }

// A hole in a wasm memory would be a SIGSEGV on access, not a wasm trap: ranges always hold
// either the file's pages or fresh zero pages.
int pages_zero(uint8_t *addr, uint64_t length) {
  void *got = mmap(addr, length, PROT_READ | PROT_WRITE, MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS,
                   -1, 0);
  return got == MAP_FAILED ? errno : 0;
}

// `populate` adds MAP_POPULATE (a private map then copies its pages at once, as CPython's does
// with that flag, instead of following the file until first written). The caller chose shared
// or private and checked the file's size: a page wholly past the end of the file raises SIGBUS
// on first touch, which the watch turns into EFAULT. No fstat or fcntl here: they cost a third
// of this call.
int pages_map(uint8_t *addr, uint64_t length, int fd, uint64_t file_offset, bool writable,
              bool shared, bool populate) {
  int flags = (shared ? MAP_SHARED : MAP_PRIVATE) | MAP_FIXED | (populate ? MAP_POPULATE : 0);
  void *got = mmap(addr, length, PROT_READ | (writable ? PROT_WRITE : 0), flags, fd,
                   (off_t)file_offset);
  if (got != MAP_FAILED) return 0;
  int err = errno;
  // A failed MAP_FIXED may already have unmapped the range (mmap(2)); msync(MS_ASYNC) does
  // nothing but report ENOMEM for a hole, which zero pages then fill.
  if (msync(addr, length, MS_ASYNC) != 0 && errno == ENOMEM) pages_zero(addr, length);
  return err;
}

int pages_msync(uint8_t *addr, uint64_t length) {
  return msync(addr, length, MS_SYNC) != 0 ? errno : 0;
}

int pages_protect(uint8_t *addr, uint64_t length, bool writable) {
  return mprotect(addr, length, PROT_READ | (writable ? PROT_WRITE : 0)) != 0 ? errno : 0;
}

// Re-mapping the file at `to` would lose a private map's writes, as CPython's mremap never does.
int pages_move(uint8_t *from, uint8_t *to, uint64_t length, const char **syscall) {
  length = (length + pages_size - 1) / pages_size * pages_size;
  if (mremap(from, length, length, MREMAP_MAYMOVE | MREMAP_FIXED, to) == MAP_FAILED) {
    *syscall = "mremap";
    return errno;
  }
  *syscall = "mmap";
  return pages_zero(from, length);
}

int pages_madvise(uint8_t *addr, uint64_t length, int advice) {
  return madvise(addr, length, advice) != 0 ? errno : 0;
}

// Close-on-exec, so the map outlives the caller's fd (CPython dup()s too) but not an exec.
int pages_dup(int fd) {
  int got = fcntl(fd, F_DUPFD_CLOEXEC, 0);
  return got < 0 ? -errno : got;
}

// One call instead of two saves a tenth of an open. O_APPEND too: a dup shares it, and under it
// Linux's pwrite ignores the offset (the copy backing's write-back).
int pages_fstat(int fd, double out[4]) {
  struct stat st;
  if (fstat(fd, &st) != 0) return errno;
  out[0] = (double)st.st_size;
  out[1] = (double)st.st_mode;
  out[2] = (double)st.st_rdev;
  int flags = fcntl(fd, F_GETFL);
  out[3] = flags < 0 ? -1 : (double)(flags & (O_ACCMODE | O_APPEND));
  return 0;
}

// SIGBUS: a touch of a mapped page wholly past the end of its file (another process truncated
// it). CPython dies there; here the handler puts a zero page over the faulting page, so that
// the wasm instruction completes, and records the fault in the record of the watched memory it
// hit, where the host that owns that memory reads it after each call (which then reports
// EFAULT and maps the file again over every page the record names). Only addresses inside
// watched memories are taken; any other SIGBUS goes to the previous disposition, as if this
// handler were not there.
//
// Every thread may have its own memories, so the table of watched memories is shared by all
// threads and lock-free (the handler may run on any thread at any moment): a slot goes
// FREE -> BUSY (claimed with a CAS, then filled) -> LIVE (the handler reads it) -> BUSY -> FREE
// when its owner goes away. A record is never freed: it stays with its slot for the life of
// the process, so the handler can never write into freed memory.
//
// A record:
//   ┌ faults: i32 ┬ address low: i32 ┬ address high: i32 ┬ 0: i32 ┬ page bits ...        ┐
//   0             4                  8                   12        16
// page bits: bit n of byte n / 8 is set when the handler put a zero page over page n of the
// watched range (the host clears it once it has handled that page).
#define MAX_WATCHED 16384
enum { SLOT_FREE, SLOT_BUSY, SLOT_LIVE };
struct slot {
  _Atomic int state;
  _Atomic uintptr_t start, end;
  uint8_t *record; // mmap'd zero-filled, kept for good; set only while the slot is BUSY
  size_t record_size;
  void *owner;
};
static struct slot watched[MAX_WATCHED];
static _Atomic int watched_high; // slots at or past it were never used: the handler stops there
static struct sigaction previous_sigbus;
static pthread_once_t install_once = PTHREAD_ONCE_INIT;
static int install_error;

static void on_sigbus(int sig, siginfo_t *info, void *context) {
  uintptr_t address = (uintptr_t)info->si_addr;
  int high = atomic_load_explicit(&watched_high, memory_order_acquire);
  // A fault on a thread is in a memory that thread uses, whose slot stays LIVE until its owner
  // goes: no slot can change under this loop. Every slot that holds the address gets the fault:
  // a memory that was collected without its owner going keeps its slot, and a new memory may
  // now lie in its range.
  bool taken = false;
  uintptr_t page = address & ~(uintptr_t)(pages_size - 1);
  // si_code <= 0: sent by kill(2) or raise(3), not a fault of ours.
  for (int i = 0; i < high && info->si_code > 0; i++) {
    struct slot *s = &watched[i];
    if (atomic_load_explicit(&s->state, memory_order_acquire) != SLOT_LIVE) continue;
    uintptr_t start = atomic_load_explicit(&s->start, memory_order_relaxed);
    if (address < start || address >= atomic_load_explicit(&s->end, memory_order_relaxed)) continue;
    if (!taken && mmap((void *)page, pages_size, PROT_READ | PROT_WRITE,
                       MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == MAP_FAILED) {
      break;
    }
    taken = true;
    int32_t *header = (int32_t *)s->record;
    uint64_t n = (page - start) / pages_size;
    __atomic_fetch_or(s->record + PAGES_RECORD_HEADER + n / 8, (uint8_t)(1u << (n % 8)),
                      __ATOMIC_RELAXED);
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
  if (dladdr((void *)on_sigbus, &self) == 0 ||
      dlopen(self.dli_fname, RTLD_NOW | RTLD_NODELETE) == NULL) {
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

int pages_watch(uintptr_t start, uint64_t reserved, void *owner, uint8_t **record,
                size_t *record_size) {
  pthread_once(&install_once, install);
  if (install_error != 0) return install_error;
  size_t size = PAGES_RECORD_HEADER + (reserved / pages_size + 7) / 8;
  int i = 0;
  for (; i < MAX_WATCHED; i++) {
    int free_state = SLOT_FREE;
    if (atomic_compare_exchange_strong(&watched[i].state, &free_state, SLOT_BUSY)) break;
  }
  if (i == MAX_WATCHED) return ENOSPC;
  struct slot *s = &watched[i];
  if (s->record != NULL && s->record_size >= size) {
    madvise(s->record, s->record_size, MADV_DONTNEED); // private anonymous pages: zeros again
  } else {
    // The slot's old record is smaller: no handler can reach it (the slot is not LIVE), but a
    // record is never unmapped (see above), so it is left as it is.
    void *got = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (got == MAP_FAILED) {
      int err = errno;
      atomic_store(&s->state, SLOT_FREE);
      return err;
    }
    s->record = got;
    s->record_size = size;
  }
  s->owner = owner;
  atomic_store_explicit(&s->start, start, memory_order_relaxed);
  atomic_store_explicit(&s->end, start + reserved, memory_order_relaxed);
  atomic_store_explicit(&s->state, SLOT_LIVE, memory_order_release);
  int high = atomic_load(&watched_high);
  while (high < i + 1 && !atomic_compare_exchange_weak(&watched_high, &high, i + 1)) {}
  *record = s->record;
  *record_size = size;
  return 0;
}

void pages_unwatch(void *owner) {
  int high = atomic_load(&watched_high);
  for (int i = 0; i < high; i++) {
    int live = SLOT_LIVE;
    if (watched[i].owner == owner &&
        atomic_compare_exchange_strong(&watched[i].state, &live, SLOT_BUSY)) {
      watched[i].owner = NULL;
      atomic_store(&watched[i].state, SLOT_FREE);
    }
  }
}
