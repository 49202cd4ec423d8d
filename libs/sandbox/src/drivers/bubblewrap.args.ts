import { dirname } from 'node:path';
import { readOnlyBindArgs, type HostLayout } from './host-layout';

/** Per-execution resource limits, applied with prlimit inside the sandbox. */
export interface ExecutionLimits {
  cpuSeconds: number;
  addressSpaceBytes: number;
  /** processes and threads of this execution (the sandbox user has nothing else running) */
  processes: number;
  openFiles: number;
  fileSizeBytes: number;
  /** size of the writable /tmp (a tmpfs: RAM, gone with the sandbox) */
  tmpBytes: number;
}

/** The program inside the sandbox: its source (passed on fd 3, never written to host disk) and its argv. */
export interface SandboxedProgram {
  path: string;
  argv: string[];
}

/**
 * Who the sandboxed program runs as.
 * - `root` (the service runs as root): the kernel exempts uid 0 from RLIMIT_NPROC, and bwrap's user
 *   namespace would map the sandbox user back to uid 0; so bwrap makes no user namespace, and setpriv
 *   switches to an unprivileged host uid (one per queue slot) with every capability dropped.
 * - `user`: bwrap's user namespace maps uid/gid 65534 onto the service's own (unprivileged) user.
 */
export type Identity = { kind: 'root'; uid: number } | { kind: 'user' };

const SANDBOX_UID = '65534';
const ROOT_MODE_NAMESPACES = [
  '--unshare-ipc',
  '--unshare-pid',
  '--unshare-net',
  '--unshare-uts',
  '--unshare-cgroup-try',
];
const USER_MODE_NAMESPACES = [
  '--unshare-all',
  '--unshare-user',
  '--disable-userns',
  '--uid',
  SANDBOX_UID,
  '--gid',
  SANDBOX_UID,
];

const ENVIRONMENT: Record<string, string> = {
  PATH: '/usr/local/bin:/usr/bin:/bin',
  HOME: '/tmp',
  LANG: 'C.UTF-8',
  PYTHONDONTWRITEBYTECODE: '1',
  PYTHONUNBUFFERED: '1',
  NODE_DISABLE_COLORS: '1',
};

function environmentArgs(): string[] {
  return ['--clearenv', ...Object.entries(ENVIRONMENT).flatMap(([name, value]) => ['--setenv', name, value])];
}

function limitArgs(limits: ExecutionLimits): string[] {
  return [
    '/usr/bin/prlimit',
    `--cpu=${limits.cpuSeconds}`,
    `--as=${limits.addressSpaceBytes}`,
    `--nproc=${limits.processes}`,
    `--nofile=${limits.openFiles}`,
    `--fsize=${limits.fileSizeBytes}`,
    '--core=0',
    '--',
    // below the service's priority, so a busy sandbox never starves the gateway that serves requests
    '/usr/bin/nice',
    '-n',
    '10',
  ];
}

function identityArgs(identity: Identity): { namespaces: string[]; prefix: string[] } {
  if (identity.kind === 'user') return { namespaces: USER_MODE_NAMESPACES, prefix: [] };
  const id = String(identity.uid);
  const setpriv = ['/usr/bin/setpriv', `--reuid=${id}`, `--regid=${id}`, '--clear-groups'];
  const drop = ['--inh-caps=-all', '--bounding-set=-all', '--no-new-privs', '--'];
  return { namespaces: ROOT_MODE_NAMESPACES, prefix: [...setpriv, ...drop] };
}

/** The full bwrap argument list: isolation, read-only system, fresh /tmp holding the program, limits. */
export function bubblewrapArgs(
  layout: HostLayout,
  extraReadOnly: string[],
  program: SandboxedProgram,
  limits: ExecutionLimits,
  identity: Identity,
): string[] {
  const { namespaces, prefix } = identityArgs(identity);
  return [
    ...namespaces,
    '--die-with-parent',
    '--new-session',
    ...environmentArgs(),
    ...layout.systemArgs,
    ...extraReadOnly.flatMap(readOnlyBindArgs),
    ...['--proc', '/proc', '--dev', '/dev'],
    ...['--perms', '1777', '--size', String(limits.tmpBytes), '--tmpfs', '/tmp'],
    ...['--perms', '0444', '--file', '3', program.path],
    ...['--chdir', dirname(program.path)],
    '--',
    ...prefix,
    ...limitArgs(limits),
    ...program.argv,
  ];
}
