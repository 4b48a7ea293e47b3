// Starting a worker thread on one of our own modules, from the build (dist/,
// .js) or, in the dev loop and tests, from the sources under tsx (.ts): a
// worker does not inherit tsx's loader, so it registers it first.

import { Worker, type WorkerOptions } from 'node:worker_threads';

/** A worker running the module `name` (no extension) beside `callerUrl` (the caller's import.meta.url). */
export function startModuleWorker(callerUrl: string, name: string, options: WorkerOptions = {}): Worker {
  const underTsx = callerUrl.endsWith('.ts');
  const url = new URL(`${name}.${underTsx ? 'ts' : 'js'}`, callerUrl);
  return underTsx
    ? new Worker(`import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(url.href)}); });`, { ...options, eval: true })
    : new Worker(url, options);
}
