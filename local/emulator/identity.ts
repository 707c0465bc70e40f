/** Who a request comes from, as the emulator reads it from the SigV4 `Authorization` header. */
export interface CallerIdentity {
  /** The 12-digit account id found in the access key id. */
  readonly account: string;
  /** The region of the credential scope. */
  readonly region: string;
  /** The access key id as sent. */
  readonly accessKeyId: string;
}

/** The result of {@link parseIdentity}: the identity, or why there is none. */
export type IdentityResult =
  | { readonly ok: true; readonly identity: CallerIdentity }
  | { readonly ok: false; readonly message: string };

const HOW_TO =
  'set AWS_ACCESS_KEY_ID to the 12-digit account id to act as (e.g. 111111111111 or AKID111111111111), ' +
  'any AWS_SECRET_ACCESS_KEY, and AWS_REGION';

const CREDENTIAL = /Credential=([^/,\s]+)\/\d{8}\/([^/,\s]+)\/[^/,\s]+\/aws4_request/;

// Exactly 12 digits: a longer run of digits is not an account id.
const ACCOUNT_IN_KEY = /(?:^|\D)(\d{12})(?!\d)/;

/**
 * Reads the caller's account and region from a SigV4 `Authorization` header.
 *
 * The signature is not checked: the emulator lets any caller act as any account, and the access key
 * id only says which one.
 *
 * @param authorization the header's value, if any
 */
export function parseIdentity(authorization: string | undefined): IdentityResult {
  if (!authorization) {
    return { ok: false, message: `The request has no SigV4 Authorization header: ${HOW_TO}.` };
  }
  const credential = CREDENTIAL.exec(authorization);
  if (!authorization.startsWith('AWS4-HMAC-SHA256 ') || !credential) {
    return { ok: false, message: `The Authorization header is not a SigV4 header with a credential scope: ${HOW_TO}.` };
  }
  const [, accessKeyId, region] = credential;
  const account = ACCOUNT_IN_KEY.exec(accessKeyId);
  if (!account) {
    return { ok: false, message: `The access key id "${accessKeyId}" holds no 12-digit account id: ${HOW_TO}.` };
  }
  return { ok: true, identity: { account: account[1], region, accessKeyId } };
}
