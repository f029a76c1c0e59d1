/** Lambda's errors, with the HTTP statuses its model gives them. */
import { AwsError } from '../../errors.ts';

export const functionNotFound = (arn: string) => new AwsError('ResourceNotFoundException', `Function not found: ${arn}`, 404);
export const resourceNotFound = (message: string) => new AwsError('ResourceNotFoundException', message, 404);
export const invalidParameterValue = (message: string) => new AwsError('InvalidParameterValueException', message, 400);
export const resourceConflict = (message: string) => new AwsError('ResourceConflictException', message, 409);
export const preconditionFailed = () => new AwsError('PreconditionFailedException',
  'The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id', 412);
export const roleCannotBeAssumed = () => invalidParameterValue('The role defined for the function cannot be assumed by Lambda.');
