// A peer that cannot reach its bootstrap peers says so (issue 16: 64 peers, where late joiners
// retried silently for minutes): failed bootstrap dials reach the caller, one dial per address at a
// time, and DialFailureLog turns them into rate-limited `dial_failed` notices.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { generateKeyPair } from '@libp2p/crypto/keys';
import type { PrivateKey } from '@libp2p/interface';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import type { LogEvent } from '../src/log/events.js';
import { EventBus } from '../src/events.js';
import { createHost, type StartedHost } from '../src/host.js';
import { DIAL_FAILURE_LOG_MS, DialFailureLog } from '../src/net/dial-failure-log.js';

describe('failed bootstrap dials', function () {
  this.timeout(30_000);

  it('are reported with the address and error, one dial per address at a time', async () => {
    // A bootstrap peer that accepts TCP and then hangs up without a Noise reply.
    let inFlight = 0;
    let maxInFlight = 0;
    let connections = 0;
    const silent: Server = createServer((s) => {
      connections++;
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      s.on('close', () => inFlight--);
      setTimeout(() => s.destroy(), 100);
    });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as { port: number }).port;
    const other = (await generateKeyPair('Ed25519')) as unknown as PrivateKey;
    const addr = `/ip4/127.0.0.1/tcp/${port}/p2p/${peerIdFromPrivateKey(other).toString()}`;
    const failures: { addr: string; error: Error }[] = [];
    let third: () => void = () => undefined;
    const threeFailures = new Promise<void>((r) => (third = r));
    let host: StartedHost | undefined;
    try {
      host = await createHost({
        privateKey: (await generateKeyPair('Ed25519')) as unknown as PrivateKey,
        listen: ['/ip4/127.0.0.1/tcp/0'],
        bootstrap: [addr],
        oneHost: true,
        // Re-dial far more often than a try lasts: joined dials would show as extra failures.
        redialMs: 10,
        onRedialError: (a, error) => {
          failures.push({ addr: a, error });
          if (failures.length === 3) third();
        },
      });
      await threeFailures;
    } finally {
      await host?.stop();
      silent.close();
    }
    for (const f of failures) {
      assert.equal(f.addr, addr);
      assert.ok(f.error.message.length > 0, 'an error without a message');
    }
    assert.equal(maxInFlight, 1, `${maxInFlight} connections to one bootstrap address at once`);
    // Every failure reported is a try of its own, not a re-dial that joined a pending one.
    assert.ok(failures.length <= connections, `${failures.length} failures for ${connections} tries`);
  });
});

describe('DialFailureLog', () => {
  it('says the first failure, counts the next ones for a minute, then says them with the count', () => {
    const bus = new EventBus();
    const logged: LogEvent[] = [];
    bus.on('log', (e) => logged.push(e));
    let now = 1_000;
    const log = new DialFailureLog({ bus, clock: { now: () => now } });
    const err = new Error('Timed out');
    err.name = 'EncryptionFailedError';
    log.failed('/ip4/127.0.0.1/tcp/1/p2p/A', err);
    assert.equal(logged.length, 1);
    assert.match(JSON.stringify(logged[0]), /dial_failed/);
    assert.match(
      JSON.stringify(logged[0]),
      /tcp\/1\/p2p\/A failed: EncryptionFailedError: Timed out; retrying/,
    );
    now += 1_000;
    log.failed('/ip4/127.0.0.1/tcp/1/p2p/A', err);
    log.failed('/ip4/127.0.0.1/tcp/1/p2p/A', err);
    assert.equal(logged.length, 1, 'a second line within the minute');
    // Another address has its own line.
    log.failed('/ip4/127.0.0.1/tcp/2/p2p/B', err);
    assert.equal(logged.length, 2);
    now += DIAL_FAILURE_LOG_MS;
    log.failed('/ip4/127.0.0.1/tcp/1/p2p/A', err);
    assert.equal(logged.length, 3);
    assert.match(JSON.stringify(logged[2]), /\(3 failures in the last minute\)/);
  });
});
