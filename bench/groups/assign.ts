// (d) Assignment time of the server-side assignors, pure and in-process: 1,000 members subscribed
// to 10 topics of 1,000 partitions each. Cases: a fresh group (nobody owns anything), the same
// group again (every member keeps its partitions: the sticky path), one member joining and one
// leaving a settled group.
import { ASSIGNORS, type AssignorMember, type Assignment } from '../../actors/coordinator/assignors.js';
import { summarizeLatency, type LatencySummary } from '../lib/stats.js';

export interface AssignFigures { assignor: string; members: number; partitions: number; cases: Record<string, LatencySummary> }

function time(rounds: number, run: () => Assignment): LatencySummary {
  const samples = new Float64Array(rounds);
  for (let i = 0; i < rounds; i++) {
    const started = performance.now();
    run();
    samples[i] = performance.now() - started;
  }
  return summarizeLatency(samples, rounds);
}

export function measureAssignors(options: { members: number; topics: number; partitionsPerTopic: number; rounds: number }): AssignFigures[] {
  const topics: Record<string, number> = {};
  for (let t = 0; t < options.topics; t++) topics[`t${t}`] = options.partitionsPerTopic;
  const names = Object.keys(topics);
  const member = (i: number, current: readonly string[] = []): AssignorMember => ({ memberId: `m${String(i).padStart(5, '0')}`, topics: names, current });
  return Object.entries(ASSIGNORS).map(([name, assign]) => {
    const fresh = Array.from({ length: options.members }, (_, i) => member(i));
    const first = assign(fresh, topics);
    const settled = fresh.map((m) => ({ ...m, current: first[m.memberId] ?? [] }));
    return {
      assignor: name, members: options.members, partitions: options.topics * options.partitionsPerTopic,
      cases: {
        fresh: time(options.rounds, () => assign(fresh, topics)),
        unchanged: time(options.rounds, () => assign(settled, topics)),
        'one joins': time(options.rounds, () => assign([...settled, member(options.members)], topics)),
        'one leaves': time(options.rounds, () => assign(settled.slice(1), topics)),
      },
    };
  });
}
