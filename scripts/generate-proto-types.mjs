// TypeScript types for the .proto files, made by proto-loader-gen-types (ships with @grpc/proto-loader)
// with the same options the code loads the protos with (server/src/rpc/settlement-proto.ts
// SERVER_LOADER_OPTIONS, the SDK's fromJSON options): camelCase fields, 64-bit integers as number,
// enums as strings, defaults filled, oneof names set.
//
//   node scripts/generate-proto-types.mjs [--proto-root DIR] OUT_DIR PROTO_FILE...   (PROTO_FILE relative to proto/)
//
// Run by `npm run build` before tsc, so the types can never lag the proto: they are not committed
// (OUT_DIR is gitignored). Files are rewritten only when their text changes, so tsc -b stays incremental.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PROTO_ROOT = fileURLToPath(new URL('../proto', import.meta.url));
export const LOADER_FLAGS = ['--longs=Number', '--enums=String', '--defaults', '--oneofs'];

const require = createRequire(import.meta.url);
const GENERATOR = join(dirname(require.resolve('@grpc/proto-loader/package.json')), 'build/bin/proto-loader-gen-types.js');

function listFiles(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => relative(dir, join(d.parentPath, d.name)));
}

/** Generates into a scratch folder, then brings outDir in line with it (write changed, delete gone). */
export function generateProtoTypes(outDir, protoFiles, protoRoot = PROTO_ROOT) {
  const scratch = mkdtempSync(join(tmpdir(), 'tplus-proto-types-'));
  try {
    const args = [...LOADER_FLAGS, '--grpcLib=@grpc/grpc-js', '--importFileExtension=.js', '-I', protoRoot, '-O', scratch];
    execFileSync(process.execPath, [GENERATOR, ...args, ...protoFiles], { stdio: ['ignore', 'ignore', 'inherit'] });
    const fresh = new Set(listFiles(scratch));
    for (const file of listFiles(outDir)) if (!fresh.has(file)) rmSync(join(outDir, file));
    for (const file of fresh) {
      // The generator writes the absolute proto path in each header; keep it relative to the repo.
      const text = readFileSync(join(scratch, file), 'utf8').replaceAll(`${dirname(protoRoot)}/`, '');
      const target = join(outDir, file);
      if (existsSync(target) && readFileSync(target, 'utf8') === text) continue;
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, text);
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const root = args[0] === '--proto-root' ? resolve(args.splice(0, 2)[1] ?? '') : PROTO_ROOT;
  const [outDir, ...protoFiles] = args;
  if (!outDir || protoFiles.length === 0) {
    console.error('usage: node scripts/generate-proto-types.mjs [--proto-root DIR] OUT_DIR PROTO_FILE...');
    process.exit(2);
  }
  generateProtoTypes(resolve(outDir), protoFiles, root);
}
