/**
 * The aws-cdk-lib the construct tests run against: the pinned latest, or the peer range's floor
 * (2.200.0) in the jest project that maps aws-cdk-lib to it (jest.config.js).
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { version } = require('aws-cdk-lib/package.json') as { version: string };

/** Whether these tests run against the floor, aws-cdk-lib 2.200.0. */
export const AT_FLOOR = version === '2.200.0';

/** The handlers' runtime: Node.js 24 where aws-cdk-lib knows it, Node.js 22 at the floor, which predates it. */
export const HANDLER_RUNTIME = AT_FLOOR ? 'nodejs22.x' : 'nodejs24.x';
