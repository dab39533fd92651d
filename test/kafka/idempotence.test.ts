// Goal: idempotent producing over the Kafka protocol keeps Kafka's rules, with Kafka's error codes
// on the wire: a batch sent again is answered with the offsets it got the first time and not
// written twice; a sequence gap is refused (OUT_OF_ORDER_SEQUENCE_NUMBER, 45); an epoch older than
// the producer's newest is refused (INVALID_PRODUCER_EPOCH, 47). And a kafkajs idempotent producer
// whose Produce response is lost (the connection drops after the broker wrote the batch) resends
// it, and every record is in the log once.
// Method: one `brook node join --kafka` process over a real nats-server; raw Produce requests with
// batches built by kafkajs's own encoder; kafkajs connected through a loopback TCP proxy that loses
// the first Produce response; the log read back with Brook's SDK, record by record.
import test from 'ava';
import { connect } from 'node:net';
import { Kafka, logLevel } from 'kafkajs';
import { KafkaCluster } from '../helpers/kafka-cluster.js';
import { LoseFirstProduceResponse, recordBatch, WireClient } from '../helpers/kafka-wire.js';
import { NodeProxy } from '../helpers/tcp-proxy.js';
import { eventually } from '../helpers/brook-processes.js';
import { initProducerId, produce } from '../../runtime/kafka/schemas/index.js';
import { KAFKA } from '../../runtime/kafka/errors.js';

let cluster: KafkaCluster;
let port: number;

test.before(async () => {
  cluster = await KafkaCluster.start('idem', 1);
  port = cluster.ports.get(1) as number;
});
test.after.always(async () => { await cluster?.stop(); });

type Answer = { errorCode: number; baseOffset: number };
async function send(wire: WireClient, topic: string, batch: Buffer): Promise<Answer> {
  const reply = await wire.request(produce, 7, { transactionalId: null, acks: -1, timeoutMs: 10_000,
    topicData: [{ name: topic, partitionData: [{ index: 0, records: batch }] }] });
  const answer = (reply['responses'] as Array<{ partitionResponses: Answer[] }>)[0]?.partitionResponses[0];
  if (answer === undefined) throw new Error('no partition answer');
  return { errorCode: answer.errorCode, baseOffset: answer.baseOffset };
}

/** Every value in the partition, in offset order, read with Brook's SDK up to the log end. */
async function readAll(topic: string): Promise<string[]> {
  const end = (await cluster.admin.listOffsets(topic, 'latest'))[0]?.offset ?? 0;
  const consumer = cluster.client.consumer({});
  await consumer.assign([{ topic, partition: 0, offset: 'earliest' }]);
  const values: string[] = [];
  let position = 0;
  try {
    await eventually(async () => {
      for (const r of await consumer.poll({ timeoutMs: 500 })) { values.push(Buffer.from(r.value as Uint8Array).toString()); position = r.offset + 1; }
      return position >= end ? true : undefined;
    }, 30_000, `${topic} read to offset ${end}`);
  } finally { await consumer.close(); }
  return values;
}

test.serial('over the wire: a replayed batch gets its first offsets back, a sequence gap gets 45, an old epoch 47', async (t) => {
  await cluster.admin.createTopic('wire-idem', { partitions: 1, replicationFactor: 1 });
  await cluster.waitLeaders('wire-idem', 1);
  const wire = await WireClient.open(port);
  try {
    const init = await wire.request(initProducerId, 1, { transactionalId: null, transactionTimeoutMs: 60_000 });
    t.is(init['errorCode'], 0);
    const producerId = init['producerId'] as number;
    t.true(producerId >= 0);
    // Epoch 1, so that an older epoch (0) exists to send.
    const first = await recordBatch(['a', 'b', 'c'], { producerId, producerEpoch: 1, firstSequence: 0 });
    t.deepEqual(await send(wire, 'wire-idem', first), { errorCode: 0, baseOffset: 0 });
    t.deepEqual(await send(wire, 'wire-idem', await recordBatch(['d'], { producerId, producerEpoch: 1, firstSequence: 3 })), { errorCode: 0, baseOffset: 3 });
    t.deepEqual(await send(wire, 'wire-idem', first), { errorCode: 0, baseOffset: 0 }, 'the captured batch replayed: the offsets it got the first time');
    const gap = await send(wire, 'wire-idem', await recordBatch(['f'], { producerId, producerEpoch: 1, firstSequence: 5 }));
    t.is(gap.errorCode, KAFKA.OUT_OF_ORDER_SEQUENCE_NUMBER, 'sequence 5 after 3: a gap');
    t.is(KAFKA.OUT_OF_ORDER_SEQUENCE_NUMBER, 45);
    const old = await send(wire, 'wire-idem', await recordBatch(['e'], { producerId, producerEpoch: 0, firstSequence: 4 }));
    t.is(old.errorCode, KAFKA.INVALID_PRODUCER_EPOCH, 'epoch 0 after epoch 1: fenced');
    t.is(KAFKA.INVALID_PRODUCER_EPOCH, 47);
    t.deepEqual(await send(wire, 'wire-idem', await recordBatch(['e'], { producerId, producerEpoch: 1, firstSequence: 4 })), { errorCode: 0, baseOffset: 4 },
      'the next sequence is still taken after the refusals');
  } finally { wire.close(); }
  t.deepEqual(await readAll('wire-idem'), ['a', 'b', 'c', 'd', 'e'], 'nothing written twice, nothing refused written');
});

test.serial('a kafkajs idempotent producer whose first Produce response is lost resends it: every record once', async (t) => {
  await cluster.admin.createTopic('lost-ack', { partitions: 1, replicationFactor: 1 });
  await cluster.waitLeaders('lost-ack', 1);
  const loss = new LoseFirstProduceResponse();
  const proxy = await NodeProxy.start('kafka', [port], { intercept: loss.tap });
  // Every connection kafkajs opens (bootstrap, and the broker Metadata advertises) goes through the proxy.
  const proxyPort = proxy.ports[0] as number;
  const kafka = new Kafka({ brokers: [`127.0.0.1:${proxyPort}`], clientId: 'lost-ack', logLevel: logLevel.NOTHING,
    retry: { retries: 10, initialRetryTime: 100, maxRetryTime: 2000 },
    socketFactory: ({ onConnect }) => connect({ host: '127.0.0.1', port: proxyPort }, onConnect) });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  try {
    await producer.connect();
    const sent: string[] = [];
    for (let b = 0; b < 10; b++) {
      const values = Array.from({ length: 5 }, (_, i) => `v-${b}-${i}`);
      await producer.send({ topic: 'lost-ack', acks: -1, messages: values.map((value) => ({ value })) });
      sent.push(...values);
    }
    t.true(loss.lost, 'the first Produce response was lost');
    t.true(loss.produceRequests > 10, `the lost batch was sent again (${loss.produceRequests} Produce requests for 10 batches)`);
    const log = await readAll('lost-ack');
    t.deepEqual(log, sent, 'each record once, in the order sent');
  } finally {
    await producer.disconnect();
    await proxy.close();
  }
});
