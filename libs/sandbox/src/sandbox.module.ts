import type { SandboxConfig } from '@app/config';
import { ConfigValidationError } from '@app/config';
import { ConfigurableModuleBuilder, Module, type OnModuleInit } from '@nestjs/common';
import { CodeSandbox } from './code-sandbox';
import { SANDBOX_OPTIONS } from './sandbox.tokens';
import type { SandboxOptions } from './sandbox.types';

export const {
  ConfigurableModuleClass: SandboxConfigurableModule,
  MODULE_OPTIONS_TOKEN: SANDBOX_MODULE_OPTIONS,
  OPTIONS_TYPE: SANDBOX_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: SANDBOX_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<SandboxOptions>().setClassMethodName('forRoot').build();

/** `sandboxConfig` of `@app/config` as module options (the namespace is already validated). */
export function sandboxOptionsFromConfig(config: SandboxConfig): SandboxOptions {
  return { ...config };
}

/** Runs without Nest (CLIs, benchmarks): the same service `SandboxModule` provides. */
export function createCodeSandbox(options: SandboxOptions): CodeSandbox {
  return new CodeSandbox(options);
}

/**
 * The `CodeSandbox` service. `SandboxModule.forRootAsync({ inject: [sandboxConfig.KEY], useFactory:
 * sandboxOptionsFromConfig })`. Probes the sandbox at start; with SANDBOX=bubblewrap a sandbox that
 * cannot work stops the start (one line, exit 78 through runOrExitOnConfigError).
 */
@Module({
  providers: [{ provide: SANDBOX_OPTIONS, useExisting: SANDBOX_MODULE_OPTIONS }, CodeSandbox],
  exports: [CodeSandbox],
})
export class SandboxModule extends SandboxConfigurableModule implements OnModuleInit {
  constructor(private readonly sandbox: CodeSandbox) {
    super();
  }

  async onModuleInit(): Promise<void> {
    await assertRequiredSandboxWorks(this.sandbox, this.sandbox.mode);
  }
}

/** SANDBOX=bubblewrap promises execution: a sandbox that cannot work is a configuration error. */
export async function assertRequiredSandboxWorks(
  sandbox: CodeSandbox,
  mode: SandboxOptions['mode'],
): Promise<void> {
  const availability = await sandbox.availability();
  if (mode === 'bubblewrap' && !availability.available) {
    throw new ConfigValidationError([
      `SANDBOX=bubblewrap, but ${lowerFirst(availability.reason ?? 'the sandbox does not work')}`,
    ]);
  }
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}
