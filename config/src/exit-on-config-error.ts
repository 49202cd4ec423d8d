import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'dotenv';
import { ConfigValidationError, validateEnvironment } from './environment';

/** The environment as ConfigModule will see it: `.env` in the working directory, overridden by real variables. */
export function environmentWithDotEnv(path = '.env'): Record<string, string | undefined> {
  const fromFile = existsSync(path) ? parse(readFileSync(path)) : {};
  return { ...fromFile, ...process.env };
}

/**
 * Runs an app's bootstrap; a configuration error becomes one line on stderr and exit code 78
 * (EX_CONFIG) instead of a stack trace, so an operator sees exactly which variable to fix.
 * The environment is validated before Nest starts: inside Nest the same error would surface as an
 * unhandled rejection of the async ConfigModule with a stack trace.
 */
export async function runOrExitOnConfigError(bootstrap: () => Promise<void>): Promise<void> {
  try {
    validateEnvironment(environmentWithDotEnv());
    await bootstrap();
  } catch (error) {
    if (!(error instanceof ConfigValidationError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(78);
  }
}
