// The proto checks of `npm test` (via `npm run lint`), run from the repository root:
//   1. `buf lint` with buf.yaml (STANDARD rules, documented exceptions for names already published);
//   2. `buf breaking` against the previous commit (HEAD~1), FILE rules: the protos only grow.
// A clone without a previous commit (a fresh repository, `git clone --depth 1`, a tarball) has nothing
// to compare against: breaking is skipped with a note, lint still runs. A merge commit is compared with
// its first parent, i.e. the branch it landed on.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const BUF = join(dirname(require.resolve('@bufbuild/buf/package.json')), 'bin/buf');
const BASELINE = 'HEAD~1';

function run(command, args) {
  const r = spawnSync(command, args, { stdio: ['ignore', 'inherit', 'inherit'], timeout: 120_000 });
  if (r.error) throw r.error;
  return r.status ?? 1;
}

function gitSucceeds(args) {
  const r = spawnSync('git', args, { stdio: 'ignore', timeout: 30_000 });
  return !r.error && r.status === 0;
}

function baselineProblem() {
  if (!gitSucceeds(['rev-parse', '--is-inside-work-tree'])) return 'not a git checkout';
  if (!gitSucceeds(['rev-parse', '--verify', '--quiet', `${BASELINE}^{commit}`])) return `no previous commit (${BASELINE}) in this clone`;
  if (!gitSucceeds(['cat-file', '-e', `${BASELINE}:proto`])) return `the previous commit (${BASELINE}) has no proto/ folder`;
  return null;
}

if (run(BUF, ['lint']) !== 0) {
  console.error('buf lint failed: see the lines above (rules and exceptions: buf.yaml)');
  process.exit(1);
}
console.log('buf lint: ok');

const problem = baselineProblem();
if (problem !== null) {
  console.log(`buf breaking: skipped, ${problem}`);
  process.exit(0);
}
if (run(BUF, ['breaking', '--against', `.git#ref=${BASELINE},subdir=proto`]) !== 0) {
  console.error(`buf breaking failed against ${BASELINE}: the protos only grow (never renumber, retype, rename or remove); see buf.yaml`);
  process.exit(1);
}
console.log(`buf breaking against ${BASELINE}: ok`);
