import { McpSession } from '../load/mcp-sessions';
import type { ServerUnderTest } from './servers';

const EXPECTED_TOOLS = ['formalize_task', 'generate_code', 'review_code'];

/** Before timing anything: both servers list the three tools and answer each with a valid result. */
export async function checkAllTools(server: ServerUnderTest): Promise<void> {
  const session = await McpSession.open(server.url);
  try {
    const names = await session.listToolNames();
    for (const name of EXPECTED_TOOLS) {
      if (!names.includes(name))
        throw new Error(`${server.name} does not list ${name} (got ${names.join(', ')})`);
    }
    await session.call(undefined, 'formalize_task', { task: 'Add two numbers.' });
    await session.call(undefined, 'generate_code', { task: 'Add two numbers.', language: 'python' });
    await session.call(undefined, 'review_code', {
      code: 'def add(a, b):\n    return a + b\n',
      language: 'python',
    });
  } finally {
    await session.terminate();
  }
}
