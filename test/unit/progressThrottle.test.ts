import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Throttle } from '../../src/main/services/jobs/host';

// Fake timers and a fake clock: the throttle's behaviour, not the machine's speed.
describe('progress throttle', () => {
  let now = 0;
  beforeEach(() => {
    vi.useFakeTimers();
    now = 0;
  });
  afterEach(() => vi.useRealTimers());

  it('sends at most one value per interval, the newest, and a flushed one at once', () => {
    const sent: number[] = [];
    const t = new Throttle<number>(
      (v) => sent.push(v),
      100,
      () => now,
    );
    for (let i = 1; i <= 50; i++) {
      t.push(i); // fifty values within 49 ms
      now += 1;
      vi.advanceTimersByTime(1);
    }
    expect(sent).toEqual([1]);
    now = 100;
    vi.advanceTimersByTime(100);
    expect(sent).toEqual([1, 50]);
    t.push(51);
    t.flush(99); // a change of state: now, and the pending 51 is dropped
    vi.advanceTimersByTime(1000);
    expect(sent).toEqual([1, 50, 99]);
  });
});
