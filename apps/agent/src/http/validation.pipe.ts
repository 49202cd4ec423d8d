import { ValidationPipe, type ArgumentMetadata, type ValidationError } from '@nestjs/common';
import { nestsDeeperThan } from '@app/http-security';
import { summarizeFieldErrors, type FieldError } from '@app/contracts';
import { AgentError } from '../core/agent.errors';

/** Constraints that say what type a field must be: once one fails, length and range add only noise. */
const TYPE_CONSTRAINTS = ['isString', 'isInt'];

function messagesOf(error: ValidationError): string[] {
  const constraints = error.constraints ?? {};
  const typeProblem = TYPE_CONSTRAINTS.find((name) => constraints[name] !== undefined);
  if (typeProblem === undefined) return Object.values(constraints);
  return [error.value === undefined ? `${error.property} is required` : (constraints[typeProblem] ?? '')];
}

function fieldErrors(errors: ValidationError[], prefix = ''): FieldError[] {
  return errors.flatMap((error) => {
    const path = prefix ? `${prefix}.${error.property}` : error.property;
    const own = messagesOf(error).map((message) => ({ path, message }));
    return [...own, ...fieldErrors(error.children ?? [], path)];
  });
}

/** No request body of this API nests deeper than a few levels; class-transformer recursing on 10,000 overflowed. */
export const MAX_BODY_DEPTH = 32;

/** Refuses absurdly nested bodies before class-transformer and class-validator recurse into them. */
class DepthLimitedValidationPipe extends ValidationPipe {
  override transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body' && nestsDeeperThan(value, MAX_BODY_DEPTH)) {
      const message = `the body nests deeper than ${MAX_BODY_DEPTH} levels`;
      throw new AgentError('VALIDATION_FAILED', message);
    }
    return super.transform(value, metadata) as Promise<unknown>;
  }
}

/** class-validator for request bodies; failures become VALIDATION_FAILED with field-level details. */
export function createValidationPipe(): ValidationPipe {
  return new DepthLimitedValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors) => {
      const details = fieldErrors(errors);
      return new AgentError('VALIDATION_FAILED', summarizeFieldErrors(details), details);
    },
  });
}
