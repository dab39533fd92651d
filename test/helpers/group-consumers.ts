/**
 * Group members as real processes: `brook consume TOPIC --group G --json --verbose`, each with its
 * own client id. Their stdout (one JSON record per line) and their assignment notices (JSON lines
 * on stderr) are parsed as they arrive, stamped with the arrival time, and kept per member.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { BROOK_BIN, exited } from './brook-processes.js';

export interface Printed { partition: number; offset: number; value: string; at: number }
export interface Notice { event: 'assigned' | 'revoked'; at: number; partitions: Array<{ topic: string; partition: number }>; lost?: boolean }

export interface MemberOptions { natsUrl: string; cluster: string; topic: string; group: string; autoCommitIntervalMs?: number; extra?: string[];
  /** BROOK_LOG of the process ('warn' unless told); its log lines are kept in `log`. */
  logLevel?: string }

export class MemberProcess {
  readonly child: ChildProcess;
  readonly printed: Printed[] = [];
  readonly notices: Notice[] = [];
  readonly log: string[] = [];

  constructor(readonly name: string, options: MemberOptions) {
    const args = [BROOK_BIN, 'consume', options.topic, '--group', options.group, '--json', '--verbose', '--from-beginning', '--client-id', name,
      '--nats', options.natsUrl, '--cluster', options.cluster, ...(options.autoCommitIntervalMs === undefined ? [] : ['--auto-commit-interval-ms', String(options.autoCommitIntervalMs)]),
      ...(options.extra ?? [])];
    this.child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, BROOK_LOG: options.logLevel ?? 'warn' } });
    createInterface({ input: this.child.stdout! }).on('line', (line) => {
      const r = JSON.parse(line) as { partition: number; offset: number; value: string };
      this.printed.push({ partition: r.partition, offset: r.offset, value: r.value, at: Date.now() });
    });
    createInterface({ input: this.child.stderr! }).on('line', (line) => {
      if (line.startsWith('{"event"')) this.notices.push(JSON.parse(line) as Notice);
      else { this.log.push(line); if (this.log.length > 200) this.log.shift(); }
    });
  }

  /** The partitions this member fetches, as its notices tell it (assigned adds, revoked removes). */
  owned(): Set<number> {
    const owned = new Set<number>();
    for (const n of this.notices) for (const tp of n.partitions) { if (n.event === 'assigned') owned.add(tp.partition); else owned.delete(tp.partition); }
    return owned;
  }

  get alive(): boolean { return this.child.exitCode === null && this.child.signalCode === null; }

  kill9(): Promise<void> { this.child.kill('SIGKILL'); return exited(this.child); }
}
