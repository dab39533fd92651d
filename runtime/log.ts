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

export interface LoggerOptions {
  level?: LogLevel;
  bindings?: Record<string, unknown>;
  /** Epoch ms by default: every line of a process carries the same time base. */
  nowMs?: () => number;
  /**
   * At most this many lines of one level and event per window (`repeatsWindowMs`, 10 s); the rest
   * are dropped and counted, and the next line of that kind after the window is preceded by one
   * `logSuppressed` line saying how many were. Unset: no limit (simulation keeps every line).
   */
  repeatsMax?: number;
  repeatsWindowMs?: number;
}

export function createLogger(sink: LogSink, options: LoggerOptions = {}): Logger {
  const threshold = RANK[options.level ?? 'info'];
  const bindings = options.bindings ?? {};
  const nowMs = options.nowMs ?? (() => Date.now());
  const repeats = options.repeatsMax === undefined ? undefined : new RepeatLimit(options.repeatsMax, options.repeatsWindowMs ?? 10_000);
  return createBoundLogger(sink, threshold, bindings, nowMs, repeats);
}

function createBoundLogger(sink: LogSink, threshold: number, bindings: Record<string, unknown>, nowMs: () => number, repeats: RepeatLimit | undefined): Logger {
  return {
    log(level, event, detail) {
      if (RANK[level] < threshold) return;
      try {
        const t = nowMs();
        const suppressed = repeats?.admit(`${level} ${event}`, t);
        if (suppressed === false) return;
        if (typeof suppressed === 'number') sink({ t, level, event: 'logSuppressed', ...bindings, of: event, suppressed });
        // `t` always comes from this logger's clock: a `t` in the detail must not mix in another time base.
        const line: Record<string, unknown> = { t, level, event, ...bindings, ...detail };
        line['t'] = t;
        sink(line);
      } catch { /* a broken sink must not break the caller */ }
    },
    // Children share the limit: a repetitive line is repetitive whichever child writes it.
    child(more) { return createBoundLogger(sink, threshold, { ...bindings, ...more }, nowMs, repeats); },
  };
}

/** Per kind of line: how many were written in the current window and how many were dropped. */
class RepeatLimit {
  private readonly kinds = new Map<string, { windowStartMs: number; written: number; dropped: number }>();

  constructor(private readonly max: number, private readonly windowMs: number) {}

  /** false: drop the line; a number: write it after saying that many were dropped; true: write it. */
  admit(kind: string, nowMs: number): boolean | number {
    let state = this.kinds.get(kind);
    if (state === undefined || nowMs - state.windowStartMs >= this.windowMs) {
      const dropped = state?.dropped ?? 0;
      if (state === undefined && this.kinds.size >= 10_000) this.kinds.clear(); // bounded: kinds come from code, this is a backstop
      state = { windowStartMs: nowMs, written: 1, dropped: 0 };
      this.kinds.set(kind, state);
      return dropped > 0 ? dropped : true;
    }
    if (state.written < this.max) { state.written++; return true; }
    state.dropped++;
    return false;
  }
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
