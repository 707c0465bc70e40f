import { allPages } from '../../../lambda/shared/fleet/reads';

describe('allPages', () => {
  test('reads every page until no token', async () => {
    const pages: Record<string, { items: number[]; nextToken?: string }> = { '': { items: [1, 2], nextToken: 'a' }, 'a': { items: [3], nextToken: '' } };
    const tokens: (string | undefined)[] = [];
    expect(await allPages('ListMembers', async (token) => {
      tokens.push(token);
      return pages[token ?? ''];
    })).toEqual([1, 2, 3]);
    expect(tokens).toEqual([undefined, 'a']);
  });

  test('fails on a token handed out twice, naming the call and the token', async () => {
    const pages: Record<string, { items: number[]; nextToken?: string }> = { '': { items: [1], nextToken: 'a' }, 'a': { items: [2], nextToken: 'b' }, 'b': { items: [3], nextToken: 'a' } };
    await expect(allPages('ListMembers', async (token) => pages[token ?? ''])).rejects.toThrow('ListMembers returned the NextToken "a" twice: expected each page once');
  });
});
