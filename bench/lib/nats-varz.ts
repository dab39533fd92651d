// Messages through a nats-server, read from its monitoring endpoint (`/varz`, started with
// `startNatsServer({ monitor: true })`): how many messages a workload really sends, for CPU-per-message
// figures that do not rest on a count of what the protocol ought to send.

export interface MessageCounts { inMsgs: number; outMsgs: number }

export async function natsMessageCounts(monitorUrl: string): Promise<MessageCounts> {
  const response = await fetch(`${monitorUrl}/varz`);
  if (!response.ok) throw new Error(`${monitorUrl}/varz answered ${response.status}`);
  const varz = await response.json() as { in_msgs?: unknown; out_msgs?: unknown };
  if (typeof varz.in_msgs !== 'number' || typeof varz.out_msgs !== 'number') throw new Error(`${monitorUrl}/varz has no in_msgs/out_msgs`);
  return { inMsgs: varz.in_msgs, outMsgs: varz.out_msgs };
}
