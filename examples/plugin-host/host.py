# The plugin host of host.mjs, on Wasmtime (wasmtime-py 50): the same plugin (build/plugin.wasm),
# one preopened directory (/data), and a time limit by epoch interruption: a plugin that traps
# or never returns ends in a Trap of its own store, and the host goes on.
#   python3 examples/plugin-host/host.py <dir> <timeout ms> <plugin args...>
import json
import pathlib
import sys
import tempfile
import threading

from wasmtime import Config, Engine, ExitTrap, Linker, Module, Store, Trap, WasiConfig

PLUGIN = pathlib.Path(__file__).resolve().parents[2] / 'build' / 'plugin.wasm'


def run_plugin(directory, args, timeout_ms=2000, wasm=PLUGIN):
    config = Config()
    config.epoch_interruption = True
    engine = Engine(config)
    linker = Linker(engine)
    linker.define_wasi()
    store = Store(engine)
    # One epoch tick ends the run: the timer below is the only thing that ticks.
    store.set_epoch_deadline(1)
    with tempfile.TemporaryDirectory(prefix='wasm-mmap-plugin-') as out:
        stdout = pathlib.Path(out) / 'stdout'
        wasi = WasiConfig()
        wasi.argv = ['plugin', *args]
        wasi.stdout_file = str(stdout)
        wasi.preopen_dir(directory, '/data')
        store.set_wasi(wasi)
        instance = linker.instantiate(store, Module.from_file(engine, str(wasm)))
        timer = threading.Timer(timeout_ms / 1000, engine.increment_epoch)
        timer.start()
        try:
            instance.exports(store)['_start'](store)
            result = {'status': 'exit', 'code': 0}
        except ExitTrap as e:
            result = {'status': 'exit', 'code': e.code}
        except Trap as e:
            interrupted = 'interrupt' in str(e)
            # The message ends with the trap's reason (after the wasm backtrace).
            reason = [line for line in str(e).splitlines() if line.strip()][-1].strip()
            result = {'status': 'timeout'} if interrupted else {'status': 'trap', 'error': reason}
        finally:
            timer.cancel()
        result['stdout'] = stdout.read_text()
        return result


if __name__ == '__main__':
    directory, timeout, *args = sys.argv[1:]
    print(json.dumps(run_plugin(directory, args, int(timeout))))
