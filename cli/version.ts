/**
 * The package's version, as package.json gives it: `cdk-securityhub-members --version` and
 * `npm run local -- --version` print it. The bundle (assets/cli/index.js) carries it inlined.
 */
import { version } from '../package.json';

/** The version of this package, e.g. `0.1.0`. */
export const VERSION: string = version;
