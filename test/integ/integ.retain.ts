/**
 * The same app with `removalPolicy: RETAIN`: after the destroy the member is still Enabled,
 * because CloudFormation sent neither resource a Delete.
 */
import { App } from 'aws-cdk-lib';
import { buildIntegApp, INTEG_CASES } from './fleet';

const app = new App();
buildIntegApp(app, INTEG_CASES.retain);
app.synth();
