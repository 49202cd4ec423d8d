import { appendFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProgressBar } from '../progress/progress-bar';
import type { TaskResult, TaskStatus } from '../run/task-result';
import { compareRuns, renderComparison } from './compare';
import { buildResults, type RunHeader } from './eval-results';
import { renderHtmlReport } from './html-report';
import { readJournal, ResultJournal } from './journal';
import { renderMarkdownReport } from './markdown-report';
import { renderSummaryTable } from './summary-table';

const header: RunHeader = {
  dataset: 'humaneval',
  mode: 'direct',
  dataset_size: 164,
  started_at: '2026-12-06T00:00:00.000Z',
  config: {
    gateway: 'stdio',
    endpoints: { code: 'http://gpu:8000/v1' },
    models: { code: 'starcoder2-7b' },
    concurrency: 4,
    timeout_seconds: 10,
    node: 'v20',
    host: { cpus: 2, platform: 'linux-x64' },
  },
};

const task = (id: number, status: TaskStatus): TaskResult => ({
  task_id: `HumanEval/${id}`,
  passed: status === 'passed',
  status,
  duration_ms: 100 + id,
  generation_ms: 80,
  execution_ms: 20 + id,
  tokens: { total: 50, estimated: true },
});

describe('results', () => {
  const tasks = [task(10, 'passed'), task(2, 'timeout'), task(9, 'passed'), task(1, 'no_code')];
  const results = buildResults(header, tasks, {
    at: new Date('2026-12-06T00:01:00Z'),
    wallMs: 60_000,
    expected: 4,
  });

  it('computes pass@1 and failures by reason, tasks in HumanEval order', () => {
    expect(results).toMatchObject({ total: 4, passed: 2, pass_at_1: 0.5, complete: true });
    expect(results.failures_by_reason).toEqual({
      wrong_answer: 0,
      timeout: 1,
      compile_error: 0,
      no_code: 1,
      model_error: 0,
    });
    expect(results.tasks.map((t) => t.task_id)).toEqual([
      'HumanEval/1',
      'HumanEval/2',
      'HumanEval/9',
      'HumanEval/10',
    ]);
  });

  it('renders the summary table, the Markdown and the HTML report', () => {
    expect(renderSummaryTable(results)).toContain('pass@1                 50.0%  (2/4)');
    const markdown = renderMarkdownReport(results);
    for (const heading of ['## Failures by reason', '## Latency and tokens', '## Configuration', '## Tasks'])
      expect(markdown).toContain(heading);
    expect(markdown).toContain('| no code | 1 | 25.0% |');
    const html = renderHtmlReport(results);
    expect(html).toContain('<svg');
    expect(html).not.toContain('<script');
  });

  it('journals one line per task; a torn last line is skipped on resume', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'eval-journal-')), 'run.jsonl');
    const journal = new ResultJournal(path);
    journal.start(header);
    journal.record(task(0, 'passed'));
    journal.record(task(1, 'wrong_answer'));
    appendFileSync(path, '{"type":"task","task_id":"HumanEval/2","pas');
    const read = readJournal(path);
    expect(read.header.dataset).toBe('humaneval');
    expect(read.tasks.map((t) => t.task_id)).toEqual(['HumanEval/0', 'HumanEval/1']);
  });

  it('compares two runs task by task', () => {
    const other = buildResults(
      { ...header, mode: 'agent' },
      [task(1, 'passed'), task(2, 'timeout'), task(9, 'wrong_answer'), task(10, 'passed')],
      { at: new Date(), wallMs: 1, expected: 4 },
    );
    expect(compareRuns(results, other)).toMatchObject({ both: 1, onlyA: 1, onlyB: 1, neither: 1 });
    const text = renderComparison(results, other);
    expect(text).toContain('solved by both 1 · only A 1 · only B 1 · neither 1');
    expect(text).toMatch(/HumanEval\/9\s+✓\s+✗ wrong answer/);
    expect(text).not.toMatch(/HumanEval\/10\s/);
  });

  it('shows progress with pass count, ETA and failures by reason', () => {
    const lines: string[] = [];
    let now = 0;
    const bar = new ProgressBar({
      total: 4,
      write: (t) => lines.push(t),
      interactive: false,
      lineEveryMs: 0,
      now: () => now,
    });
    now = 1_000;
    bar.update(task(0, 'passed'));
    now = 2_000;
    bar.update(task(1, 'timeout'));
    expect(lines.at(-1)).toBe('████████████░░░░░░░░░░░░ 2/4 · passed 1 (50.0%) · ETA 0:02 · timeout 1\n');
  });
});
