import { Stack } from 'aws-cdk-lib';
import type { IRole } from 'aws-cdk-lib/aws-iam';
import { CfnPrincipalPermissions } from 'aws-cdk-lib/aws-lakeformation';
import { Construct } from 'constructs';
import type { EventsCatalog } from './events-catalog.ts';
import { DEFAULT_GLUE_DATABASE } from './metrics-refresh.ts';

export interface LakeFormationGrantsProps {
  /** The refresh function's role: the only principal that reads the catalog (through Athena). */
  readonly refreshRole: IRole;
  readonly catalog: EventsCatalog;
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
 * administrator" (https://docs.aws.amazon.com/lake-formation/latest/dg/permissions-reference.html). The data bucket
 * is not registered with Lake Formation by the stack, so S3 access stays the IAM policy's (no lakeformation:GetDataAccess).
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
    for (const name of Object.keys(props.catalog.tables))
      grant(`Table-${name}`, { table: { catalogId, databaseName: props.catalog.databaseName, name } }, [
        'SELECT',
        'DESCRIBE',
      ]);
  }
}
