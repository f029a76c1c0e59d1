// Every page of the console. Each area keeps its routes in its own file.
import type { ConsoleRoute } from '../router.tsx';
import { routes as secrets } from './secrets.tsx';
import { routes as iam } from './iam.tsx';
import { routes as kms } from './kms.tsx';
import { routes as why } from './why.tsx';

export const ALL_ROUTES: ConsoleRoute[] = [...secrets, ...iam, ...kms, ...why];
/** The navigation's sections, in order; a route's `nav` names one (others are appended). */
export const NAV_SECTIONS = ['Secrets Manager', 'IAM', 'KMS', 'Access'];
