/** DI tokens of the agent app. */
export const AGENT_SETTINGS = Symbol('AGENT_SETTINGS');
export const TOOL_GATEWAY = Symbol('TOOL_GATEWAY');
