import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks } from 'cdk-nag';
import { parseConfig } from './config.ts';
import { PipelineStack } from './stack.ts';

/** Builds the app; cdk-nag's AwsSolutions and HIPAA Security packs run on every synth. */
export function buildApp(app = new App()): { app: App; stack: PipelineStack } {
  const config = parseConfig(app.node.tryGetContext('config'));
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new HIPAASecurityChecks(app));
  const stack = new PipelineStack(app, `${config.name}-pipeline`, {
    config,
    env: { account: config.account, region: config.region },
    description: 'Social prescribing outcomes pipeline: storage, catalog, query',
  });
  return { app, stack };
}

if (process.argv[1]?.endsWith('app.ts')) buildApp().app.synth();
