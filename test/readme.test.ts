// The README's example is examples/quickstart.mjs, verbatim, and `npm start` runs it (on the
// Node running the tests: 20 and later, so no `using`, a SyntaxError in a .mjs on Node 20).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';

const test = suite('README example');
const root = new URL('..', import.meta.url).pathname;

test("the README's example is the file `npm start` runs, and it runs", () => {
  const readme = readFileSync(`${root}README.md`, 'utf8');
  const section = readme.slice(readme.indexOf('## Example'));
  const code = /```js\n([\s\S]*?)```/.exec(section)![1];
  assert.is(code, readFileSync(`${root}examples/quickstart.mjs`, 'utf8'));
  const pkg = JSON.parse(readFileSync(`${root}package.json`, 'utf8'));
  assert.is(pkg.scripts.start, 'node examples/quickstart.mjs');
  const env = { ...process.env, FORCE_COLOR: '0' }; // uvu forces colours, which console.log would inherit
  const run = spawnSync(process.execPath, ['examples/quickstart.mjs'], { cwd: root, encoding: 'utf8', env });
  assert.is(run.status, 0, run.stderr);
  assert.is(run.stderr, '');
  assert.match(run.stdout, /"line" occurs 2 times, at Float64Array\(2\) \[ 21, 32 \]/);
  assert.match(run.stdout, /line: Third line \| cursor now at 37/);
  assert.match(run.stdout, /read-only: TypeError mmap can't modify a readonly memory map\./);
});

test.run();
