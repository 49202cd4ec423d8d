import { CODE_MODEL, type ModelClient, type ModelLoadStatus } from '@app/inference';
import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';

/**
 * With no model endpoint configured the code model runs in-process, and the first start downloads it
 * (≈ 1 GB). Doing that inside the first tool call made clients time out with nothing said; instead it
 * starts with the gateway, in the background: its progress goes to the log (every 10 %), to
 * `/health/ready` and, as MCP progress, to any client that calls meanwhile (ToolRunContext.onWaiting).
 */
@Injectable()
export class ModelPreloader implements OnApplicationBootstrap {
  private readonly logger = new Logger('ModelPreloader');
  private lastLoggedStep = -1;

  constructor(@Inject(CODE_MODEL) private readonly code: ModelClient) {}

  onApplicationBootstrap(): void {
    if (this.code.preload === undefined) return;
    const started = Date.now();
    this.logger.log('preparing the embedded code model in the background (the first start downloads it)');
    this.code
      .preload((status) => this.onStatus(status))
      .then(
        () =>
          this.logger.log(`embedded code model ready after ${((Date.now() - started) / 1000).toFixed(1)} s`),
        (error: unknown) =>
          this.logger.error(
            `embedded code model not ready: ${error instanceof Error ? error.message : String(error)} — tool calls retry the load`,
          ),
      );
  }

  /** One line per 10 % of a download, one when loading starts: a log, not a progress bar. */
  private onStatus(status: ModelLoadStatus): void {
    const step = status.phase === 'loading' ? 10 : Math.floor((status.percent ?? 0) / 10);
    if (step === this.lastLoggedStep) return;
    this.lastLoggedStep = step;
    this.logger.log(status.message);
  }
}
