/** Who the gateway says it is and what it offers, the same on every protocol era and SDK line. */
export const SERVER_INFO = {
  name: 'code-model-mcp-gateway',
  title: 'Code model MCP gateway',
  version: '0.1.0',
};

export const INSTRUCTIONS =
  'Tools backed by self-hosted code models: formalize_task turns a request into a spec, generate_code writes ' +
  'code for a task or spec, review_code reviews code. Calls stream progress when you send a progressToken.';

export const CAPABILITIES = {
  tools: { listChanged: false },
  prompts: { listChanged: false },
  completions: {},
  logging: {},
};
