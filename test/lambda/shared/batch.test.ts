import { chunk, mapWithConcurrency } from '../../../lambda/shared/batch';

describe('chunk', () => {
  test.each([
    [0, []],
    [1, [1]],
    [50, [50]],
    [51, [50, 1]],
    [120, [50, 50, 20]],
  ])('%i items in chunks of 50: %j', (count, sizes) => {
    const items = Array.from({ length: count }, (_, i) => i);
    const chunks = chunk(items, 50);
    expect(chunks.map((c) => c.length)).toEqual(sizes);
    expect(chunks.flat()).toEqual(items);
  });

  test('fails when the size is not a positive integer', () => {
    expect(() => chunk([1], 0)).toThrow('invalid chunk size 0: expected a positive integer');
  });
});

describe('mapWithConcurrency', () => {
  test('keeps the input order and never exceeds the limit', async () => {
    let inFlight = 0;
    let most = 0;
    const result = await mapWithConcurrency([5, 1, 4, 2, 3], 2, async (n) => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((resolve) => setImmediate(resolve));
      inFlight--;
      return n * 10;
    });
    expect(result).toEqual([50, 10, 40, 20, 30]);
    expect(most).toBe(2);
  });

  test('attempts every item before rethrowing the first failure', async () => {
    const seen: number[] = [];
    await expect(mapWithConcurrency([1, 2, 3], 1, async (n) => {
      seen.push(n);
      if (n === 2) {
        throw new Error('two failed');
      }
      return n;
    })).rejects.toThrow('two failed');
    expect(seen).toEqual([1, 2, 3]);
  });

  test('fails when the limit is not a positive integer', async () => {
    await expect(mapWithConcurrency([1], 0, async (n) => n)).rejects.toThrow('invalid concurrency 0');
  });
});
