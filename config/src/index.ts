export const CONFIG_PLACEHOLDER = 1;
