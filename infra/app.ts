import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks } from 'cdk-nag';
import { parseConfig } from './config.ts';
import { EDGE_REGION, EdgeStack } from './edge-stack.ts';
import { PipelineStack } from './stack.ts';

/**
 * Builds the app; cdk-nag's AwsSolutions and HIPAA Security packs run on every synth. Two stacks: `<name>-edge` in
 * us-east-1 (the CloudFront web ACL, deployed first) and `<name>-pipeline` in the deployment's region, whose
 * distribution takes the web ACL by the ARN in webAclArn (README, "Before the first deploy").
 */
export function buildApp(app = new App()): { app: App; stack: PipelineStack; edge: EdgeStack } {
  const config = parseConfig(app.node.tryGetContext('config'));
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new HIPAASecurityChecks(app));
  const edge = new EdgeStack(app, `${config.name}-edge`, {
    config,
    env: { account: config.account, region: EDGE_REGION },
    description: 'Social prescribing outcomes pipeline: the AWS WAF web ACL of its CloudFront distribution',
  });
  const stack = new PipelineStack(app, `${config.name}-pipeline`, {
    config,
    env: { account: config.account, region: config.region },
    description: 'Social prescribing outcomes pipeline: storage, catalog, query',
  });
  // Order only (no reference crosses the regions): `cdk deploy --all` deploys the edge first, `cdk destroy --all`
  // deletes the pipeline first ("Before deleting any web ACL, first disassociate it from all resources":
  // https://docs.aws.amazon.com/waf/latest/APIReference/API_DeleteWebACL.html).
  stack.addDependency(edge);
  return { app, stack, edge };
}

if (process.argv[1]?.endsWith('app.ts')) buildApp().app.synth();
