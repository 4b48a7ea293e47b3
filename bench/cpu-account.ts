// CPU accounting around one bench step: the CPU time of the process under
// test (the server child, or this process for the in-process peer) and how
// many cores other work on the machine took meanwhile. On a shared machine
// wall-clock latencies swing with the load; CPU time per operation does not.

import { machineBusySeconds, sampleProc } from './server-process.js';

export interface CpuAccount {
  wallS: number;
  /** CPU seconds of the process under test */
  cpuS: number;
  /** average cores busy with anything but the process under test and this one */
  otherCores: number;
}

function selfCpuS(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/** Runs `fn`, accounting CPU to `pid` (a child) or, when undefined, to this process. */
export async function accountCpu<T>(pid: number | undefined, fn: () => Promise<T> | T): Promise<{ value: T; cpu: CpuAccount }> {
  const targetCpuS = (): number => (pid === undefined ? selfCpuS() : (sampleProc(pid)?.cpuSeconds ?? NaN));
  const t0 = performance.now();
  const machine0 = machineBusySeconds();
  const self0 = selfCpuS();
  const target0 = targetCpuS();
  const value = await fn();
  const cpuS = targetCpuS() - target0;
  const selfS = pid === undefined ? 0 : selfCpuS() - self0;
  const wallS = (performance.now() - t0) / 1000;
  const otherS = machineBusySeconds() - machine0 - cpuS - selfS;
  return { value, cpu: { wallS, cpuS, otherCores: Math.max(0, otherS) / wallS } };
}
