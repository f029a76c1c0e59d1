/** The `postgresql-alternating-users` rotation function (bundled as index.mjs, handler index.handler). */
import { postgres } from '../postgres.ts';
import { rotationHandler } from '../steps.ts';

export const handler = rotationHandler(postgres, true);
