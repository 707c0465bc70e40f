import { Pacer, PacerClock } from '../../../lambda/shared/pacer';

/** A fake clock: sleeping advances time instantly and records how long was slept. */
function fakeClock(): PacerClock & { time: number; slept: number[] } {
  const clock = {
    time: 0,
    slept: [] as number[],
    now: () => clock.time,
    sleep: async (ms: number) => {
      clock.slept.push(ms);
      clock.time += ms;
    },
  };
  return clock;
}

describe('Pacer', () => {
  test('lets a burst through at once, then paces at the rate', async () => {
    const clock = fakeClock();
    const pacer = new Pacer(10, 30, clock);
    const sentAt: number[] = [];
    for (let i = 0; i < 60; i++) {
      await pacer.take();
      sentAt.push(clock.time);
    }
    expect(sentAt.slice(0, 30).every((t) => t === 0)).toBe(true);
    // 30 more at 10 per second: the last goes out after 3 s, which is what the service allows.
    expect(sentAt[59]).toBe(3000);
    expect(sentAt[30]).toBe(100);
  });

  test('refills while idle, up to the burst', async () => {
    const clock = fakeClock();
    const pacer = new Pacer(10, 2, clock);
    await pacer.take();
    await pacer.take();
    clock.time += 10_000;
    await pacer.take();
    await pacer.take();
    expect(clock.slept).toEqual([]);
    await pacer.take();
    expect(clock.slept).toEqual([100]);
  });

  test('serves concurrent callers in arrival order', async () => {
    const clock = fakeClock();
    const pacer = new Pacer(1, 1, clock);
    const order: number[] = [];
    await Promise.all([1, 2, 3].map((n) => pacer.take().then(() => order.push(n))));
    expect(order).toEqual([1, 2, 3]);
    expect(clock.time).toBe(2000);
  });

  test('drain empties the bucket, as after a throttle by another caller', async () => {
    const clock = fakeClock();
    const pacer = new Pacer(10, 30, clock);
    await pacer.take();
    pacer.drain();
    await pacer.take();
    expect(clock.slept).toEqual([100]);
  });

  test('fails when the rate or burst is not positive', () => {
    expect(() => new Pacer(0, 30)).toThrow('invalid pacing 0/s burst 30');
  });
});
