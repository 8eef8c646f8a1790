# Where a map's bytes come from and go to, as in the Node host (src/backing.ts): the core does
# the semantics over its region; a backing fills the region, publishes it to the file, follows
# resize() and madvise() on the file's side, and releases the region when the map closes.
#   anonymous: zero pages of the core's memory, nothing else.
#   copy:      the file's bytes are read into the region; flush()/close() write a shared writable
#              map's bytes back (pwrite), never past the file's current end; flush() then
#              fdatasync()s, as durable as CPython's msync(MS_SYNC).
#   native:    the file's pages mapped over the region (MAP_FIXED), so the core works on the
#              page cache itself; flush() is msync, madvise() is the real one.
# Wasmtime, unlike V8, leaves page protections alone when the memory grows: no re-protection.
import os

from ._abi import ADVICE_RELOAD, ADVICE_ZEROED, EINVAL, check, os_error
from ._native import PAGESIZE

HUGE_PAGE = 2 << 20
MADV_HUGEPAGE = 14
CHUNK = 1 << 30


def page_ceil(n):
    return -(-n // PAGESIZE) * PAGESIZE


class Backing:
    """One open map: the core that holds it, its handle, and the file behind it if any."""
    name = ""
    def __init__(self, core, handle, fd, offset, shared, writable, fd_writable, populate):
        self.core = core
        self.handle = handle
        self.fd = fd
        self.offset = offset
        self.shared = shared
        self.writable = writable
        self.fd_writable = fd_writable
        self.populate = populate

    def data(self):
        """The region's address (re-read: resize may move it); out(0) is then its capacity."""
        return self.core.map_data(self.handle)

    def refresh(self):
        """After the core answered EFAULT: whether pages past the file's end are back and mapped."""
        return False

    def absorb_fault(self, undo_pos):
        """A call touched a page past its file's end (the handler put zeros there): takes it
        as a hole the core is kept off, and undoes the cursor if the call moved it."""
        self.core.n.acknowledge()

    def resize_to_zero(self):
        """resize(0): Linux's mremap refuses it (EINVAL) after CPython truncated the file to `offset`."""
        if self.fd != -1:
            os.ftruncate(self.fd, self.offset)
            self.file_lost()
        raise os_error(EINVAL)

    def file_lost(self):
        """resize(0) truncated the file to where the map starts: its bytes are gone with the file's pages."""
        self.core.map_set_limit(self.handle, 0)
        self.core.map_take_dirty(self.handle)

    def truncate_file(self, new_size):
        """ftruncate to the map's new end (CPython's resize does it first); a failure gives back the spare region."""
        try:
            os.ftruncate(self.fd, self.offset + new_size)
        except BaseException:
            self.core.resize_abort(self.handle)
            raise

    def close_fd(self):
        if self.fd != -1:
            os.close(self.fd)

    def zero_region(self):
        """Fresh zero pages over a big region (cheaper than filling it, and the memory goes back)."""
        data = self.data()
        capacity = self.core.out(0)
        if capacity < 1 << 16:
            return False
        self.core.n.unmap(data, capacity)
        return True


class AnonymousBacking(Backing):
    name = "anonymous"
    # A shared anonymous map keeps the pages a shrink unmapped (Linux's shmem object): the core
    # holds them in its region.

    def attach(self, length):
        pass

    def publish(self, offset, size):
        pass

    def advise(self, option, start, length, effect):
        pass

    def resize(self, new_size, spare):
        # MAP_ANONYMOUS with a file's fd: CPython truncates the file all the same.
        if self.fd != -1:
            self.truncate_file(new_size)
        check(self.core.resize_commit(self.handle, new_size))

    def file_lost(self):
        pass  # the memory is not the file's: it stays as it is

    def detach(self):
        self.close_fd()
        return self.zero_region()


class CopyBacking(Backing):
    name = "copy"

    def attach(self, length):
        # Huge pages make the first touch of a big region 3× cheaper; big regions are 2 MiB-aligned.
        if length >= HUGE_PAGE:
            try:
                self.core.n.madvise(self.data(), self.core.out(0), MADV_HUGEPAGE)
            except OSError:
                pass  # advice only: a kernel without transparent huge pages says EINVAL
        # The whole last page, as a mapping holds it: a private map shows those bytes if it grows.
        self.read_file(0, page_ceil(length))

    def follow_file(self, start, end):
        """Shows the file as it is now, zeros past its end, in the pages of [start, end) that the core
        says follow it (map_follow: a private map keeps the pages it owns)."""
        run = self.core.map_follow(self.handle, start, end)
        while run >= 0:
            stop = min(self.core.out(0), end)
            read = self.read_file(run, stop)
            if stop > read:
                self.core.n.view(self.data() + read, stop - read)[:] = bytes(stop - read)
            run = self.core.map_follow(self.handle, stop, end)

    def read_file(self, start, end):
        """Reads the file's bytes for map range [start, end) into the region (zeros stay past the
        file's end); returns where the file's bytes ended."""
        data = self.data()
        done = start
        while done < end:
            chunk = min(end - done, CHUNK)
            n = os.preadv(self.fd, [self.core.n.view(data + done, chunk)], self.offset + done)
            if n == 0:
                break
            done += n
        return done

    def publish(self, offset, size):
        # Linux's msync fsyncs a shared map's file even with no page dirty (not for an empty range).
        self.write_back()
        if self.shared and size > 0:
            os.fdatasync(self.fd)

    def write_back(self):
        """Writes back every byte written since the last publish, and no other, never past the file's end.
        A private map writes nothing back, and its flush() leaves its pages as they are."""
        if not (self.shared and self.writable):
            return
        start = self.core.map_take_dirty(self.handle)
        if start < 0:
            return
        end = min(self.core.out(0), os.fstat(self.fd).st_size - self.offset)
        data = self.data()
        done = start
        while done < end:
            chunk = min(end - done, CHUNK)
            done += os.pwrite(self.fd, self.core.n.view(data + done, chunk), self.offset + done)

    def advise(self, option, start, length, effect):
        # MADV_DONTNEED on a private file map drops its own copies of whole pages (the kernel
        # rounds the length up): they show the file again.
        # The core dropped a private map's own copies of the whole pages: they show the file again.
        if effect == ADVICE_RELOAD:
            self.follow_file(start, page_ceil(start + length))
        # The core answers ZEROED for a file map only to MADV_REMOVE on a shared map of a
        # writable fd, which punches a hole in the file at once, whole pages.
        if effect == ADVICE_ZEROED:
            end = min(page_ceil(start + length), os.fstat(self.fd).st_size - self.offset)
            if end > start:
                os.pwrite(self.fd, bytes(end - start), self.offset + start)

    def resize(self, new_size, spare):
        self.truncate_file(new_size)
        check(self.core.resize_commit(self.handle, new_size))
        # What the core says must come from the file again: new bytes, and a private map's pages
        # it does not own.
        self.follow_file(self.core.out(1), self.core.out(2))

    def file_lost(self):
        super().file_lost()
        # Truncating the file to the map's start dropped every page, the private copies too: the
        # map reads zeros once the file covers it again, as the file's new pages do.
        length = self.core.map_length(self.handle)
        if length > 0:
            self.core.n.view(self.data(), length)[:] = bytes(length)

    def detach(self):
        try:
            # No sync: CPython's close() only unmaps, leaving dirty pages to the kernel's writeback.
            self.write_back()
        finally:
            self.close_fd()
        return self.zero_region()


class NativeBacking(Backing):
    """The file's pages mapped by the OS over the region."""
    name = "native"

    def __init__(self, *args):
        super().__init__(*args)
        # Map bytes from here on lie past the file's end: the core refuses them (EFAULT) until
        # the file covers them again. Every hole lies past it.
        self.limit = None
        # The map's pages where the SIGBUS handler put a zero page and the file is not mapped again.
        self.holes = set()

    def attach(self, length):
        # MAP_POPULATE: a private map copies its pages when it opens (not on resize, as mremap).
        self.map_file(self.data(), 0, length, self.populate)

    def map_file(self, data, start, end, populate=False):
        """Maps file range [offset + start, offset + end) at map position `start` of the region at
        `data`. A read-only map of a read-only fd is private, as in the Node host."""
        if end <= start:
            return
        self.core.n.map(data + start, end - start, self.fd, self.offset + start, self.writable,
                        self.shared and (self.writable or self.fd_writable), populate)

    def publish(self, offset, size):
        self.core.n.msync(self.data() + offset, size)

    def covered_bytes(self):
        """The bytes of the map the file covers now: its pages up to the one holding the file's end."""
        return page_ceil(max(0, os.fstat(self.fd).st_size - self.offset))

    def set_limit(self, limit):
        self.limit = None if limit is None or limit >= self.core.map_length(self.handle) else limit
        self.core.map_set_limit(self.handle, None if self.limit is None else self.limit)

    def refresh(self):
        if self.limit is None:
            return False
        before = self.limit
        self.refill()
        return self.limit is None or self.limit > before

    def absorb_fault(self, undo_pos):
        # Only this call ran since the last check, so the faults were in this map: its file shrank.
        core = self.core
        core.n.acknowledge()
        self.take_holes()
        if undo_pos:
            core.map_undo_pos(self.handle)
        self.refill()

    def take_holes(self):
        """Moves the pages the handler marked into `holes`, and keeps the core off them from now on."""
        data = self.data()
        capacity = self.core.out(0)
        pages = self.core.n.take_faults(data // PAGESIZE, capacity // PAGESIZE)
        self.holes.update(pages)
        if pages:
            lowest = min(pages) * PAGESIZE
            if self.limit is None or lowest < self.limit:
                self.set_limit(lowest)

    def refill(self):
        """Maps the file again over every hole it covers now; the core may then touch up to the file's end."""
        covered = self.covered_bytes()
        data = self.data()
        for page in sorted(self.holes):
            if page * PAGESIZE < covered:
                self.map_file(data, page * PAGESIZE, (page + 1) * PAGESIZE)
                self.holes.discard(page)
        self.set_limit(covered)

    def map_holes_below(self, end):
        """After resize() made the file cover the map's first `end` bytes: the file again over the holes there."""
        data = self.data()
        for page in self.holes:
            if page * PAGESIZE < end:
                self.map_file(data, page * PAGESIZE, (page + 1) * PAGESIZE)
        self.holes.clear()
        self.limit = None

    def file_lost(self):
        super().file_lost()
        self.limit = 0

    def advise(self, option, start, length, effect):
        self.core.n.madvise(self.data() + start, length, option)

    def resize(self, new_size, spare):
        core = self.core
        old = core.map_length(self.handle)
        data = core.map_data(self.handle)
        capacity = core.out(0)
        if new_size < old:
            # ftruncate would fail on a read-only fd (EINVAL, as CPython reports it): say so
            # before the tail is unmapped, not after.
            if not self.fd_writable:
                core.resize_abort(self.handle)
                raise os_error(EINVAL)
            # Zero pages past the new end first: no page past the file's end stays mapped.
            keep = page_ceil(new_size)
            if keep < capacity:
                core.n.unmap(data + keep, capacity - keep)
            self.truncate_file(new_size)
            check(core.resize_commit(self.handle, new_size))
            self.map_holes_below(new_size)
            return
        self.truncate_file(new_size)
        if spare != 0:
            # Move the pages (a private map keeps its writes), then map the file's new tail.
            mapped = page_ceil(old)
            core.n.move(data, mapped, spare)
            self.map_file(spare, mapped, new_size)
        else:
            self.map_file(data, page_ceil(old), new_size)
        check(core.resize_commit(self.handle, new_size))
        self.map_holes_below(new_size)

    def detach(self):
        data = self.data()
        self.core.n.unmap(data, self.core.out(0))
        self.close_fd()
        return True
