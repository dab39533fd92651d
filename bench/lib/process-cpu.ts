// CPU time of the processes of a local Brook bench, read from /proc (Linux): the bench process
// itself ('client', which hosts the SDK's producer and consumer actors), nats-server ('nats') and
// each `brook node join` process ('node<id>'). For "where does the CPU go" splits between runs.
import fs from 'node:fs';

const CLOCK_TICK_MS = 10; // USER_HZ is 100 on Linux.

/** utime + stime of a `/proc/<pid>/stat` line, in milliseconds (fields after the command name, which may hold spaces). */
function statCpuMs(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * CLOCK_TICK_MS;
}

/** CPU milliseconds (user + system) of one process, now; undefined once it is gone. */
export function processCpuMs(pid: number): number | undefined {
  try {
    return statCpuMs(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * CPU nanoseconds of one process's live threads, now (the scheduler's own count, `/proc/<pid>/task/<tid>/schedstat`):
 * exact where the 10 ms ticks of `processCpuMs` are too coarse, as for a process that wakes a few hundred times a
 * second for microseconds each. Undefined once the process is gone.
 */
export function processCpuNs(pid: number): number | undefined {
  try {
    let total = 0;
    for (const tid of fs.readdirSync(`/proc/${pid}/task`)) total += Number(fs.readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    return total;
  } catch {
    return undefined;
  }
}

/** Minor page faults of a `/proc/<pid>/stat` line (field 10: pages mapped in without a disk read). */
function statMinorFaults(stat: string): number {
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[7]);
}

/** Minor page faults of one process so far (this one by default). */
export function processMinorFaults(pid: number = process.pid): number {
  return statMinorFaults(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
}

/** `read` of each bench process's `/proc/<pid>/stat`, summed per role, now. */
function byRole(read: (stat: string) => number): Map<string, number> {
  const roles = new Map<string, number>();
  for (const pid of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      if (comm !== 'node' && comm !== 'nats-server') continue;
      const argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      const role = Number(pid) === process.pid ? 'client'
        : comm === 'nats-server' ? 'nats'
        : argv.includes('join') ? `node${argv[argv.indexOf('--id') + 1]}` : undefined;
      if (role !== undefined) roles.set(role, (roles.get(role) ?? 0) + read(stat));
    } catch {
      // The process ended between the listing and the read.
    }
  }
  return roles;
}

/** CPU milliseconds (user + system) per role, now. */
export function cpuByRole(): Map<string, number> { return byRole(statCpuMs); }

/**
 * Minor page faults per role, now. On a virtual machine each can cost 13-17 µs (bench/page-fault-cost.ts),
 * so a process that hands memory back to the kernel and touches it again pays for every page.
 */
export function faultsByRole(): Map<string, number> { return byRole(statMinorFaults); }

/** "client 1,200/s, nats 300/s, …" minor faults per second per role, between `before` and now. */
export function faultRates(before: Map<string, number>, wallMs: number): string {
  return [...faultsByRole()].sort((a, b) => a[0].localeCompare(b[0]))
    .map(([role, faults]) => `${role} ${Math.round(((faults - (before.get(role) ?? 0)) * 1000) / wallMs).toLocaleString('en-US')}/s`).join(', ');
}

/** "client 31%, nats 12%, node1 26%, …; total 121%" of one core, between `before` and now. */
export function cpuSplit(before: Map<string, number>, wallMs: number): { line: string; totalPercent: number } {
  let total = 0;
  const parts: string[] = [];
  for (const [role, ms] of [...cpuByRole()].sort((a, b) => a[0].localeCompare(b[0]))) {
    const used = ms - (before.get(role) ?? 0);
    total += used;
    parts.push(`${role} ${((used / wallMs) * 100).toFixed(0)}%`);
  }
  const totalPercent = (total / wallMs) * 100;
  return { line: `${parts.join(', ')}; total ${totalPercent.toFixed(0)}%`, totalPercent };
}
