// The packed tarball in a fresh project: require() and import load one and the same library,
// and the published types compile under strict TypeScript with lib ES2022 and types node only
// (skipLibCheck false), both for an ES module and for a CommonJS file. Installs offline, with
// this checkout's copy of its one dependency, with scripts off (the tarball ships the prebuilt helper).
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { TempDir } from './helpers.ts';

const test = suite('the packed package');
const tmp = new TempDir();
test.after(() => tmp.cleanup());
const root = new URL('..', import.meta.url).pathname;
const npm = (args: string[], cwd: string) => {
  const run = spawnSync('npm', args, { cwd, encoding: 'utf8', env: { ...process.env, npm_config_update_notifier: 'false' } });
  assert.is(run.status, 0, `npm ${args.join(' ')}:\n${run.stdout}\n${run.stderr}`);
  return run.stdout;
};

let project = '';

test('npm pack, then npm install of the tarball into a fresh project', () => {
  const packed = JSON.parse(npm(['pack', '--json', '--ignore-scripts', '--pack-destination', tmp.dir], root))[0];
  const files = packed.files.map((f: { path: string }) => f.path);
  for (const want of ['LICENSE', 'dist/index.cjs', 'dist/index.mjs', 'dist/index.d.ts', 'dist/cjs/index.d.ts', 'dist/cjs/package.json', 'build/core.wasm']) {
    assert.ok(files.includes(want), `${want} is in the tarball`);
  }
  project = path.join(tmp.dir, 'consumer');
  fs.mkdirSync(project);
  fs.writeFileSync(path.join(project, 'package.json'), '{ "name": "consumer", "private": true }\n');
  // The one dependency, as this checkout has it, so that npm needs nothing from the network.
  fs.cpSync(path.join(root, 'node_modules/node-api-headers'), path.join(project, 'node_modules/node-api-headers'), { recursive: true });
  npm(['install', '--offline', '--ignore-scripts', '--no-audit', '--no-fund', path.join(tmp.dir, packed.filename)], project);
});

test('require() and import give the same library', () => {
  const file = path.join(tmp.dir, 'data.txt');
  fs.writeFileSync(file, 'a\nb\nab\n');
  const script = `
const w = require('wasm-mmap');
const m = w.MMap.open(${JSON.stringify(file)}, { access: w.ACCESS_READ });
import('wasm-mmap').then((e) => {
  console.log(JSON.stringify({ same: e.MMap === w.MMap && e.ValueError === w.ValueError, count: m.count('a', 0), lines: [...m.lines()] }));
});`;
  const run = spawnSync(process.execPath, ['-e', script], { cwd: project, encoding: 'utf8' });
  assert.is(run.status, 0, run.stderr);
  assert.equal(JSON.parse(run.stdout), { same: true, count: 2, lines: ['a', 'b', 'ab'] });
});

test('the types compile under strict TypeScript, lib ES2022, types node, skipLibCheck false: ESM and CommonJS', () => {
  fs.mkdirSync(path.join(project, 'node_modules/@types'), { recursive: true });
  fs.symlinkSync(path.join(root, 'node_modules/@types/node'), path.join(project, 'node_modules/@types/node'));
  fs.writeFileSync(path.join(project, 'tsconfig.json'), JSON.stringify({
    compilerOptions: {
      strict: true, lib: ['ES2022'], types: ['node'], skipLibCheck: false, target: 'ES2022',
      module: 'nodenext', moduleResolution: 'nodenext', noEmit: true,
    },
    files: ['esm.mts', 'cjs.cts'],
  }));
  const body = (from: string) => `${from}
const m: MMap = MMap.open('data.txt', { access: ACCESS_READ, length: 0 });
const n: number = m.count('a', 0, null) + m.find(new Uint8Array([1]));
const all: Float64Array = m.findAll('a');
for (const line of m.lines()) { const s: string = line; }
for (const line of m.lines({ encoding: 'bytes' })) { const u: Uint8Array = line; }
const backing: 'native' | 'copy' | 'anonymous' = m.backing;
try { m.close(); } catch (e) { if (e instanceof OSError) { const p: string | undefined = e.path; } if (e instanceof ValueError) {} }
m[Symbol.dispose]();
export { n, all, backing };
`;
  fs.writeFileSync(path.join(project, 'esm.mts'), body("import { MMap, ACCESS_READ, OSError, ValueError } from 'wasm-mmap';"));
  fs.writeFileSync(path.join(project, 'cjs.cts'), body("import wasmMmap = require('wasm-mmap');\nconst { MMap, ACCESS_READ, OSError, ValueError } = wasmMmap;\ntype MMap = wasmMmap.MMap;"));
  let out = '';
  try {
    out = execFileSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', project], { encoding: 'utf8' });
  } catch (error) {
    out = (error as { stdout: string }).stdout;
  }
  assert.is(out, '');
});

test.run();
