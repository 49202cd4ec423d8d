import { ConfigValidationError } from './environment';

/**
 * Runs an app's bootstrap; a configuration error becomes one line on stderr and exit code 78
 * (EX_CONFIG) instead of a stack trace, so an operator sees exactly which variable to fix.
 */
export async function runOrExitOnConfigError(bootstrap: () => Promise<void>): Promise<void> {
  try {
    await bootstrap();
  } catch (error) {
    const configError = findConfigError(error);
    if (!configError) throw error;
    process.stderr.write(`${configError.message}\n`);
    process.exit(78);
  }
}

function findConfigError(error: unknown): ConfigValidationError | undefined {
  for (let current = error; current instanceof Error; current = current.cause) {
    if (current instanceof ConfigValidationError) return current;
    if (current.message.startsWith('Invalid configuration:'))
      return new ConfigValidationError([current.message.slice(23)]);
  }
  return undefined;
}
