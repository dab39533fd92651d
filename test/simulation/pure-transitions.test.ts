// Goal: no actor's transition changes the snapshot it was given (xstate's `transition()` is pure
// only if every handler copies what it changes), for every actor kind, on the event sequences a
// real cluster produces. Method: run short seeded stream simulations (faults, a consumer group in
// some seeds) with a tap that records each actor's input and every event it was given; replay
// each actor's sequence through `transition()`, cloning the snapshot before each event and
// comparing after it (Maps and byte arrays included), and running its invariants after each step.
import test from 'ava';
import type { AnyStateMachine } from 'xstate';
import { runStreamSim } from '../../runtime/sim/stream-run.js';
import { controllerKind, coordinatorKind, nodeKind, partitionKind } from '../../runtime/node/kinds.js';
import { NODE_DEFAULTS } from '../../actors/node.js';
import { consumerKind, producerKind } from '../../runtime/sdk/kinds.js';
import { deepClone, replayPure } from '../helpers/pure-transitions.js';

interface Recording { address: string; kind: string; input: unknown; events: Array<{ type: string }> }

const KINDS: Record<string, { machine: AnyStateMachine; invariants?: (context: never) => void }> = {
  controller: controllerKind(), partition: partitionKind(), coordinator: coordinatorKind(), node: nodeKind(NODE_DEFAULTS), producer: producerKind, consumer: consumerKind,
};

/** Seeds with faults of every kind between them; 3 and 4 carry a consumer group. */
const SEEDS = [3, 4, 2];

function record(seed: number): Recording[] {
  const recordings: Recording[] = [];
  const result = runStreamSim({ seed, durationMs: 4000, livenessMs: 8000, tap: (address, kind, input) => {
    const r: Recording = { address, kind, input: deepClone(input), events: [] };
    recordings.push(r);
    return (event) => { r.events.push(deepClone(event)); };
  } });
  if (result.violations.length > 0) throw new Error(`seed ${seed} failed: ${result.violations.join('; ')}`);
  return recordings;
}

const recorded = SEEDS.map((seed) => ({ seed, recordings: record(seed) }));

for (const kind of Object.keys(KINDS)) {
  test(`${kind}: every recorded transition leaves its input snapshot unchanged`, (t) => {
    const { machine, invariants } = KINDS[kind] as (typeof KINDS)[string];
    let actors = 0;
    let events = 0;
    for (const { seed, recordings } of recorded) {
      for (const r of recordings.filter((x) => x.kind === kind)) {
        const result = replayPure(machine, r.input, r.events, invariants);
        t.is(result.impure, undefined, `seed ${seed} ${r.address}: ${result.impure}`);
        if (result.impure !== undefined) return;
        actors++;
        events += result.events;
      }
    }
    t.log(`${actors} ${kind} actors, ${events} events`);
    t.true(events > 100, `the simulations gave the ${kind} events to replay`);
  });
}
