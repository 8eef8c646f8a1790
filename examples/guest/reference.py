# What examples/guest/main.ts does, with CPython's mmap: the same lines, the same file after.
#   python3 reference.py <path> <needle> <replacement>
import mmap
import sys

path, needle, replacement = sys.argv[1], sys.argv[2].encode(), sys.argv[3].encode()


def fail(what, e):
    print(f'{what} {type(e).__name__}: {e}')


try:
    f = open(path, 'r+b')
except OSError as e:
    fail('open', e)
else:
    with f:
        m = mmap.mmap(f.fileno(), 0)
    print(f'length {len(m)} size {m.size()}')
    print(f'find {m.find(needle)} rfind {m.rfind(needle)}')
    lines = 0
    while m.readline():
        lines += 1
    print(f'lines {lines} pos {m.tell()}')
    try:
        m.seek(-1)
    except ValueError as e:
        fail('seek', e)
    patched = 0
    at = m.find(needle, 0)
    while at >= 0:
        m[at:at + len(needle)] = replacement
        patched += 1
        at = m.find(needle, at + len(needle))
    print(f'patched {patched}')
    m.flush()
    m.close()
    try:
        m.read(1)
    except ValueError as e:
        fail('read', e)

try:
    f = open(path, 'rb')
except OSError:
    pass
else:
    with f:
        r = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    try:
        r.write(needle)
    except TypeError as e:
        fail('write', e)
    print(f'first line {len(r.readline())} bytes')
    r.close()
