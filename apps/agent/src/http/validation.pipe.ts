import { ValidationPipe, type ValidationError } from '@nestjs/common';
import { summarizeFieldErrors, type FieldError } from '@app/contracts';
import { AgentError } from '../core/agent.errors';

function fieldErrors(errors: ValidationError[], prefix = ''): FieldError[] {
  return errors.flatMap((error) => {
    const path = prefix ? `${prefix}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({ path, message }));
    return [...own, ...fieldErrors(error.children ?? [], path)];
  });
}

/** class-validator for request bodies; failures become VALIDATION_FAILED with field-level details. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors) => {
      const details = fieldErrors(errors);
      return new AgentError('VALIDATION_FAILED', summarizeFieldErrors(details), details);
    },
  });
}
