/**
 * coffer's built-in rotation functions: four Lambda-compatible Node.js handlers that rotate
 * PostgreSQL and MySQL/MariaDB users as AWS's published templates do (docs/rotation.md,
 * "Built-in rotation functions"). They are ordinary functions: `coffer rotation setup`
 * creates them through the Lambda API from `templateZip`, and they run in the process
 * runtime with their execution role's credentials like any other function.
 */
import { bundleTemplate } from './bundle.ts';

export type TemplateName =
  | 'postgresql-single-user'
  | 'postgresql-alternating-users'
  | 'mysql-single-user'
  | 'mysql-alternating-users';

export interface TemplateInfo {
  description: string;
  /** Alternating users: the secret needs `masterarn`, and the role may read that secret. */
  alternating: boolean;
  engine: 'postgres' | 'mysql';
}

export const ROTATION_TEMPLATES: Record<TemplateName, TemplateInfo> = {
  'postgresql-single-user': {
    description: 'Rotates a PostgreSQL user\'s password; the user changes its own password.',
    alternating: false,
    engine: 'postgres',
  },
  'postgresql-alternating-users': {
    description: 'Alternates between two PostgreSQL users (user and user_clone) in one owning role, changed by a master user.',
    alternating: true,
    engine: 'postgres',
  },
  'mysql-single-user': {
    description: 'Rotates a MySQL or MariaDB user\'s password; the user changes its own password.',
    alternating: false,
    engine: 'mysql',
  },
  'mysql-alternating-users': {
    description: 'Alternates between two MySQL or MariaDB users (user and user_clone) with the same grants, changed by a master user.',
    alternating: true,
    engine: 'mysql',
  },
};

export const TEMPLATE_NAMES = Object.keys(ROTATION_TEMPLATES) as TemplateName[];

export function isTemplateName(name: string): name is TemplateName {
  return Object.hasOwn(ROTATION_TEMPLATES, name);
}

/**
 * The environment a template's function is created with: the password settings AWS's
 * templates read, at AWS's defaults for the engine, so the user sees (and may change) them.
 */
export function templateEnvironment(name: TemplateName): Record<string, string> {
  const engine = ROTATION_TEMPLATES[name].engine;
  return {
    EXCLUDE_CHARACTERS: engine === 'postgres' ? ':/@"\'\\' : '/@"\'\\',
    PASSWORD_LENGTH: '32',
  };
}

export interface TemplatePackage {
  /** The function's deployment package: one `index.mjs` with its drivers bundled in. */
  zip: Buffer;
  handler: string;
  runtime: 'nodejs20.x';
  environment: Record<string, string>;
}

export async function templateZip(name: TemplateName): Promise<TemplatePackage> {
  if (!isTemplateName(name)) throw new Error(`unknown rotation template ${String(name)}`);
  return {
    zip: await bundleTemplate(name),
    handler: 'index.handler',
    runtime: 'nodejs20.x',
    environment: templateEnvironment(name),
  };
}
