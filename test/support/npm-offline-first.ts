import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface NpmRun {
  readonly stdout: string;
  readonly stderr: string;
  /** true when the npm cache lacked something and npm fetched it from the registry. */
  readonly online: boolean;
}

/**
 * Runs a command that calls npm (npm itself, or a shell script of npm commands) offline first: `npm ci`
 * has put every package tarball of package-lock.json in the npm cache, and a project whose lockfile pins
 * them (see seed-lockfile.ts) installs from there. When the cache lacks something (ENOTCACHED: another
 * cache, or one cleaned since), it runs again with the npm registry allowed, preferring the cache.
 */
export async function npmOfflineFirst(
  file: string,
  args: readonly string[],
  opts: { readonly cwd: string; readonly env?: NodeJS.ProcessEnv; readonly timeoutMs: number },
): Promise<NpmRun> {
  const env = { ...process.env, ...opts.env, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };
  const base = { cwd: opts.cwd, encoding: 'utf8' as const, timeout: opts.timeoutMs, maxBuffer: 16 << 20 };
  try {
    return { ...(await run(file, args, { ...base, env: { ...env, npm_config_offline: 'true' } })), online: false };
  } catch (e) {
    if (!String((e as { stderr?: unknown }).stderr).includes('ENOTCACHED')) throw e;
    return { ...(await run(file, args, { ...base, env: { ...env, npm_config_prefer_offline: 'true' } })), online: true };
  }
}
