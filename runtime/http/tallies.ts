/**
 * The request figures the metering transport keeps, as plain numbers: adding to a field costs a few
 * nanoseconds, where a prom-client counter or histogram hashes its labels on every call (about half
 * a microsecond each). The registry copies them into its counters when it is scraped
 * (runtime/http/metrics-registry.ts).
 */
/** Kafka's request names for the requests whose time is measured (RequestMetrics `request=`). */
export type RequestName = 'Produce' | 'FetchConsumer' | 'FetchFollower';

export interface TopicTally { messagesIn: number; bytesIn: number; messagesOut: number; bytesOut: number }

/** Bucket bounds of request times, in seconds. */
export const REQUEST_TIME_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5] as const;

/** One request kind's time histogram: counts per bucket (not cumulative), sum and count. */
export class TimeTally {
  readonly buckets = new Float64Array(REQUEST_TIME_BUCKETS.length + 1);
  sum = 0;
  count = 0;

  observe(seconds: number): void {
    let i = 0;
    while (i < REQUEST_TIME_BUCKETS.length && seconds > (REQUEST_TIME_BUCKETS[i] as number)) i++;
    this.buckets[i] = (this.buckets[i] ?? 0) + 1;
    this.sum += seconds;
    this.count++;
  }
}

export class RequestTallies {
  readonly topics = new Map<string, TopicTally>();
  readonly times: Record<RequestName, TimeTally> = { Produce: new TimeTally(), FetchConsumer: new TimeTally(), FetchFollower: new TimeTally() };
  /** `request error` → answers with that error code. */
  readonly errors = new Map<string, number>();
  replicationBytesIn = 0;
  replicationBytesOut = 0;
  isrShrinks = 0;
  isrExpands = 0;

  topic(label: string): TopicTally {
    let tally = this.topics.get(label);
    if (tally === undefined) {
      tally = { messagesIn: 0, bytesIn: 0, messagesOut: 0, bytesOut: 0 };
      this.topics.set(label, tally);
    }
    return tally;
  }

  error(request: RequestName, code: string): void {
    const key = `${request} ${code}`;
    this.errors.set(key, (this.errors.get(key) ?? 0) + 1);
  }
}
