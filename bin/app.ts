#!/usr/bin/env node
/** The CDK app of cdk.json: the sample in sample-app.ts, configured from cdk.json's context. */
import { App } from 'aws-cdk-lib';
import { buildSampleApp } from './sample-app';

const app = new App();
buildSampleApp(app);
app.synth();
