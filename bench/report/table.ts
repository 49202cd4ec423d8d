import { sandboxRows } from '../measures/sandbox';
import type { BurstMeasure } from '../measures/burst';
import type { LatencyMeasure } from '../measures/latency';
import type { StreamingMeasure } from '../measures/streaming';
import type { ServerMemory } from '../measures/memory';
import { modernRows } from './modern-table';
import { ANCHORS, type BenchResults } from './results';
import type { TargetCheck } from './targets';

type Cell = string | number | undefined;

const COLUMNS = ['measure', 'direct', 'gateway', 'baseline', 'gw − direct', 'bl − direct', 'gw ÷ bl'];
const WIDTHS = [44, 10, 14, 14, 12, 12, 8];

function format(value: Cell, digits = 3): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return value;
  if (!Number.isFinite(value)) return String(value);
  return Math.abs(value) >= 100 ? value.toFixed(0) : value.toFixed(digits);
}

function signed(value: number, digits = 3): string {
  return `${value >= 0 ? '+' : ''}${format(value, digits)}`;
}

function row(cells: Cell[]): string {
  return cells
    .map((cell, i) => (i === 0 ? format(cell).padEnd(WIDTHS[i]!) : format(cell).padStart(WIDTHS[i]!)))
    .join(' ');
}

function latencyRows(label: string, measure: LatencyMeasure): string[] {
  const { direct, gateway, baseline } = measure.subjects;
  const line = (stat: 'p50' | 'p99') =>
    row([
      `${label} ${stat} (ms)`,
      direct.latencyMs[stat],
      gateway.latencyMs[stat],
      baseline.latencyMs[stat],
      signed(measure.addedMs.gateway[stat]),
      signed(measure.addedMs.baseline[stat]),
      format(gateway.latencyMs[stat] / baseline.latencyMs[stat], 2),
    ]);
  const cpu = (name: 'gateway' | 'baseline') => measure.subjects[name].serverCpuUsPerCall ?? Number.NaN;
  const cpuLine = row([
    `${label} server CPU/call (µs)`,
    undefined,
    format(cpu('gateway'), 0),
    format(cpu('baseline'), 0),
    '',
    '',
    format(cpu('gateway') / cpu('baseline'), 2),
  ]);
  const { direct: d, gateway: g, baseline: b } = measure.subjects;
  const clientLine = row([
    `${label} client CPU/call (µs)`,
    format(d.clientCpuUsPerCall, 0),
    format(g.clientCpuUsPerCall, 0),
    format(b.clientCpuUsPerCall, 0),
  ]);
  return [line('p50'), line('p99'), cpuLine, clientLine];
}

function memoryRows(gateway: ServerMemory, baseline: ServerMemory): string[] {
  const points = [
    ['warm-up', 'afterWarmup'],
    [`${gateway.calls} calls`, 'afterCalls'],
    [`${gateway.sessionsOpened} sessions churned`, 'afterChurn'],
  ] as const;
  const lines = points.map(([label, key]) => {
    const cell = (memory: ServerMemory) =>
      [
        memory[key].rssMiB,
        memory[key].rssAfterGcMiB,
        memory[key].heapTotalAfterGcMiB,
        memory[key].heapUsedAfterGcMiB,
      ]
        .map((mib) => format(mib, 0))
        .join('/');
    return row([`MiB rss/gc'd/heap/used: ${label}`, undefined, cell(gateway), cell(baseline)]);
  });
  return [
    ...lines,
    row([
      'churn growth: RSS after GC (%)',
      undefined,
      signed(gateway.churnGrowthPercent, 1),
      signed(baseline.churnGrowthPercent, 1),
    ]),
    row([
      'churn growth: heap after GC (%)',
      undefined,
      signed(gateway.churnHeapGrowthPercent, 1),
      signed(baseline.churnHeapGrowthPercent, 1),
    ]),
    row([
      'sessions open after churn + idle TTL',
      undefined,
      gateway.openSessionsAfterChurn,
      baseline.openSessionsAfterChurn,
    ]),
  ];
}

type PerSubject = Record<'direct' | 'gateway' | 'baseline', number>;

type Added = Record<'gateway' | 'baseline', number>;

/**
 * A row of one number per subject, plus gateway − direct and baseline − direct: the measure's own median of
 * per-round differences when it has one (what the targets judge), else the difference of the medians.
 */
function subjectRow(label: string, values: PerSubject, digits = 3, added?: Added): string {
  const difference = added ?? {
    gateway: values.gateway - values.direct,
    baseline: values.baseline - values.direct,
  };
  return row([
    label,
    values.direct,
    values.gateway,
    values.baseline,
    signed(difference.gateway, digits),
    signed(difference.baseline, digits),
  ]);
}

function throughputRow(label: string, measure: LatencyMeasure): string {
  const { direct, gateway, baseline } = measure.subjects;
  const rates = [direct.callsPerSecond, gateway.callsPerSecond, baseline.callsPerSecond];
  return row([label, ...rates, '', '', format(measure.throughputRatio, 2)]);
}

function burstRows(label: string, burst: BurstMeasure): string[] {
  const upstream = (name: keyof PerSubject) =>
    `${burst.upstreamPeakInFlight[name]} / ${format(burst.upstreamArrivalSpreadMs[name], 0)}`;
  return [
    subjectRow(`${burst.calls} × ${burst.upstreamDelayMs} ms upstream${label}: wall (ms)`, burst.wallMs, 1),
    row([
      '  upstream peak in flight / arrival spread (ms)',
      upstream('direct'),
      upstream('gateway'),
      upstream('baseline'),
    ]),
  ];
}

function streamingRows({ firstProgress, chunkCost }: StreamingMeasure): string[] {
  const large = chunkCost.chunkCounts[1];
  return [
    subjectRow('first progress p50 (ms; direct: 1st token)', firstProgress.p50Ms, 3, firstProgress.addedMs),
    subjectRow(`per chunk, ${large}-chunk stream (µs)`, chunkCost.perChunkUs, 2, chunkCost.addedPerChunkUs),
    row([
      `${large}-chunk streamed call (ms)`,
      chunkCost.largeStreamMs.direct,
      chunkCost.largeStreamMs.gateway,
      chunkCost.largeStreamMs.baseline,
    ]),
    row([
      'chunks/s through one streamed call',
      chunkCost.chunksPerSecond.direct,
      chunkCost.chunksPerSecond.gateway,
      chunkCost.chunksPerSecond.baseline,
    ]),
  ];
}

function measureTable(results: BenchResults): string[] {
  const m = results.measures;
  const c = m.latencyConcurrent.concurrency;
  return [
    row(COLUMNS),
    '-'.repeat(WIDTHS.reduce((sum, width) => sum + width + 1, 0)),
    ...latencyRows('tool call c=1', m.latencyC1),
    ...latencyRows(`tool call c=${c}`, m.latencyConcurrent),
    throughputRow(`calls/s at c=${c}`, m.latencyConcurrent),
    ...latencyRows('lean client c=1', m.latencyC1Lean),
    ...latencyRows(`lean client c=${c}`, m.latencyConcurrentLean),
    throughputRow(`calls/s at c=${c}, lean client`, m.latencyConcurrentLean),
    ...burstRows('', m.burst),
    ...burstRows(', lean', m.burstLean),
    ...streamingRows(m.streaming),
    ...memoryRows(m.memory.gateway, m.memory.baseline),
  ];
}

function targetLine(target: TargetCheck): string {
  const verdict = target.pass ? 'PASS' : 'FAIL';
  const measured = `${format(target.measured)}${target.unit === '' ? '' : ' ' + target.unit}`;
  return `${verdict}  ${target.description.padEnd(52)} ${measured.padStart(12)}   target ${target.comparison} ${target.limit}${target.unit === '' ? '' : ' ' + target.unit}`;
}

function anchorLines(results: BenchResults): string[] {
  const gatewayAdded = results.measures.latencyC1.addedMs.gateway.p50;
  const chunksPerSecond = results.measures.streaming.chunkCost.chunksPerSecond.gateway;
  return [
    ...ANCHORS.map((anchor) =>
      'addedMsMedian' in anchor
        ? `  ${anchor.name.padEnd(32)} ≈ ${anchor.addedMsMedian} ms   (${anchor.note})`
        : `  ${anchor.name.padEnd(32)} ≈ ${anchor.tokensPerSecond} tokens/s (${anchor.note})`,
    ),
    `  ${'this gateway'.padEnd(32)} ${format(gatewayAdded)} ms added per call (c=1, p50); ${format(chunksPerSecond)} chunks/s through one streamed call`,
  ];
}

/** The human-readable report printed at the end of a run. */
export function renderReport(results: BenchResults): string {
  const m = results.machine;
  return [
    `MCP gateway benchmark (${results.plan.name} plan, ${results.plan.rounds} rounds, medians of rounds; ${results.durationSeconds.toFixed(0)} s)`,
    `machine: ${m.cpuModel}, ${m.cores} cores, ${m.memoryGiB} GiB; Node ${m.node}; ${m.os}`,
    ...(results.plan.name === 'smoke'
      ? ['SMOKE RUN: tiny counts, one cold round — a check that it runs, not a measurement']
      : []),
    '',
    ...measureTable(results),
    '',
    ...modernRows(results.measures.modern),
    '',
    ...(results.measures.sandbox ? [...sandboxRows(results.measures.sandbox), ''] : []),
    'targets (gateway):',
    ...results.targets.map(targetLine),
    '',
    'public anchors:',
    ...anchorLines(results),
  ].join('\n');
}
