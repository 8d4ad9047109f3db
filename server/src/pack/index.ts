// The public surface of server/src/pack: what other folders may import (a lint rule keeps them from reaching past it).
export { compilePack } from './compile-pack.js';
export { formatProblem } from './pack-problem.js';
export { BUNDLED_SOURCE } from './pack-version.js';
