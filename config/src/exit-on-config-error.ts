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
 * (EX_CONFIG) instead of a stack trace, so an operator sees exactly which variable to fix; a port that
 * cannot be bound becomes one line and exit code 1.
 * The environment is validated before Nest starts: inside Nest the same error would surface as an
 * unhandled rejection of the async ConfigModule with a stack trace.
 */
export async function runOrExitOnConfigError(bootstrap: () => Promise<void>): Promise<void> {
  try {
    validateEnvironment(environmentWithDotEnv());
    await bootstrap();
  } catch (error) {
    const isConfigError = error instanceof ConfigValidationError;
    const line = isConfigError ? error.message : listenFailureLine(error);
    if (line === undefined) throw error;
    process.stderr.write(`${line}\n`);
    process.exit(isConfigError ? 78 : 1);
  }
}

/** A port another process holds (or one this user may not bind) is for the operator to fix: say so in one line. */
function listenFailureLine(error: unknown): string | undefined {
  const failure = error as { syscall?: unknown; code?: unknown; address?: unknown; port?: unknown } | null;
  if (failure?.syscall !== 'listen') return undefined;
  const reason = failure.code === 'EADDRINUSE' ? 'the address is already in use' : String(failure.code);
  return (
    `Cannot listen on ${String(failure.address)}:${String(failure.port)}: ${reason} — ` +
    'choose another port (GATEWAY_PORT / AGENT_PORT) or stop the process that holds it'
  );
}
