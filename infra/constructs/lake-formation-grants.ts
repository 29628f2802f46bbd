import { Stack, Validations } from 'aws-cdk-lib';
import { type IRole, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { CfnPrincipalPermissions } from 'aws-cdk-lib/aws-lakeformation';
import { Construct } from 'constructs';
import type { EventsCatalog } from './events-catalog.ts';
import { DEFAULT_GLUE_DATABASE } from './metrics-refresh.ts';

export interface LakeFormationGrantsProps {
  /** The refresh function's role: the only principal that reads the catalog (through Athena). */
  readonly refreshRole: IRole;
  readonly catalog: EventsCatalog;
  /**
   * The data bucket is registered with Lake Formation (by the account's platform, not this stack): the refresh role
   * may then call lakeformation:GetDataAccess. @default false
   */
  readonly dataBucketRegistered?: boolean;
}

/**
 * Lake Formation permissions for the refresh role, for an account where "Use only IAM access control" is off (review
 * 33, R33-5; the `lakeFormationGrants` setting). Lake Formation's initial settings grant Super to IAMAllowedPrincipals
 * on new databases and tables, so that "access to Data Catalog resources and Amazon S3 locations [is] controlled solely
 * by AWS Identity and Access Management (IAM) policies" (https://docs.aws.amazon.com/lake-formation/latest/dg/change-settings.html);
 * an account with CreateDatabaseDefaultPermissions/CreateTableDefaultPermissions emptied needs grants besides the IAM
 * policy. These are what the refresh's statements need and no more:
 * - DESCRIBE on the `default` database (Athena reads it for every query: metrics-refresh.ts, R33-1);
 * - DESCRIBE and CREATE_TABLE on the pipeline's database: its CTAS tables and views. A table creator "has all
 *   permissions on tables that they create" (https://docs.aws.amazon.com/lake-formation/latest/dg/implicit-permissions.html),
 *   so dropping and replacing its own steps needs nothing more;
 * - SELECT and DESCRIBE on each table the stack defines (the curated tables), by name: no ALTER, DROP or INSERT.
 * Granting needs the deploying role (the CDK bootstrap's CloudFormation execution role) to be a data lake
 * administrator: an IAM administrator "Cannot grant Lake Formation permissions if not also designated a data lake
 * administrator" (https://docs.aws.amazon.com/lake-formation/latest/dg/permissions-reference.html).
 *
 * The stack does not register the data bucket with Lake Formation. Where the account's platform has
 * (`dataBucketRegistered`), Athena reads the curated tables with credentials Lake Formation vends on the refresh's
 * behalf, so the role needs the IAM action lakeformation:GetDataAccess ("Anyone using Athena to query data registered
 * with Lake Formation must have an IAM permissions policy that allows the lakeformation:GetDataAccess action":
 * https://docs.aws.amazon.com/athena/latest/ug/lf-athena-user-permissions.html); the SELECT grants above are what Lake
 * Formation checks before vending. No DATA_LOCATION_ACCESS: data location permissions "control the ability to create
 * Data Catalog resources that point to particular Amazon S3 locations"
 * (https://docs.aws.amazon.com/lake-formation/latest/dg/access-control-underlying-data.html), and the refresh creates
 * none in the data bucket: its CTAS tables are under the workgroup's query result location (athena-engine.ts), in the
 * Athena results bucket, and "Athena query results locations in Amazon S3 cannot be registered with Lake Formation"
 * (https://docs.aws.amazon.com/athena/latest/ug/security-athena-lake-formation.html); its writes to the data bucket
 * (compaction, curated reference data, metrics) are S3 calls under its IAM policy, to which "Lake Formation permissions
 * do not apply" (the same page). The curated tables that point into the bucket are CloudFormation's, made by the
 * deploying role, a data lake administrator, who has "data location permissions everywhere in the data lake"
 * (https://docs.aws.amazon.com/lake-formation/latest/dg/implicit-permissions.html). The role that registered the
 * bucket must be able to read it, the stack's data key included (README, "Before the first deploy").
 */
export class LakeFormationGrants extends Construct {
  readonly grants: CfnPrincipalPermissions[] = [];

  constructor(scope: Construct, id: string, props: LakeFormationGrantsProps) {
    super(scope, id);
    const catalogId = Stack.of(this).account;
    const principal = { dataLakePrincipalIdentifier: props.refreshRole.roleArn };
    const grant = (grantId: string, resource: CfnPrincipalPermissions.ResourceProperty, permissions: string[]) => {
      const permission = new CfnPrincipalPermissions(this, grantId, {
        principal,
        resource,
        permissions,
        permissionsWithGrantOption: [],
      });
      permission.node.addDependency(props.catalog);
      this.grants.push(permission);
    };
    grant('DefaultDatabase', { database: { catalogId, name: DEFAULT_GLUE_DATABASE } }, ['DESCRIBE']);
    grant('Database', { database: { catalogId, name: props.catalog.databaseName } }, ['DESCRIBE', 'CREATE_TABLE']);
    if (props.dataBucketRegistered) {
      // GetDataAccess takes no resource (the Service Authorization Reference lists no resource type for it): "*".
      props.refreshRole.addToPrincipalPolicy(
        new PolicyStatement({ actions: ['lakeformation:GetDataAccess'], resources: ['*'] }),
      );
      Validations.of(props.refreshRole).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'lakeformation:GetDataAccess has no resource type; Lake Formation vends credentials only for tables the role holds SELECT on (LakeFormationGrants).',
      });
    }
    for (const name of Object.keys(props.catalog.tables))
      grant(`Table-${name}`, { table: { catalogId, databaseName: props.catalog.databaseName, name } }, [
        'SELECT',
        'DESCRIBE',
      ]);
  }
}
