import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../server/src/sidecar/server-limits.js';
import { ConfigError } from '../../server/src/runtime/config-error.js';
import { loadSidecarConfig, SERVE_USAGE } from '../../server/src/sidecar/load-sidecar-config.js';
import { UsageError } from '../../server/src/runtime/usage-error.js';
import type { SidecarConfig } from '../../server/src/sidecar/sidecar-config.js';

const DEFAULTS = { cwd: '/srv/app', rulesDir: '/opt/tplus/server/rules' };

function config(argv: string[], env: Record<string, string> = {}): SidecarConfig {
  const loaded = loadSidecarConfig(argv, env, DEFAULTS);
  if (loaded.kind !== 'config') throw new Error('help');
  return loaded.config;
}

function failure(argv: string[], env: Record<string, string> = {}): ConfigError {
  try {
    config(argv, env);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('accepted');
}

describe('sidecar configuration (flags over env over defaults)', () => {
  it('defaults: ./data, 127.0.0.1:50051, ./data/tplus.sock, metrics on 127.0.0.1:9464, safe limits', () => {
    expect(config([])).toEqual({
      dataDir: '/srv/app/data',
      listen: { host: '127.0.0.1', port: 50051 },
      socket: '/srv/app/data/tplus.sock',
      metricsListen: { host: '127.0.0.1', port: 9464 },
      rulesDir: '/opt/tplus/server/rules',
      keepVersions: 5,
      shutdownGraceMs: 10_000,
      limits: DEFAULT_LIMITS,
    });
    expect(DEFAULT_LIMITS.maxBatchItems).toBe(10_000);
  });

  it('is frozen', () => {
    const c = config([]);
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.limits)).toBe(true);
    expect(Object.isFrozen(c.listen)).toBe(true);
  });

  it('reads TPLUS_* variables, and flags win over them', () => {
    const env = {
      TPLUS_LISTEN: '127.0.0.1:6000',
      TPLUS_DATA_DIR: '/var/lib/tplus',
      TPLUS_METRICS_LISTEN: 'off',
      TPLUS_MAX_BATCH_ITEMS: '500',
    };
    const c = config(['--listen=[::1]:7000', '--socket', 'run/s.sock'], env);
    expect(c.listen).toEqual({ host: '::1', port: 7000 });
    expect(c.dataDir).toBe('/var/lib/tplus');
    expect(c.socket).toBe('/srv/app/run/s.sock');
    expect(c.metricsListen).toBeNull();
    expect(c.limits.maxBatchItems).toBe(500);
  });

  it('puts the socket in the data dir unless told otherwise, and can turn it off', () => {
    expect(config(['--data-dir', '/d']).socket).toBe('/d/tplus.sock');
    expect(config(['--socket', 'off']).socket).toBeNull();
    expect(config([], { TPLUS_SOCKET: 'none' }).socket).toBeNull();
  });

  it.each([
    [['--listen', 'localhost'], {}, 'listen', 'invalid listen: --listen="localhost": expected HOST:PORT'],
    [[], { TPLUS_LISTEN: '127.0.0.1:70000' }, 'listen', 'invalid listen: TPLUS_LISTEN="127.0.0.1:70000"'],
    [['--metrics-listen', ':9464'], {}, 'metricsListen', 'invalid metricsListen: --metrics-listen=":9464"'],
    [['--socket', `/tmp/${'s'.repeat(120)}.sock`], {}, 'socket', 'Unix socket paths are limited to 107'],
    [['--max-batch-items', '0'], {}, 'maxBatchItems', 'expected an integer from 1 to 10000000'],
    [[], { TPLUS_MAX_MESSAGE_BYTES: '1MB' }, 'maxMessageBytes', 'invalid maxMessageBytes: TPLUS_MAX_MESSAGE_BYTES="1MB"'],
    [['--keep-versions', '-1'], {}, 'keepVersions', 'invalid keepVersions'],
    [['--data-dir', ''], {}, 'dataDir', 'invalid dataDir'],
    [['--listen', 'off', '--socket', 'off'], {}, 'listen', 'listen and socket are both off'],
    [[], { TPLUS_ALLOW_DRILLS: 'maybe' }, 'allowDrills', 'invalid allowDrills: TPLUS_ALLOW_DRILLS="maybe": expected true or false'],
  ] as const)('refuses %j %j naming %s', (argv, env, field, text) => {
    const err = failure([...argv], env);
    expect(err.field).toBe(field);
    expect(err.message).toContain(text);
  });

  it.each([
    [['--lisen', 'x'], 'unknown flag --lisen (did you mean --listen?)'],
    [['--listen'], '--listen needs a value'],
    [['--listen', '--socket', 'off'], '--listen needs a value'],
    [['serve'], 'unexpected argument "serve"'],
  ])('a malformed line %j is a usage error carrying the serve usage: %s', (argv, text) => {
    let err: unknown;
    try {
      loadSidecarConfig(argv, {}, DEFAULTS);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).message).toBe(text);
    expect((err as UsageError).usage).toBe(SERVE_USAGE);
  });

  it('answers --help with the usage, listing each flag and variable', () => {
    const loaded = loadSidecarConfig(['--help'], {}, DEFAULTS);
    expect(loaded.kind).toBe('help');
    if (loaded.kind === 'help')
      for (const f of [
        '--listen HOST:PORT|off (TPLUS_LISTEN)',
        '--socket PATH|off (TPLUS_SOCKET)',
        '--metrics-listen HOST:PORT|off (TPLUS_METRICS_LISTEN)',
        '--data-dir DIR (TPLUS_DATA_DIR)',
      ])
        expect(loaded.text).toContain(f);
  });
});
