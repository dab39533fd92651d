// The public surface of transport/: the envelope, its codec, the Transport contract and its three implementations.
export { ADDRESS_CHARS_MAX, ENVELOPE_BYTES_MAX, isAddress, type Envelope } from './envelope.js';
export { CodecError, checkEnvelope, decodeEnvelope, encodeEnvelope, type CodecErrorCode } from './codec.js';
export { silentLog, type EnvelopeHandler, type Transport, type TransportLog } from './transport.js';
export { addressFor, decodeToken, encodeToken, subjectFor } from './subject.js';
export { MemoryNetwork, type MemoryNetworkOptions } from './memory.js';
export {
  SimNetwork, simNetworkDefaults,
  type DeliverHook, type SimDropCause, type SimNetworkEnv, type SimNetworkOptions, type SimNetworkRandom, type SimNetworkStats,
} from './simulated.js';
export { NatsTransport, type NatsTransportOptions } from './nats.js';
