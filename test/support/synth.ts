import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, type AppProps, type Stack } from 'aws-cdk-lib';
import { Annotations, Template } from 'aws-cdk-lib/assertions';
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
  const app = offlineApp({ context: { config, ...context, 'aws:cdk:bundling-stacks': [] } });
  return synthesised(app, () => buildApp(app));
}

/**
 * An app whose cloud assembly goes to a folder of its own under the temporary folder, made and removed by each
 * synthesised or annotationsOf: an App without an outdir makes a `cdk.out*` folder there that nothing removes (35 a run
 * of the infra tests).
 */
export const offlineApp = (props: AppProps = {}): App =>
  new App({ ...props, outdir: join(tmpdir(), `cdk.out-test-${randomUUID()}`) });

/**
 * Runs `use` with the cloud assembly folder of `app` (an offlineApp) in place, synthesises the app, reads each stack's
 * template and removes the folder: Template.fromStack takes the app's kept assembly and its templates as read, so
 * nothing of a synth stays on disk, even when a construct (assets are staged as they are made) or the synth throws, or
 * a filter skips the test file's hooks. `use` builds the app's constructs, or reads what a synth gives.
 */
export function synthesised<T>(app: App, use: () => T): T {
  mkdirSync(app.outdir, { recursive: true });
  try {
    const result = use();
    for (const stack of app.synth().stacksRecursively) void stack.template;
    return result;
  } finally {
    rmSync(app.outdir, { recursive: true, force: true });
  }
}

/** The stack's annotations: Annotations.fromStack synthesises the whole app again (forced), into its folder. */
export const annotationsOf = (stack: Stack): Annotations =>
  synthesised(stack.node.root as App, () => Annotations.fromStack(stack));

/** A synthesised stack's template as JSON. */
export const templateOf = (stack: Stack): TemplateOf => Template.fromStack(stack).toJSON() as TemplateOf;

/** The logical id of the template's resource of `type` whose id starts with `prefix`: thrown if there is none. */
export function resourceId(template: { Resources: Record<string, Loose> }, type: string, prefix: string): string {
  const found = Object.entries(template.Resources).find(([id, r]) => r.Type === type && id.startsWith(prefix));
  if (!found) throw new Error(`no ${type} named ${prefix}*`);
  return found[0];
}
