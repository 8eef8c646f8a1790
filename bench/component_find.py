# find() over a 64 MiB file: the component (build/mmap.component.wasm) in Wasmtime (wasmtime-py)
# against CPython's mmap, one run each (the best of 5 finds). Prints JSON.
#   python3 bench/component_find.py <dir holding data.bin>
import json
import mmap
import pathlib
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / 'test' / 'guests'))
from component_wasmtime import Driver, options  # noqa: E402

NEEDLE = b'zyxwvuts'  # absent from the data: every find reads all of it


def best(f):
    times = []
    for _ in range(5):
        t = time.perf_counter()
        r = f()
        times.append(time.perf_counter() - t)
    return min(times), r


directory = sys.argv[1]
d = Driver(directory)
m = d.call('[static]mmap-object.open', '/data/data.bin', 0, options({'flags': None, 'prot': None, 'access': 1, 'offset': None}))
wasm_time, wasm_result = best(lambda: d.method(m, 'find', NEEDLE, 0, None))
d.method(m, 'close')
with open(pathlib.Path(directory) / 'data.bin', 'rb') as f:
    c = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
cpython_time, cpython_result = best(lambda: c.find(NEEDLE, 0))
assert wasm_result == cpython_result == -1
print(json.dumps({'wasmtime_s': wasm_time, 'cpython_s': cpython_time}))
