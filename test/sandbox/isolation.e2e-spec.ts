import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CodeSandbox } from '@app/sandbox';
import { processesWith, testSandbox } from './support';

/** What the sandbox must hold against: each test runs a hostile program for real and checks the host. */
describe('the sandbox isolates and bounds what it runs', () => {
  let sandbox: CodeSandbox;
  beforeAll(async () => {
    sandbox = await testSandbox();
  });

  const python = (tests: string, timeoutSeconds?: number) =>
    sandbox.run({
      language: 'python',
      code: 'import os, socket, subprocess, sys, time',
      tests,
      timeoutSeconds,
    });

  it('a wall-clock timeout kills the whole process group in time, children included', async () => {
    const marker = `sleep-${randomUUID().slice(0, 8)}`;
    const tests = `subprocess.Popen(["/bin/sh", "-c", "exec -a ${marker} sleep 300"])\nwhile True:\n    pass`;
    const result = await python(tests, 1);
    expect(result).toMatchObject({ passed: false, status: 'timeout', exit_code: null });
    expect(result.duration_ms).toBeLessThan(3000);
    expect(result.failures[0]?.message).toContain('timed out after 1 s');
    expect(processesWith(marker)).toEqual([]);
  });

  it('has no network: connecting to a port listening on the host loopback fails', async () => {
    let connections = 0;
    const server: Server = createServer((socket) => {
      connections += 1;
      socket.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    try {
      const tests = [
        'try:',
        `    socket.create_connection(("127.0.0.1", ${port}), timeout=2)`,
        '    print("connected")',
        'except OSError as error:',
        '    print("refused", error)',
      ].join('\n');
      const result = await python(tests);
      expect(result.stdout).toMatch(/^refused/);
      expect(connections).toBe(0);
    } finally {
      server.close();
    }
  });

  it('host files are invisible and the system folders it sees are read-only', async () => {
    const hostDir = mkdtempSync(join(tmpdir(), 'sandbox-secret-'));
    const secret = join(hostDir, 'secret.txt');
    writeFileSync(secret, 'do not read');
    const escapee = join(hostDir, 'written-from-inside');
    try {
      const tests = [
        `print("secret visible" if os.path.exists(${JSON.stringify(secret)}) else "secret invisible")`,
        `print("repo visible" if os.path.exists(${JSON.stringify(process.cwd())}) else "repo invisible")`,
        'print("passwd visible" if os.path.exists("/etc/passwd") else "passwd invisible")',
        'for target in ["/usr/escape.txt", ' + JSON.stringify(escapee) + ']:',
        '    try:',
        '        open(target, "w").write("x")',
        '        print("wrote", target)',
        '    except OSError as error:',
        '        print("cannot write", target, type(error).__name__)',
        'print("uid", os.getuid())',
      ].join('\n');
      const result = await python(tests);
      expect(result.stdout).toContain('secret invisible');
      expect(result.stdout).toContain('repo invisible');
      expect(result.stdout).toContain('passwd invisible');
      expect(result.stdout).toContain('cannot write /usr/escape.txt');
      expect(result.stdout).not.toMatch(/^wrote/m);
      expect(result.stdout).not.toContain('uid 0');
      expect(existsSync('/usr/escape.txt')).toBe(false);
      expect(existsSync(escapee)).toBe(false);
    } finally {
      rmSync(hostDir, { recursive: true, force: true });
    }
  });

  it('a large allocation is refused (address-space limit), in python and in node', async () => {
    const py = await python('data = bytearray(1024 * 1024 * 1024)\nprint("allocated")');
    expect(py.status).toBe('failed');
    expect(py.stdout).not.toContain('allocated');
    expect(py.failures[0]?.message).toContain('MemoryError');
    const js = await sandbox.run({
      language: 'javascript',
      code: '',
      tests: 'const big = new Uint8Array(3 * 1024 * 1024 * 1024); console.log("allocated", big.length);',
    });
    expect(js.status).toBe('failed');
    expect(js.stdout).not.toContain('allocated');
    expect(js.failures[0]?.message).toContain('RangeError');
  });

  it('a fork bomb is contained by the process limit and nothing of it survives', async () => {
    const marker = `bomb${randomUUID().slice(0, 8)}`;
    const tests = [
      `sys.argv[0] = "${marker}"`,
      'children = 0',
      'try:',
      '    while True:',
      '        if os.fork() == 0:',
      `            os.execv("/bin/sh", ["/bin/sh", "-c", "exec -a ${marker} sleep 300"])`,
      '        children += 1',
      'except OSError as error:',
      '    print("fork refused after", children, type(error).__name__)',
    ].join('\n');
    const result = await python(tests, 3);
    const refusedAfter = Number(/fork refused after (\d+)/.exec(result.stdout)?.[1]);
    expect(refusedAfter).toBeLessThan(64);
    expect(processesWith(marker)).toEqual([]);
  });

  it('an output flood is capped at 64 KiB, marked truncated, and stopped early', async () => {
    const result = await python('while True:\n    print("x" * 1000)', 10);
    expect(result.truncated.stdout).toBe(true);
    expect(Buffer.byteLength(result.stdout)).toBeLessThanOrEqual(64 * 1024);
    expect(result.status).toBe('failed');
    expect(result.failures[0]?.name).toBe('output');
    expect(result.duration_ms).toBeLessThan(5000);
  });

  it('a background process is killed when the execution ends', async () => {
    const marker = `bg${randomUUID().slice(0, 8)}`;
    const tests = `subprocess.Popen(["/bin/sh", "-c", "exec -a ${marker} sleep 300"], start_new_session=True)\nprint("started")`;
    const result = await python(tests);
    expect(result).toMatchObject({ status: 'passed', stdout: 'started\n' });
    expect(processesWith(marker)).toEqual([]);
  });
});
