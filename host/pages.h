// The plain C half of wasm-mmap's native helper: the mapping calls over a WebAssembly memory and
// the SIGBUS watch. No engine in sight: Node's binding (host/mmap_helper.c) and Python's
// extension (python/wasm_mmap/_native.c) both compile this file and do their own argument
// checks. Every call returns 0 (or a result >= 0) on success and an errno on failure.
#ifndef WASM_MMAP_PAGES_H
#define WASM_MMAP_PAGES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** The system's page size; set by pages_init(). */
extern uint64_t pages_size;

/** Reads the page size; call once before anything else. */
void pages_init(void);

/** Fresh zero pages over [addr, addr + length): drops a file mapping without leaving a hole. */
int pages_zero(uint8_t *addr, uint64_t length);

/**
 * mmap(MAP_FIXED) `length` bytes of `fd` from `file_offset` at `addr` (both page-aligned,
 * length > 0). On failure the range holds zero pages again, never a hole.
 */
int pages_map(uint8_t *addr, uint64_t length, int fd, uint64_t file_offset, bool writable,
              bool shared, bool populate);

/** msync(MS_SYNC); an unaligned addr is the kernel's EINVAL, as in CPython's flush(). */
int pages_msync(uint8_t *addr, uint64_t length);

/** mprotect to PROT_READ, or PROT_READ | PROT_WRITE. */
int pages_protect(uint8_t *addr, uint64_t length, bool writable);

/**
 * Moves the mapping of [from, from + length) to `to` with mremap (private pages included), then
 * puts zero pages over the old range. `*syscall` names the call that failed.
 */
int pages_move(uint8_t *from, uint8_t *to, uint64_t length, const char **syscall);

/** The real madvise. */
int pages_madvise(uint8_t *addr, uint64_t length, int advice);

/** A close-on-exec duplicate of fd (>= 0), or -errno. */
int pages_dup(int fd);

/**
 * fstat and F_GETFL at once: out[0] = st_size, out[1] = st_mode, out[2] = st_rdev,
 * out[3] = the status flags' access mode and O_APPEND (-1 if fcntl failed).
 */
int pages_fstat(int fd, double out[4]);

/**
 * Takes SIGBUS in [start, start + reserved) from now on, until pages_unwatch(owner): the
 * handler puts a zero page over a faulting page past its file's end and records it in the
 * memory's record (layout in pages.c), returned in *record. Installs the handler on the first
 * call. ENOSPC: every slot is taken.
 */
int pages_watch(uintptr_t start, uint64_t reserved, void *owner, uint8_t **record,
                size_t *record_size);

/** Gives back every slot `owner` watched (its memories are going away). */
void pages_unwatch(void *owner);

/** A record: the count of faults absorbed (i32), the last address (two i32), 0, then page bits. */
#define PAGES_RECORD_HEADER 16

#endif
