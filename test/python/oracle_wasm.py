# test/oracle/oracle.py with wasm_mmap in mmap's place: the same cases, answered by the Python
# host, in the same shape (test/oracle/FORMAT.md), so test/fuzz/runner.ts's judge compares
# them with CPython's. Each case runs in a child forked after wasm_mmap was imported, as
# multiprocessing's default does. Two things differ from the oracle, as in interpret.ts: a case's
# `backing` picks the backing of its file maps, and every map is closed when the case ends
# (so that the copy backing writes back before the file is read).
import importlib.util
import sys
from pathlib import Path

import wasm_mmap
from wasm_mmap import _mmap

sys.modules["mmap"] = wasm_mmap
spec = importlib.util.spec_from_file_location(
    "oracle", Path(__file__).resolve().parent.parent / "oracle" / "oracle.py")
oracle = importlib.util.module_from_spec(spec)
spec.loader.exec_module(oracle)
assert oracle.mmap is wasm_mmap

run_ops = oracle.Child.run


def run_and_close(self, ops):
    try:
        run_ops(self, ops)
    finally:
        for m in [*self.maps.values(), *self.replaced]:
            try:
                m.close()
            except Exception:
                pass


oracle.Child.run = run_and_close
run_case = oracle.run_case


def run_case_on_its_backing(case):
    backings = [op.get("backing") for op in case.get("ops", []) if isinstance(op, dict) and op.get("op") == "new"]
    _mmap._BACKING = "copy" if "copy" in backings else "native"
    return run_case(case)


oracle.run_case = run_case_on_its_backing

if __name__ == "__main__":
    oracle.main(sys.argv)
