import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { BUILT_GATEWAY, REPO_ROOT } from './support/built-gateway';

const BUILT_AGENT = join(REPO_ROOT, 'dist/apps/agent/src/main.js');

function start(entry: string, env: Record<string, string>, args: string[] = []) {
  return spawnSync(process.execPath, [entry, ...args], {
    env: { PATH: process.env.PATH ?? '', ...env },
    encoding: 'utf8',
    timeout: 20_000,
  });
}

/** What an operator sees when a variable is wrong: one line naming it, exit code 78, nothing on stdout. */
describe.each([
  ['gateway over HTTP', BUILT_GATEWAY, []],
  ['gateway over stdio', BUILT_GATEWAY, ['--stdio']],
  ['agent', BUILT_AGENT, []],
])('%s with a bad environment', (_name, entry, args) => {
  it.each([
    ['STARCODER_ENDPOINT', 'not-a-url', 'STARCODER_ENDPOINT must be an http(s) URL'],
    ['MODEL_TIMEOUT_SECONDS', '-1', 'MODEL_TIMEOUT_SECONDS must not be less than 1 (got -1)'],
  ])('%s=%s stops the process with one clear line', (name, value, expected) => {
    const result = start(entry, { [name]: value }, args);
    expect(result.status).toBe(78);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toEqual([expect.stringContaining(expected)]);
  });
});
