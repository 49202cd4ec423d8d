import { spawn, type ChildProcess } from 'node:child_process';
import { freePort } from '@app/testing';

export interface RedisUnderTest {
  url: string;
  port: number;
  /** stops the server (SHUTDOWN semantics on SIGTERM: an append-only file is flushed first) */
  stop(): Promise<void>;
  /** starts it again on the same port and folder */
  restart(): Promise<void>;
}

/**
 * A real `redis-server` (Debian's package; `.ci/run` installs it) on a free loopback port. No persistence
 * unless `dir` is given: then an append-only file there, fsynced per write, so a restart keeps the data
 * as a production Redis with AOF would.
 */
export async function startRedis(dir?: string): Promise<RedisUnderTest> {
  const port = await freePort();
  const persistence = dir
    ? ['--appendonly', 'yes', '--appendfsync', 'always', '--dir', dir, '--save', '']
    : ['--save', '', '--appendonly', 'no'];
  let child: ChildProcess | undefined;
  const launch = async () => {
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', ...persistence], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    await new Promise<void>((resolve, reject) => {
      let output = '';
      const timer = setTimeout(() => reject(new Error(`redis-server did not start:\n${output}`)), 10_000);
      child?.stdout?.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('Ready to accept connections')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child?.once('error', reject);
    });
  };
  const stop = async () => {
    const running = child;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGTERM');
    await exited;
  };
  await launch();
  return { url: `redis://127.0.0.1:${port}`, port, stop, restart: launch };
}
