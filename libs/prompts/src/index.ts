export const PROMPTS_PLACEHOLDER = 1;
