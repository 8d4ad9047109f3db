import { setFlagsFromString } from 'node:v8';

/**
 * Runs start-up without V8's optimizing compilers, so an idle process does not keep their memory.
 *
 * Compiling a rule pack and building its calendars runs loops hot enough for TurboFan, which compiles on
 * V8's worker threads; each of those threads then holds a glibc malloc arena that is never given back.
 * Measured on a 2-core box (sidecar on the bundled pack, idle after heap_settled): four arenas holding
 * 7–9 MiB of an 80 MiB RSS; started with the optimizers held, 0.1 MiB and 70–74 MiB. Start-up time did not
 * change measurably (0.6–1.4 s either way): the work runs once, and Ignition and Sparkplug run it on the
 * main thread. Releasing turns them back on before traffic, so the request path is optimized as before —
 * on its first calls, which is when its own compile jobs would run anyway.
 *
 * V8 reads these flags when it decides to optimize, so changing them at run time takes effect (unlike
 * --no-concurrent-recompilation, which V8 reads once at start). Maglev is on by default from V8 12
 * (Node 22); on Node 20 it is off and stays off. A process started with any of these flags set by the
 * operator (command line or NODE_OPTIONS) is left as it was.
 */
export function holdOptimizingCompilers(
  execArgv: readonly string[] = process.execArgv,
  nodeOptions = process.env['NODE_OPTIONS'] ?? '',
  v8Version = process.versions.v8,
): () => void {
  const operatorSet = /--(no-)?(opt|turbofan|maglev)\b/;
  if (execArgv.some((a) => operatorSet.test(a)) || operatorSet.test(nodeOptions)) return () => {};
  const maglev = Number(v8Version.split('.')[0]) >= 12;
  setFlagsFromString('--no-turbofan');
  if (maglev) setFlagsFromString('--no-maglev');
  let held = true;
  return () => {
    if (!held) return;
    held = false;
    setFlagsFromString('--turbofan');
    if (maglev) setFlagsFromString('--maglev');
  };
}
