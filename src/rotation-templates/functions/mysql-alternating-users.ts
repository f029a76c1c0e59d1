/** The `mysql-alternating-users` rotation function (bundled as index.mjs, handler index.handler). */
import { mysqlEngine } from '../mysql.ts';
import { rotationHandler } from '../steps.ts';

export const handler = rotationHandler(mysqlEngine, true);
