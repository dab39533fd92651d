/**
 * A small simulated world used by the foundation tests: `nodes` gossip actors that ping each other
 * on tick deadlines, persist counters and append pongs, over the simulated network and store, with
 * one crash and restart in the middle. Nothing Brook-specific: it exercises the runtime seams.
 */
import { SimWorld } from '../../runtime/sim/world.js';
import { gossipKind } from '../fixtures/gossip.js';

export function runGossipWorld(seed: number, options: { nodes?: number; untilMs?: number } = {}): SimWorld {
  const count = options.nodes ?? 3;
  const names = Array.from({ length: count }, (_, i) => `n${i + 1}`);
  const world = new SimWorld({ seed, network: { lossProbability: 0.05, duplicateProbability: 0.05 } });
  for (const name of names) {
    world.addNode(name, (node) => {
      const peers = names.filter((n) => n !== name).map((n) => `gossip/${n}`);
      node.host.spawn(gossipKind, `gossip/${name}`, { self: `gossip/${name}`, peers, seed: node.random.u32() });
    });
  }
  world.within(() => { for (const node of world.nodes.values()) node.start(); });
  const untilMs = options.untilMs ?? 2_000;
  world.run(untilMs / 2);
  world.within(() => world.nodes.get('n2')?.crash('power'));
  world.run(untilMs / 2 + 100);
  world.within(() => world.nodes.get('n2')?.restart());
  world.run(untilMs);
  return world;
}
