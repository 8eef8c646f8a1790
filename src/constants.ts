// The module's constants, with the values CPython 3.11's mmap module has on x86-64 Linux.

export const ACCESS_DEFAULT = 0;
export const ACCESS_READ = 1;
export const ACCESS_WRITE = 2;
export const ACCESS_COPY = 3;

export const PAGESIZE = 4096;
export const ALLOCATIONGRANULARITY = 4096;

export const MAP_SHARED = 1;
export const MAP_PRIVATE = 2;
export const MAP_ANONYMOUS = 32;
export const MAP_ANON = MAP_ANONYMOUS;
export const MAP_DENYWRITE = 2048;
export const MAP_EXECUTABLE = 4096;
export const MAP_POPULATE = 32768;
export const MAP_STACK = 131072;

export const PROT_READ = 1;
export const PROT_WRITE = 2;
export const PROT_EXEC = 4;

export const MADV_NORMAL = 0;
export const MADV_RANDOM = 1;
export const MADV_SEQUENTIAL = 2;
export const MADV_WILLNEED = 3;
export const MADV_DONTNEED = 4;
export const MADV_FREE = 8;
export const MADV_REMOVE = 9;
export const MADV_DONTFORK = 10;
export const MADV_DOFORK = 11;
export const MADV_MERGEABLE = 12;
export const MADV_UNMERGEABLE = 13;
export const MADV_HUGEPAGE = 14;
export const MADV_NOHUGEPAGE = 15;
export const MADV_DONTDUMP = 16;
export const MADV_DODUMP = 17;
export const MADV_HWPOISON = 100;

/** The names repr() shows for each stored access mode. */
export const ACCESS_NAMES = ['ACCESS_DEFAULT', 'ACCESS_READ', 'ACCESS_WRITE', 'ACCESS_COPY'];
