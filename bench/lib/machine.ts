// Describes the machine a bench ran on, so figures in RESULTS.md can be read in context.
import { execFileSync } from 'node:child_process';
import os from 'node:os';

export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  platform: string;
  nodeVersion: string;
  /** 1-minute load average when the bench started: the machine may be shared with other work. */
  loadAverage1m: number;
  /** Versions of external programs the bench used (e.g. `nats-server`). */
  tools: Record<string, string>;
}

/** First line of `<command> <args>`, or 'unknown' when the program is missing or fails. */
export function commandVersion(command: string, args: readonly string[] = ['--version']): string {
  try {
    const output = execFileSync(command, args, { encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'pipe'] });
    return output.split('\n')[0]?.trim() || 'unknown';
  } catch {
    return 'unknown';
  }
}

export function describeMachine(tools: Record<string, string> = {}): MachineInfo {
  const cpus = os.cpus();
  return {
    cpus: os.availableParallelism(),
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    nodeVersion: process.version,
    loadAverage1m: Math.round((os.loadavg()[0] ?? 0) * 100) / 100,
    tools,
  };
}

export function formatMachine(machine: MachineInfo): string {
  const tools = Object.entries(machine.tools).map(([name, version]) => `${name} ${version}`);
  return [`${machine.cpus} CPUs (${machine.cpuModel})`, `${machine.memoryGiB} GiB RAM`, machine.platform,
    `node ${machine.nodeVersion}`, ...tools, `load average ${machine.loadAverage1m} at start`].join(', ');
}
