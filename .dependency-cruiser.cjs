/**
 * Import boundaries of the server (`npm run lint:deps`, part of `npm test`). The arrows point inward:
 * cli / main → sidecar, registry/server, sync → store, rpc, registry (shared) → runtime, pack → @tplus/core.
 * docs/architecture.md draws the same map.
 */
const folder = (name) => `^server/src/${name}/`;
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Modules import each other in one direction only (a cycle of type-only imports erases at compile time and is allowed).',
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'runtime-is-plumbing',
      severity: 'error',
      comment: 'runtime/ (logger, config fields, signals, sockets, clock, /metrics server) imports nothing else of ours.',
      from: { path: folder('runtime') },
      to: { path: '^server/src/', pathNot: folder('runtime') },
    },
    {
      name: 'pack-and-store-are-low',
      severity: 'error',
      comment: 'pack/ and store/ hold data: they import only runtime/ and @tplus/core (and pack/ for store).',
      from: { path: '^server/src/(pack|store)/' },
      to: { path: '^server/src/', pathNot: '^server/src/(runtime|pack|store)/' },
    },
    {
      name: 'rpc-is-shared-plumbing',
      severity: 'error',
      comment: 'rpc/ (handler adapter, status mapping, proto loading) serves every service and knows none of them.',
      from: { path: folder('rpc') },
      to: { path: '^server/src/', pathNot: '^server/src/(rpc|runtime)/' },
    },
    {
      name: 'registry-shared-is-shared',
      severity: 'error',
      comment: 'registry/*.ts (proto, wire types, keys, TLS) is used by the registry server, its clients and followers.',
      from: { path: '^server/src/registry/[^/]+\\.ts$' },
      to: { path: '^server/src/', pathNot: '^server/src/(registry/[^/]+\\.ts|rpc/|runtime/|pack/)' },
    },
    {
      name: 'registry-client-not-server',
      severity: 'error',
      comment: 'A registry client never loads the registry server.',
      from: { path: '^server/src/(registry/client|sync)/' },
      to: { path: '^server/src/(registry/server|sidecar|cli|drill|bench)/' },
    },
    {
      name: 'servers-not-tools',
      severity: 'error',
      comment: 'What `serve` and `registry` load never includes the CLI commands, the drill runner or the benches.',
      from: { path: '^server/src/(sidecar|registry|sync|store|pack|rpc|runtime)/' },
      to: { path: '^server/src/(cli|drill|bench)/' },
    },
    {
      name: 'only-through-index',
      severity: 'error',
      comment: 'Another folder is reached through its index.ts (its public surface), never past it.',
      from: { path: '^server/src/([^/]+)/' },
      to: {
        path: '^server/src/[^/]+/',
        pathNot: [
          '^server/src/$1/',
          '^server/src/rpc/generated/',
          '^server/src/[^/]+/index\\.ts$',
          '^server/src/registry/(server|client)/index\\.ts$',
        ],
      },
    },
    {
      name: 'core-is-pure',
      severity: 'error',
      comment: '@tplus/core imports nothing of ours and no gRPC, SQLite or native module.',
      from: { path: '^core/src/' },
      to: { path: '^(server|client-sdk)/|node_modules/(@grpc|better-sqlite3|prom-client|opossum)' },
    },
    {
      name: 'sdk-never-imports-server',
      severity: 'error',
      comment: 'The client SDK depends on @tplus/core only, never on server code or native modules.',
      from: { path: '^client-sdk/src/' },
      to: { path: '^server/|node_modules/better-sqlite3' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
