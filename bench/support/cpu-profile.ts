import { readFile } from 'node:fs/promises';

/** The parts of a V8 `.cpuprofile` (written by `node --cpu-prof`) this summary reads. */
interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface CostLine {
  name: string;
  selfMs: number;
}

export interface ProfileSummary {
  /** sampled CPU time, idle excluded */
  busyMs: number;
  idleMs: number;
  /** time spent in an area's own frames */
  byArea: CostLine[];
  /** self time, with Node internals and native frames charged to the nearest package/our code calling them */
  chargedByArea: CostLine[];
  /** time with an area anywhere on the stack (what the area costs including what it calls) */
  inclusiveByArea: CostLine[];
  topFunctions: CostLine[];
}

/** Which code a frame belongs to: a package, one of our apps/libs, Node internals, or V8 itself. */
export function areaOf(url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1];
  if (pkg !== undefined) return pkg;
  const ours = /dist\/(apps\/[^/]+|libs\/[^/]+|bench|config|test\/support)\//.exec(url)?.[1];
  if (ours !== undefined) return ours;
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[1] ?? url.slice(5)}`;
  return url;
}

function frameName(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const file = url.replace(/^.*node_modules\//, '').replace(/^.*\/dist\//, 'dist/');
  return `${functionName || '(anonymous)'} ${file}:${lineNumber + 1}`;
}

function top(totals: Map<string, number>, count: number): CostLine[] {
  return [...totals.entries()]
    .map(([name, micros]) => ({ name, selfMs: micros / 1000 }))
    .sort((a, b) => b.selfMs - a.selfMs)
    .slice(0, count);
}

function parentsOf(nodes: ProfileNode[]): Map<number, number> {
  const parents = new Map<number, number>();
  for (const node of nodes) for (const child of node.children ?? []) parents.set(child, node.id);
  return parents;
}

function add(totals: Map<string, number>, key: string, micros: number): void {
  totals.set(key, (totals.get(key) ?? 0) + micros);
}

/** Areas that keep their own time: V8 states, and the promise hooks AsyncLocalStorage turns on. */
function keepsOwnTime(area: string): boolean {
  return area.startsWith('(') || area === 'node:async_hooks';
}

/** Node internals and native frames belong to whoever called them: the first package/our frame up the stack. */
function chargedArea(id: number, byId: Map<number, ProfileNode>, parents: Map<number, number>): string {
  const leaf = byId.get(id)!.callFrame;
  const own = areaOf(leaf.url, leaf.functionName);
  if (keepsOwnTime(own)) return own;
  for (let current: number | undefined = id; current !== undefined; current = parents.get(current)) {
    const frame = byId.get(current)?.callFrame;
    if (!frame || frame.url === '') continue;
    const area = areaOf(frame.url, frame.functionName);
    if (area === 'node:async_hooks') return area;
    if (!area.startsWith('node:')) return area;
  }
  return own;
}

/** The areas on a sample's stack, each once. */
function stackAreas(id: number, byId: Map<number, ProfileNode>, parents: Map<number, number>): Set<string> {
  const areas = new Set<string>();
  for (let current: number | undefined = id; current !== undefined; current = parents.get(current)) {
    const frame = byId.get(current)?.callFrame;
    if (frame && frame.url !== '') areas.add(areaOf(frame.url, frame.functionName));
  }
  return areas;
}

/**
 * The profiler's sampling interval. Summed time deltas would also count the time the process sat descheduled
 * (on a busy 2-core machine, a lot) against whatever frame was on the stack; counting samples × interval
 * tracks CPU time (it matched process.cpuUsage() within ~5 % here).
 */
function sampleMicros(deltas: readonly number[]): number {
  const sorted = [...deltas].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

/** Self and inclusive CPU time per area, self time per function (samples × interval). */
export async function summarizeProfile(path: string, topCount = 30): Promise<ProfileSummary> {
  const profile = JSON.parse(await readFile(path, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parents = parentsOf(profile.nodes);
  const areas = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const charged = new Map<string, number>();
  const functions = new Map<string, number>();
  const micros = sampleMicros(profile.timeDeltas);
  profile.samples.forEach((id) => {
    const node = byId.get(id);
    if (!node) return;
    add(areas, areaOf(node.callFrame.url, node.callFrame.functionName), micros);
    add(functions, frameName(node), micros);
    add(charged, chargedArea(id, byId, parents), micros);
    for (const area of stackAreas(id, byId, parents)) add(inclusive, area, micros);
  });
  const idleMs = (areas.get('(idle)') ?? 0) / 1000;
  areas.delete('(idle)');
  charged.delete('(idle)');
  functions.delete('(idle) :0');
  const busyMs = [...areas.values()].reduce((sum, micros) => sum + micros, 0) / 1000;
  return {
    busyMs,
    idleMs,
    byArea: top(areas, topCount),
    chargedByArea: top(charged, topCount),
    inclusiveByArea: top(inclusive, topCount),
    topFunctions: top(functions, topCount),
  };
}
