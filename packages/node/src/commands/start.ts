// `ppfm start`: runs one PPFM peer until it completes --rounds or receives SIGINT/SIGTERM.
import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import { createEventLog, type EventLog } from '../log/event-log.js';
import { KEY_FILE } from '../identity.js';
import type { PeerOptions } from '../options.js';
import { isLoopback } from '../dashboard/loopback.js';
import { createPeerMetrics } from '../metrics/peer-metrics.js';
import { serveMetrics, type MetricsServer } from '../metrics/server.js';
import { positiveInt, UsageError } from './errors.js';
import { describeStartError } from './start-errors.js';
import { privacyFromFlags, registerPrivacyFlags } from './privacy-flags.js';
import { addZeroShotOptions, zeroShotOptions } from './zs-start.js';
import {
  checkPaths,
  defaultDataDir,
  legacyDataDir,
  loadIdentity,
  privateNetwork,
  readModelSpec,
} from './start-inputs.js';
import { addStartOptions, DEFAULT_LISTEN, type StartFlags } from './start-options.js';

export { defaultDataDir, readModelSpec } from './start-inputs.js';
export { DEFAULT_LISTEN, START_OPTIONS, type StartFlags } from './start-options.js';

/** Starts a peer and resolves with its exit code once it has stopped. */
export async function runStart(flags: StartFlags): Promise<number> {
  await checkPaths(flags);
  if (flags.personaliseEvery === 0 && flags.rounds === undefined)
    throw new UsageError(
      '--personalise-every 0 personalises at the final round only and needs --rounds N ' +
        '(without it the peer would never personalise)',
    );
  const privacy = privacyFromFlags(flags, { rounds: flags.rounds, aggregator: flags.aggregator });
  const privateNet = await privateNetwork(flags);
  const model = flags.model !== undefined ? await readModelSpec(flags.model) : undefined;
  const dataDir = resolve(flags.dataDir ?? defaultDataDir(flags.data));
  const privateKey = await loadIdentity(dataDir, flags.dataDir !== undefined ? '--data-dir' : 'data dir');
  const peerId = peerIdFromPrivateKey(privateKey).toString();
  const toStdout = flags.logDir === '-';
  const logFile = toStdout
    ? undefined
    : join(resolve(flags.logDir ?? join(dataDir, 'logs')), `${peerId}.log`);
  let log: EventLog;
  try {
    log = createEventLog({
      ...(logFile !== undefined ? { file: logFile } : {}),
      peerId,
      stdout: toStdout,
      level: flags.logLevel,
      // Human lines go to stderr in every mode (with `--log-dir -` stdout carries the JSON).
      pretty: true,
      quiet: flags.quiet === true,
    });
  } catch (err) {
    if ((err as Error).name !== 'LogFileError') throw err;
    throw new UsageError(
      `${flags.logDir !== undefined ? '--log-dir' : '--data-dir'}: ${(err as Error).message}`,
    );
  }
  // Human output goes to stdout unless stdout carries the JSON log.
  const say = (line: string): void => {
    if (flags.quiet === true) return;
    (toStdout ? process.stderr : process.stdout).write(line + '\n');
  };
  say(`data dir: ${dataDir}`);
  const legacy = flags.dataDir === undefined ? legacyDataDir(flags.data) : undefined;
  if (legacy !== undefined && !existsSync(join(dataDir, KEY_FILE)))
    process.stderr.write(
      `ppfm: note: ${legacy} (the default data dir of older versions) holds an identity; ` +
        `pass --data-dir ${legacy} to keep that peer id and its checkpoints\n`,
    );

  // Metrics first: a port in use should fail before the peer joins the network.
  const metrics = flags.metrics !== undefined ? createPeerMetrics({ peerId }) : undefined;
  let metricsServer: MetricsServer | undefined;
  if (metrics !== undefined && flags.metrics !== undefined) {
    try {
      metricsServer = await serveMetrics(metrics.registry, flags.metrics);
    } catch (err) {
      await log.close();
      throw new UsageError(
        `--metrics: cannot listen on ${flags.metrics.host}:${flags.metrics.port}: ${(err as Error).message}`,
      );
    }
    if (!isLoopback(flags.metrics.host))
      process.stderr.write(
        `ppfm: warning: metrics on ${metricsServer.url} are readable by anyone who can reach that address\n`,
      );
  }

  const zeroShot = await zeroShotOptions(flags, resolve(flags.data));
  if (zeroShot !== undefined && flags.augment !== undefined)
    throw new UsageError(
      '--augment: zero-shot data augmentation needs a classification task, not --task zero-shot',
    );
  const opts: PeerOptions = {
    data: resolve(flags.data),
    dataDir,
    privateKey,
    listen: flags.listen && flags.listen.length > 0 ? flags.listen : [DEFAULT_LISTEN],
    bootstrap: flags.bootstrap ?? [],
    mdns: flags.mdns === true,
    backend: flags.backend,
    ...(model !== undefined ? { model } : {}),
    ...(flags.augment !== undefined
      ? {
          augment: {
            mode: flags.augment,
            threshold: flags.augmentThreshold,
            perClass: flags.augmentPerClass,
            steps: flags.augmentSteps,
            timeBudgetMs: flags.augmentTime * 1000,
            snapLow: flags.augmentSnap,
          },
        }
      : {}),
    ...(flags.rounds !== undefined ? { rounds: flags.rounds } : {}),
    oneHost: flags.oneHost === true,
    codec: flags.codec,
    personaliseEvery: flags.personaliseEvery,
    seed: flags.seed,
    minPeers: flags.minPeers,
    clustering: flags.clustering,
    ...(zeroShot !== undefined ? { zeroShot } : {}),
    ...(metrics !== undefined ? { metrics } : {}),
    ...(privacy !== undefined ? { privacy } : {}),
    ...privateNet,
    aggregator: flags.aggregator,
    timing: { bootstrapWaitMs: flags.bootstrapWait * 1000 },
    fresh: flags.fresh === true,
    // Notices reach the terminal through the event log's human lines (warnings even with --quiet).
  };
  const { startPeer } = await import('../peer.js');
  let peer;
  try {
    peer = await startPeer(opts, log);
  } catch (err) {
    await metricsServer?.close();
    await log.close();
    throw describeStartError(err);
  }
  say(`peer ${peer.peerId.toString()}`);
  for (const a of peer.addrs) say(a.toString());
  if (logFile !== undefined) say(`log: ${logFile}`);
  if (metricsServer !== undefined) say(`metrics: ${metricsServer.url}`);

  let signals = 0;
  const onSignal = (sig: NodeJS.Signals): void => {
    signals++;
    if (signals > 1) {
      // A second Ctrl-C means "now": skip the graceful shutdown.
      process.stderr.write(`ppfm: ${sig} again, exiting immediately\n`);
      process.exit(130);
    }
    process.stderr.write(`ppfm: ${sig}, stopping (saving checkpoint); press Ctrl-C again to exit now\n`);
    void peer.stop('signal').catch((err: unknown) => {
      process.stderr.write(`ppfm: error while stopping: ${(err as Error).message}\n`);
    });
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    await peer.done;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await metricsServer?.close();
    await log.close();
  }
  return 0;
}

/** Registers the start subcommand. */
export function registerStart(program: Command, onExit: (code: number) => void): void {
  const start = program
    .command('start')
    .description('Start a PPFM peer on a local dataset. Runs until --rounds are done or SIGINT/SIGTERM.');
  addStartOptions(start);
  addZeroShotOptions(start, positiveInt);
  registerPrivacyFlags(start).action(async (flags: StartFlags) => onExit(await runStart(flags)));
}
