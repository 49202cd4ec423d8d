import { execFile } from 'node:child_process';
import { existsSync, lstatSync, readlinkSync, realpathSync } from 'node:fs';
import { dirname } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Top-level system folders the interpreters and their shared libraries may live in (merged-/usr or not). */
const SYSTEM_TOP_LEVEL = ['/bin', '/sbin', '/lib', '/lib64', '/lib32', '/libx32'];
/** Files under /etc the dynamic loader or interpreters read; nothing else of /etc is visible. */
const ETC_FILES = ['/etc/ld.so.cache', '/etc/alternatives', '/etc/ssl/openssl.cnf'];

/** An interpreter as it really is on this machine: the binary, and the folders it needs beyond /usr. */
export interface Interpreter {
  executable: string;
  /** host folders bound read-only at the same path (an interpreter installed outside /usr: pyenv, nvm) */
  extraReadOnly: string[];
}

/** What the sandbox mirrors of the host, read-only. */
export interface HostLayout {
  /** bwrap arguments for /usr, the top-level links or folders and the few /etc files */
  systemArgs: string[];
  node: Interpreter;
  python?: Interpreter;
}

function isUnderUsr(path: string): boolean {
  return path.startsWith('/usr/');
}

function interpreterAt(executable: string, prefix: string): Interpreter {
  const real = realpathSync(executable);
  const extra = [prefix, dirname(dirname(real))].filter((dir) => !isUnderUsr(`${dir}/`) && dir !== '/');
  return { executable: real, extraReadOnly: [...new Set(extra.map((dir) => realpathSync(dir)))] };
}

/** Parents of a bind target are created world-traversable (bwrap would copy the host's 0700 /root). */
export function readOnlyBindArgs(path: string): string[] {
  const parents: string[] = [];
  for (let dir = dirname(path); dir !== '/'; dir = dirname(dir)) parents.unshift(dir);
  return [...parents.flatMap((dir) => ['--perms', '0755', '--dir', dir]), '--ro-bind', path, path];
}

/** Top-level folders: merged-/usr systems have links (/bin → usr/bin) that are recreated as links. */
function topLevelArgs(): string[] {
  return SYSTEM_TOP_LEVEL.flatMap((path) => {
    if (!existsSync(path)) return [];
    const stat = lstatSync(path);
    if (stat.isSymbolicLink()) return ['--symlink', readlinkSync(path), path];
    return ['--ro-bind', path, path];
  });
}

/**
 * The real Python behind `command` (a pyenv shim is a shell script: ask the interpreter where it lives).
 * Runs the trusted host interpreter once, never user code.
 */
async function findPython(command: string): Promise<Interpreter | undefined> {
  const script = 'import sys, json; print(json.dumps([sys.executable, sys.base_prefix]))';
  try {
    const { stdout } = await run(command, ['-c', script], { timeout: 15_000 });
    const [executable, prefix] = JSON.parse(stdout) as [string, string];
    return interpreterAt(executable, prefix);
  } catch {
    return undefined;
  }
}

/** Looks up where node and python3 really live; computed once per sandbox. */
export async function discoverHostLayout(pythonCommand: string): Promise<HostLayout> {
  const etc = ETC_FILES.filter((path) => existsSync(path)).flatMap(readOnlyBindArgs);
  return {
    systemArgs: ['--ro-bind', '/usr', '/usr', ...topLevelArgs(), ...etc],
    node: interpreterAt(process.execPath, dirname(dirname(realpathSync(process.execPath)))),
    python: await findPython(pythonCommand),
  };
}
