// The module's constants, with the values CPython 3.11's mmap module has on x86-64 Linux.

/** `access`: the map's access follows `flags` and `prot` (Python's `mmap.ACCESS_DEFAULT`). */
export const ACCESS_DEFAULT = 0;
/** `access`: read-only; writes are a TypeError (`mmap.ACCESS_READ`). */
export const ACCESS_READ = 1;
/** `access`: write-through, shared with the file (`mmap.ACCESS_WRITE`). */
export const ACCESS_WRITE = 2;
/** `access`: copy-on-write; writes never reach the file (`mmap.ACCESS_COPY`). */
export const ACCESS_COPY = 3;

/** The size of a memory page in bytes (`mmap.PAGESIZE`). */
export const PAGESIZE = 4096;
/** What a map's `offset` must be a multiple of (`mmap.ALLOCATIONGRANULARITY`). */
export const ALLOCATIONGRANULARITY = 4096;

/** `flags`: writes reach the file and every other map of it (`mmap.MAP_SHARED`). */
export const MAP_SHARED = 1;
/** `flags`: a private copy-on-write map (`mmap.MAP_PRIVATE`). */
export const MAP_PRIVATE = 2;
/** `flags`: memory not backed by the file (`mmap.MAP_ANONYMOUS`). */
export const MAP_ANONYMOUS = 32;
/** `flags`: the same as {@link MAP_ANONYMOUS} (`mmap.MAP_ANON`). */
export const MAP_ANON = MAP_ANONYMOUS;
/** `flags`: accepted and ignored, as Linux ignores it (`mmap.MAP_DENYWRITE`). */
export const MAP_DENYWRITE = 2048;
/** `flags`: accepted and ignored, as Linux ignores it (`mmap.MAP_EXECUTABLE`). */
export const MAP_EXECUTABLE = 4096;
/** `flags`: read the whole map in at once (`mmap.MAP_POPULATE`). */
export const MAP_POPULATE = 32768;
/** `flags`: a hint that the memory is a stack (`mmap.MAP_STACK`). */
export const MAP_STACK = 131072;

/** `prot`: the pages can be read (`mmap.PROT_READ`). */
export const PROT_READ = 1;
/** `prot`: the pages can be written (`mmap.PROT_WRITE`). */
export const PROT_WRITE = 2;
/** `prot`: the pages could be executed; nothing executes them here (`mmap.PROT_EXEC`). */
export const PROT_EXEC = 4;

/** `madvise`: no special treatment (`mmap.MADV_NORMAL`). */
export const MADV_NORMAL = 0;
/** `madvise`: expect random access, read ahead less (`mmap.MADV_RANDOM`). */
export const MADV_RANDOM = 1;
/** `madvise`: expect sequential access, read ahead more (`mmap.MADV_SEQUENTIAL`). */
export const MADV_SEQUENTIAL = 2;
/** `madvise`: the range will be needed soon: read it ahead (`mmap.MADV_WILLNEED`). */
export const MADV_WILLNEED = 3;
/** `madvise`: drop the pages; a private map then reads zeros or the file again (`mmap.MADV_DONTNEED`). */
export const MADV_DONTNEED = 4;
/** `madvise`: the pages may be freed when memory is short; private anonymous maps only (`mmap.MADV_FREE`). */
export const MADV_FREE = 8;
/** `madvise`: free the pages and the file's blocks behind them; shared maps only (`mmap.MADV_REMOVE`). */
export const MADV_REMOVE = 9;
/** `madvise`: a child process does not inherit the range (`mmap.MADV_DONTFORK`). */
export const MADV_DONTFORK = 10;
/** `madvise`: undoes {@link MADV_DONTFORK} (`mmap.MADV_DOFORK`). */
export const MADV_DOFORK = 11;
/** `madvise`: the kernel may merge identical pages (KSM) (`mmap.MADV_MERGEABLE`). */
export const MADV_MERGEABLE = 12;
/** `madvise`: undoes {@link MADV_MERGEABLE} (`mmap.MADV_UNMERGEABLE`). */
export const MADV_UNMERGEABLE = 13;
/** `madvise`: back the range with huge pages where possible (`mmap.MADV_HUGEPAGE`). */
export const MADV_HUGEPAGE = 14;
/** `madvise`: no huge pages for the range (`mmap.MADV_NOHUGEPAGE`). */
export const MADV_NOHUGEPAGE = 15;
/** `madvise`: leave the range out of core dumps (`mmap.MADV_DONTDUMP`). */
export const MADV_DONTDUMP = 16;
/** `madvise`: undoes {@link MADV_DONTDUMP} (`mmap.MADV_DODUMP`). */
export const MADV_DODUMP = 17;
/** `madvise`: would poison the pages; refused here with OSError EPERM (`mmap.MADV_HWPOISON`). */
export const MADV_HWPOISON = 100;

/** The names repr() shows for each stored access mode. */
export const ACCESS_NAMES = ['ACCESS_DEFAULT', 'ACCESS_READ', 'ACCESS_WRITE', 'ACCESS_COPY'];
