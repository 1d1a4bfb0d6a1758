import assert from 'node:assert/strict';
import { ManualClock } from '../src/clock.js';
import { ChangeDamper } from '../src/services/change-damper.js';

describe('change damper (view changes before reclustering)', () => {
  const policy = { baseMs: 300, maxMs: 4000, calmMs: 8000 };

  it('turns a burst of changes into one event, within the max wait of the first', () => {
    const clock = new ManualClock();
    const fired: number[] = [];
    const d = new ChangeDamper(clock, policy, () => fired.push(clock.now()));
    for (let i = 0; i < 5; i++) {
      d.changed();
      clock.advance(100);
    }
    assert.equal(fired.length, 0);
    clock.advance(300);
    assert.equal(fired.join(), '700', '300 ms after the last change');
    // a never-ending stream of changes still fires, at the latest maxMs after its first change
    const start = clock.now();
    for (let i = 0; i < 100; i++) {
      d.changed();
      clock.advance(100);
    }
    assert.ok(fired.length >= 2 && (fired[1] as number) - start <= 4000, JSON.stringify(fired));
  });

  it('backs off while events keep coming and returns to the base wait after a calm stretch', () => {
    const clock = new ManualClock();
    let n = 0;
    const d = new ChangeDamper(clock, policy, () => n++);
    const waits: number[] = [];
    for (let i = 0; i < 5; i++) {
      d.changed();
      clock.advance(5000);
      waits.push(d.currentWaitMs);
    }
    assert.equal(n, 5);
    assert.deepEqual(waits, [300, 600, 1200, 2400, 4000]);
    clock.advance(20_000);
    d.changed();
    clock.advance(5000);
    assert.equal(d.currentWaitMs, 300);
  });

  it('stop cancels a pending event', () => {
    const clock = new ManualClock();
    let n = 0;
    const d = new ChangeDamper(clock, policy, () => n++);
    d.changed();
    d.stop();
    clock.advance(10_000);
    assert.equal(n, 0);
  });
});
