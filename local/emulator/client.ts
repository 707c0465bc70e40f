import { SecurityHubClient, SecurityHubClientConfig } from '@aws-sdk/client-securityhub';

/**
 * A `SecurityHubClient` pointed at an emulator, acting as the given account: the emulator reads the
 * account from the access key id and the region from the signature's credential scope.
 *
 * @param url the emulator's `url`
 * @param account the 12-digit account id to act as
 * @param region the region to act in
 * @param overrides any other client settings (e.g. `maxAttempts`, `retryMode`)
 */
export function emulatorClient(url: string, account: string, region = 'us-east-1', overrides: SecurityHubClientConfig = {}): SecurityHubClient {
  return new SecurityHubClient({
    endpoint: url,
    region,
    credentials: { accessKeyId: account, secretAccessKey: 'local' },
    ...overrides,
  });
}

/**
 * The environment variables that point the AWS CLI, or an SDK client built without an explicit
 * endpoint, at an emulator as the given account.
 */
export function emulatorEnv(url: string, account: string, region = 'us-east-1'): Record<string, string> {
  return {
    AWS_ENDPOINT_URL_SECURITYHUB: url,
    AWS_ACCESS_KEY_ID: account,
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_REGION: region,
  };
}
