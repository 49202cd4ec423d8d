/**
 * Tools a client may run as a task (MCP Tasks extension): the long ones — a model generating code, a
 * sandbox running tests. Named here once, so a tool that joins later (run_tests) is task-capable as soon
 * as it is registered; the others answer inline, where a task would only add polling round trips.
 */
const TASK_CAPABLE_TOOLS: ReadonlySet<string> = new Set(['generate_code', 'run_tests']);

export function supportsTasks(tool: string): boolean {
  return TASK_CAPABLE_TOOLS.has(tool);
}
