import { gatewayConfig, type GatewayConfigType } from '@app/config';
import type { Provider } from '@nestjs/common';
import { GatewayLogger } from '../../logging/gateway-logger';
import { RedisTaskStore } from './redis-task-store';
import { MemoryTaskStore, type TaskStore } from './task-store';

export const TASK_STORE = Symbol('TASK_STORE');

/** Memory by default; Redis when GATEWAY_REDIS_URL is set (replicas then share their tasks). */
export const taskStoreProvider: Provider<TaskStore> = {
  provide: TASK_STORE,
  inject: [gatewayConfig.KEY, GatewayLogger],
  useFactory: (config: GatewayConfigType, logger: GatewayLogger): TaskStore => {
    if (config.redisUrl === undefined) return new MemoryTaskStore();
    let lastReported = '';
    // one line per distinct problem, not one per reconnect attempt
    const onError = (error: Error) => {
      if (error.message === lastReported) return;
      lastReported = error.message;
      logger.warn(
        { event: 'task_store_error', error: error.message },
        'GATEWAY_REDIS_URL: Redis unreachable; tools answer inline instead of as tasks until it is back',
      );
    };
    return RedisTaskStore.connect(config.redisUrl, onError);
  },
};
