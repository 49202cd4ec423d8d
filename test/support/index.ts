export const TESTING = 1;
