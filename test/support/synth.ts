import { App, type Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../infra/app.ts';
import type { TemplateJson } from './iam-rules.ts';

/** The account the infra tests configure. */
export const ACCOUNT = '111122223333';

/** A value of the synthesised template, loosely typed as the assertions library gives it. */
export type Loose = ReturnType<Template['toJSON']>[string];

/** A synthesised template as JSON, its resources and outputs loosely typed. */
export type TemplateOf = { Resources: Record<string, Loose>; Outputs: Record<string, Loose> } & TemplateJson;

/**
 * The app (infra/app.ts buildApp) from the configuration `config` and any other context, synthesised offline: cdk-nag's
 * packs run on synth, and an unacknowledged finding throws. Template assertions need no Lambda bundles (esbuild would
 * run five times a synth): npm run synth (and test:aws, which reads cdk.out) bundles for real. The context key is the
 * one the CLI sets (aws/aws-cdk#18125, #9889).
 */
export function synthApp(config: Record<string, unknown>, context: Record<string, unknown> = {}) {
  const built = buildApp(new App({ context: { config, ...context, 'aws:cdk:bundling-stacks': [] } }));
  built.app.synth();
  return built;
}

/** A synthesised stack's template as JSON. */
export const templateOf = (stack: Stack): TemplateOf => Template.fromStack(stack).toJSON() as TemplateOf;

/** The logical id of the template's resource of `type` whose id starts with `prefix`: thrown if there is none. */
export function resourceId(template: { Resources: Record<string, Loose> }, type: string, prefix: string): string {
  const found = Object.entries(template.Resources).find(([id, r]) => r.Type === type && id.startsWith(prefix));
  if (!found) throw new Error(`no ${type} named ${prefix}*`);
  return found[0];
}
