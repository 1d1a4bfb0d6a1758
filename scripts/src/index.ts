// The testnet engine, for in-process use (end-to-end tests, benchmarks).
export { runTestnet, type RunHooks, type RunResult, type ResourceStats } from './testnet/run.js';
export { DEFAULTS, parseTestnetArgs, type TestnetOptions } from './testnet/options.js';
export { formatSummary, summarise, type TestnetSummary } from './testnet/summary.js';
export { NetworkState } from './testnet/state.js';
export { LogFollower } from './testnet/follow.js';
