/**
 * The README's Usage app, deployed for real: the administrator invites the member, the member
 * accepts, GetMembers shows it Enabled; the destroy's Delete removes it (removalPolicy DESTROY).
 */
import { App } from 'aws-cdk-lib';
import { buildIntegApp, INTEG_CASES } from './fleet';

const app = new App();
buildIntegApp(app, INTEG_CASES.members);
app.synth();
