# Runs CPython's own Lib/test/test_mmap.py (the machine's 3.11 copy, unchanged) against
# wasm_mmap, or against CPython's mmap with --cpython, and prints one JSON line of counts.
import json
import os
import sys
import tempfile
import unittest

if "--cpython" not in sys.argv:
    import wasm_mmap
    sys.modules["mmap"] = wasm_mmap

os.chdir(tempfile.mkdtemp(prefix="test_mmap-"))  # test_mmap's TESTFN lands here
from test import test_mmap  # noqa: E402 (after the swap)

assert test_mmap.mmap is sys.modules["mmap"]
suite = unittest.defaultTestLoader.loadTestsFromModule(test_mmap)
result = unittest.TextTestRunner(stream=sys.stderr, verbosity=int(os.environ.get("VERBOSE", "1"))).run(suite)
print(json.dumps({
    "run": result.testsRun,
    "failures": [str(t) for t, _ in result.failures],
    "errors": [str(t) for t, _ in result.errors],
    "skipped": [f"{t}: {why}" for t, why in result.skipped],
}))
