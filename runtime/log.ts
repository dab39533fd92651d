/**
 * Structured log lines: one JSON object per line on stderr in production, a bounded ring buffer in
 * simulation (printed when a run fails). Log calls never throw.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  log(level: LogLevel, event: string, detail?: Record<string, unknown>): void;
  child(bindings: Record<string, unknown>): Logger;
}

export type LogSink = (line: Record<string, unknown>) => void;

export function createLogger(sink: LogSink, options: { level?: LogLevel; bindings?: Record<string, unknown>; nowMs?: () => number } = {}): Logger {
  const threshold = RANK[options.level ?? 'info'];
  const bindings = options.bindings ?? {};
  const nowMs = options.nowMs ?? (() => Date.now());
  return {
    log(level, event, detail) {
      if (RANK[level] < threshold) return;
      // `t` always comes from this logger's clock: a `t` in the detail must not mix in another time base.
      const line: Record<string, unknown> = { t: 0, level, event, ...bindings, ...detail };
      line['t'] = nowMs();
      try { sink(line); } catch { /* a broken sink must not break the caller */ }
    },
    child(more) { return createLogger(sink, { ...options, bindings: { ...bindings, ...more } }); },
  };
}

export const stderrSink: LogSink = (line) => {
  process.stderr.write(JSON.stringify(line, (_k, v: unknown) => (v instanceof Uint8Array ? `<${v.byteLength} bytes>` : v)) + '\n');
};

/** Keeps the last `capacity` lines; used by the simulator and by tests that assert a log line. */
export class RingSink {
  readonly lines: Array<Record<string, unknown>> = [];
  constructor(readonly capacity = 2000) {}
  readonly sink: LogSink = (line) => {
    this.lines.push(line);
    if (this.lines.length > this.capacity) this.lines.splice(0, this.lines.length - this.capacity);
  };
}

export function envLogLevel(): LogLevel {
  const value = process.env['BROOK_LOG'];
  return value === 'debug' || value === 'info' || value === 'warn' || value === 'error' ? value : 'info';
}
