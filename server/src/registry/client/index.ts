// The public surface of server/src/registry/client: what other folders may import (a lint rule keeps them from reaching past it).
export { VersionSource } from './fetch-version.js';
export { RegistryCallError, callRegistry, cliCredentials, readTokenFile } from './registry-call.js';
