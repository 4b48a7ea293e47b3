// CPU time per thread of the process, by role (main thread, ingest threads,
// flush workers, V8's platform threads, the rest), so a benchmark can say
// where a span's CPU goes. Linux only (/proc/self/task/<tid>/stat); elsewhere
// every figure but the process total is NaN.
//
// Worker threads are OS threads of this process. Each registers its OS
// thread id in a ledger shared by every thread (a SharedArrayBuffer handed to
// new workers as environment data), so the main thread can read its CPU from
// /proc. A thread's /proc entry goes with it: a worker that ends adds its CPU
// to its role's total first (retireThisThread), and one about to be
// terminated is retired by its parent (retireWorker).

import { readFileSync, readlink, readlinkSync, readdirSync } from 'node:fs';
import { getEnvironmentData, isMainThread, setEnvironmentData, threadId } from 'node:worker_threads';

export const THREAD_ROLES = ['trace-ingest', 'log-ingest', 'flush-sort', 'trace-lookup'] as const;
export type ThreadRole = (typeof THREAD_ROLES)[number];

const LEDGER_KEY = 'marquetry.threadCpuLedger';
const SLOTS = 64;
/** per slot: OS thread id (0 = free), Node threadId, role index */
const SLOT_INTS = 3;
const CLOCK_TICKS_PER_S = 100; // USER_HZ on Linux

interface Ledger {
  slots: Int32Array;
  /** CPU microseconds of the role's threads that have ended */
  retiredUs: BigInt64Array;
}

function ledgerOf(buffer: SharedArrayBuffer): Ledger {
  return {
    slots: new Int32Array(buffer, 0, SLOTS * SLOT_INTS),
    retiredUs: new BigInt64Array(buffer, SLOTS * SLOT_INTS * 4, THREAD_ROLES.length),
  };
}

function openLedger(): Ledger | undefined {
  if (isMainThread) {
    const existing = getEnvironmentData(LEDGER_KEY);
    if (existing instanceof SharedArrayBuffer) return ledgerOf(existing);
    const buffer = new SharedArrayBuffer(SLOTS * SLOT_INTS * 4 + THREAD_ROLES.length * 8);
    setEnvironmentData(LEDGER_KEY, buffer);
    return ledgerOf(buffer);
  }
  const shared = getEnvironmentData(LEDGER_KEY);
  return shared instanceof SharedArrayBuffer ? ledgerOf(shared) : undefined;
}

const ledger = openLedger();

/** The OS thread id of the calling thread, or 0 without /proc. */
function osThreadId(): number {
  try {
    // "/proc/thread-self" → "<pid>/task/<tid>"
    return Number(readlinkSync('/proc/thread-self').split('/').pop()) || 0;
  } catch {
    return 0;
  }
}

/** user + system CPU seconds of `/proc/<path>/stat` (a process or a task), NaN when it is gone. */
export function procCpuSeconds(path: string): number {
  try {
    const stat = readFileSync(`/proc/${path}/stat`, 'latin1');
    // utime and stime are fields 14 and 15, counted after the parenthesised name
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_S;
  } catch {
    return NaN;
  }
}

function taskIds(): number[] {
  try {
    return readdirSync('/proc/self/task').map(Number);
  } catch {
    return [];
  }
}

/**
 * libuv's thread pool: asynchronous fs, zlib and DuckDB's queries (the node
 * binding runs them as N-API async work there; DuckDB's own worker threads
 * do the rest). Found by asking the pool itself: an async readlink of
 * /proc/thread-self runs on a pool thread and names it. Many at once, in
 * rounds until every thread of the pool has answered (one thread can take a
 * whole round of such short jobs before the others wake).
 */
const libuvPool = new Set<number>();
const LIBUV_POOL_SIZE = Math.min(1024, Math.max(1, Number(process.env['UV_THREADPOOL_SIZE']) || 4));
const DISCOVERY_ROUNDS = 50;
function discoverPoolThreads(round = 0): void {
  if (!isMainThread || libuvPool.size >= LIBUV_POOL_SIZE) return;
  let pending = 32;
  for (let i = 0; i < 32; i++) {
    readlink('/proc/thread-self', (err, link) => {
      const tid = err ? 0 : Number(link.split('/').pop());
      if (tid > 0 && tid !== process.pid) libuvPool.add(tid);
      if (--pending === 0 && round + 1 < DISCOVERY_ROUNDS) setTimeout(() => discoverPoolThreads(round + 1), 20).unref();
    });
  }
}
discoverPoolThreads();

/**
 * Threads the process had when this module loaded in the main thread, before
 * any worker or DuckDB database, less libuv's pool: V8's platform threads
 * (concurrent marking and sweeping, compilation) and Node's own.
 */
const startupThreads = isMainThread ? taskIds().filter((tid) => tid !== process.pid) : [];

/** In a worker's body, first thing: counts the thread's CPU under `role`. */
export function registerThisThread(role: ThreadRole): void {
  const tid = osThreadId();
  if (!ledger || tid === 0) return;
  for (let slot = 0; slot < SLOTS; slot++) {
    if (Atomics.compareExchange(ledger.slots, slot * SLOT_INTS, 0, tid) !== 0) continue;
    Atomics.store(ledger.slots, slot * SLOT_INTS + 1, threadId);
    Atomics.store(ledger.slots, slot * SLOT_INTS + 2, THREAD_ROLES.indexOf(role));
    return;
  }
  // more live workers than slots: their CPU falls in "other"
}

function retireSlot(l: Ledger, slot: number): void {
  const tid = Atomics.load(l.slots, slot * SLOT_INTS);
  const cpuS = procCpuSeconds(`self/task/${tid}`);
  const role = Atomics.load(l.slots, slot * SLOT_INTS + 2);
  if (Number.isFinite(cpuS)) Atomics.add(l.retiredUs, role, BigInt(Math.round(cpuS * 1e6)));
  Atomics.store(l.slots, slot * SLOT_INTS, 0);
}

/** Retires the registered thread with Node thread id `id`, if any. */
function retireByThreadId(id: number): void {
  if (!ledger) return;
  for (let slot = 0; slot < SLOTS; slot++) {
    if (Atomics.load(ledger.slots, slot * SLOT_INTS) !== 0 && Atomics.load(ledger.slots, slot * SLOT_INTS + 1) === id) retireSlot(ledger, slot);
  }
}

/** In a worker's body that ends by itself, last thing: keeps its CPU after its /proc entry is gone. */
export function retireThisThread(): void {
  retireByThreadId(threadId);
}

/** Before terminating a worker (which runs no more JS): keeps its CPU after its /proc entry is gone. */
export function retireWorker(worker: { threadId: number }): void {
  retireByThreadId(worker.threadId);
}

/** CPU seconds of the process from its start, by thread role. */
export interface ThreadCpuSeconds {
  process: number;
  main: number;
  /** registered workers, live and ended */
  workers: Record<ThreadRole, number>;
  /** V8's and Node's threads that existed at start: garbage collection helpers, compilers */
  v8Platform: number;
  /** libuv's thread pool: DuckDB's queries as the binding's async work, async fs and zlib */
  libuvPool: number;
  /** the rest: DuckDB's own worker threads, ended threads that were not registered */
  other: number;
  /** how many threads the V8 platform and libuv pool figures are of */
  threadCounts: { v8Platform: number; libuvPool: number };
}

/** The process's CPU by thread so far (call on the main thread). */
export function threadCpuSeconds(): ThreadCpuSeconds {
  const processS = procCpuSeconds('self');
  const main = procCpuSeconds(`self/task/${process.pid}`);
  const workers = Object.fromEntries(THREAD_ROLES.map((role) => [role, ledger ? 0 : NaN])) as Record<ThreadRole, number>;
  if (ledger) {
    THREAD_ROLES.forEach((role, i) => (workers[role] += Number(Atomics.load(ledger.retiredUs, i)) / 1e6));
    for (let slot = 0; slot < SLOTS; slot++) {
      const tid = Atomics.load(ledger.slots, slot * SLOT_INTS);
      if (tid === 0) continue;
      const cpuS = procCpuSeconds(`self/task/${tid}`);
      if (Number.isFinite(cpuS)) workers[THREAD_ROLES[Atomics.load(ledger.slots, slot * SLOT_INTS + 2)]!] += cpuS;
      // ended without retiring (it failed): its CPU falls in "other" now; the slot is free again
      else Atomics.compareExchange(ledger.slots, slot * SLOT_INTS, tid, 0);
    }
  }
  const sum = (tids: Iterable<number>): number => {
    let s = 0;
    for (const tid of tids) {
      const cpuS = procCpuSeconds(`self/task/${tid}`);
      if (Number.isFinite(cpuS)) s += cpuS;
    }
    return s;
  };
  const platform = startupThreads.filter((tid) => !libuvPool.has(tid));
  const v8Platform = sum(platform);
  const pool = sum(libuvPool);
  discoverPoolThreads();
  const known = main + v8Platform + pool + Object.values(workers).reduce((a, b) => a + (Number.isFinite(b) ? b : 0), 0);
  return {
    process: processS,
    main,
    workers,
    v8Platform: startupThreads.length > 0 ? v8Platform : NaN,
    libuvPool: libuvPool.size > 0 ? pool : NaN,
    other: processS - known,
    threadCounts: { v8Platform: platform.length, libuvPool: libuvPool.size },
  };
}
