import { ServiceError } from './errors';

/** The largest page ListMembers and ListInvitations answer. */
export const MAX_PAGE_SIZE = 50;

/** One page of a list, with the token of the next page when there is one. */
export interface Page<T> {
  /** The items of this page. */
  readonly items: T[];
  /** Where the next page starts; absent on the last page. */
  readonly nextToken?: string;
}

interface TokenBody {
  readonly list: string;
  readonly after: string;
}

/**
 * Reads the MaxResults query parameter: absent means the largest page.
 *
 * @throws ServiceError InvalidInputException when it is not an integer from 1 to 50
 */
export function parseMaxResults(value: string | null): number {
  if (value === null) {
    return MAX_PAGE_SIZE;
  }
  const n = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!(n >= 1 && n <= MAX_PAGE_SIZE)) {
    throw new ServiceError('InvalidInputException', `MaxResults must be an integer from 1 to ${MAX_PAGE_SIZE}, got "${value}".`);
  }
  return n;
}

/**
 * Cuts a list sorted by key into pages. The token names the last key answered rather than an
 * offset, so a page boundary stays right when members are added or deleted between two calls.
 *
 * @param list a name for the list; a token of one list is refused by another
 * @param items the whole list, sorted by `key`
 * @param key each item's unique sort key
 * @param maxResults the page size
 * @param nextToken the token from the previous page, if any (an empty string means none)
 * @throws ServiceError InvalidInputException when the token was not made by this list
 */
export function paginate<T>(list: string, items: readonly T[], key: (item: T) => string, maxResults: number, nextToken: string | null | undefined): Page<T> {
  const after = nextToken ? decodeToken(list, nextToken) : undefined;
  const rest = after === undefined ? items : items.filter((item) => key(item) > after);
  const page = rest.slice(0, maxResults);
  if (rest.length <= maxResults) {
    return { items: page };
  }
  const body: TokenBody = { list, after: key(page[page.length - 1]) };
  return { items: page, nextToken: Buffer.from(JSON.stringify(body)).toString('base64url') };
}

function decodeToken(list: string, token: string): string {
  let body: Partial<TokenBody> | undefined;
  try {
    body = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Partial<TokenBody>;
  } catch {
    body = undefined;
  }
  if (!body || body.list !== list || typeof body.after !== 'string') {
    throw new ServiceError('InvalidInputException', 'The NextToken is not valid: pass the NextToken of the previous answer of the same operation.');
  }
  return body.after;
}
