// dist/cjs holds CommonJS output inside a "type": "module" package: mark that folder as CommonJS.
import { writeFileSync } from 'node:fs';
writeFileSync(new URL('../dist/cjs/package.json', import.meta.url), '{ "type": "commonjs" }\n');
