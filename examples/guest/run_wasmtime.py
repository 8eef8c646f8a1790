# Runs the example guest under Wasmtime (wasmtime-py 50's WASI) with one preopened directory.
#   python3 examples/guest/run_wasmtime.py <dir> <path inside dir> <needle> <replacement>
# The guest sees <dir> as /data and nothing else of the host's files.
import pathlib
import sys

from wasmtime import Engine, ExitTrap, Linker, Module, Store, WasiConfig

WASM = pathlib.Path(__file__).resolve().parents[2] / 'build' / 'guest-example.wasm'
directory, *args = sys.argv[1:]
engine = Engine()
linker = Linker(engine)
linker.define_wasi()
store = Store(engine)
wasi = WasiConfig()
wasi.argv = ['guest', *args]
wasi.inherit_stdout()
wasi.inherit_stderr()
wasi.preopen_dir(directory, '/data')
store.set_wasi(wasi)
instance = linker.instantiate(store, Module.from_file(engine, str(WASM)))
try:
    instance.exports(store)['_start'](store)
except ExitTrap as e:
    sys.exit(e.code)
