// @ppfm/protocol: the PPFM wire format. Pure TypeScript; no libp2p runtime, no tfjs.
export * from './errors.js';
export * from './limits.js';
export * from './ids.js';
export * from './weights.js';
export * from './weights-codec.js';
export * from './topics.js';
export * from './messages.js';
export { crc32 } from './crc32.js';
export { FLOAT16_MAX, toFloat16Bits, float16BitsToNumber } from './float16.js';
export * from './secagg/index.js';
