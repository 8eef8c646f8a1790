// Runs the uvu suite once per backing and closes with the line CI reads: `N passed, N failed`.
// uvu prints Total/Passed/Skipped per run; this adds them up (skipped ones are not passed).
import { spawnSync } from 'node:child_process';

const uvu = new URL('../node_modules/uvu/bin.js', import.meta.url).pathname;
const backings = (process.env.WASM_MMAP_BACKINGS ?? 'copy,native').split(',');
const pattern = process.argv[2] ?? '\\.test\\.ts$';

let passed = 0;
let failed = 0;
let skipped = 0;
for (const backing of backings) {
  console.log(`\n# WASM_MMAP_BACKING=${backing}`);
  const run = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', uvu, 'test', pattern], {
    env: { ...process.env, WASM_MMAP_BACKING: backing },
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
  process.stdout.write(run.stdout);
  process.stderr.write(run.stderr);
  const report = run.stdout.replace(/\x1b\[[0-9;]*m/g, ''); // uvu colours its numbers
  const count = (label) => Number(new RegExp(`${label}:\\s+(\\d+)`).exec(report)?.[1] ?? 0);
  // uvu's Total counts the tests that ran; skipped ones are counted apart.
  const total = count('Total');
  const ok = count('Passed');
  const skip = count('Skipped');
  if (!/Total:\s+\d+/.test(report) || total + skip === 0 || (run.status !== 0 && ok === total)) {
    // No summary (a crash before uvu could report): count the whole run as one failure.
    failed += Math.max(1, total - ok);
    console.log(`# ${backing}: the run ended without a full report (exit ${run.status}, signal ${run.signal})`);
  } else {
    passed += ok;
    skipped += skip;
    failed += total - ok;
  }
}
// Skipped tests (those that need what this machine lacks, or another backing) are neither.
if (skipped > 0) console.log(`\n${skipped} skipped`);
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
