// Prints the digest of one gossip world run, for the cross-process determinism test.
import { runGossipWorld } from './gossip-world.js';

const seed = Number(process.argv[2] ?? '1');
process.stdout.write(runGossipWorld(seed).digest() + '\n');
