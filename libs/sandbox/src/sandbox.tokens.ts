/** Options of the sandbox (`SandboxOptions`); provided by `SandboxModule.forRoot[Async]`. */
export const SANDBOX_OPTIONS = Symbol('SANDBOX_OPTIONS');
