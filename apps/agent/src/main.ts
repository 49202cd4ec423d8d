import 'reflect-metadata';
import { join } from 'node:path';
import {
  agentConfig,
  environmentWithDotEnv,
  loadConfig,
  runOrExitOnConfigError,
  type AgentConfigType,
} from '@app/config';
import { PLANNER_MODEL, type ModelClient } from '@app/inference';
import { getDefaultEnvironment } from '@modelcontextprotocol/sdk/client/stdio.js';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { AgentAppModule } from './agent-app.module';
import { AgentOrchestrator } from './core/agent-orchestrator.service';
import { AGENT_SETTINGS, TOOL_GATEWAY } from './core/agent.tokens';
import type { AgentSettings } from './core/agent.types';
import type { GatewayTarget } from './tools/mcp-tool-gateway';
import type { ToolGateway } from './tools/tool-gateway';
import { runDemoScenarios } from './demo/demo-runner';
import { chooseDemoGateway, explainDemoFailure, plannerProblem } from './demo/demo-preflight';
import { runReplayDemo } from './demo/replay-demo';
import { configureAgentApp } from './http/configure-app';
import { openRunBackend, type RunBackend } from './runs/run-backend';
import { RunStoreError } from './runs/store/run-repository';

const write = (text: string) => void process.stdout.write(text);

/** The built gateway next to this file in dist/, spoken to over stdio by the replay demo. */
const GATEWAY_MAIN = join(__dirname, '..', '..', 'mcp-gateway', 'src', 'main.js');

/**
 * The run store is opened before Nest so that an unusable one (unwritable folder, foreign file, Redis
 * down) is one line on stderr and exit code 1, not a stack trace from inside the module graph.
 */
async function openRunsOrExit(): Promise<RunBackend> {
  try {
    return await openRunBackend(loadConfig(environmentWithDotEnv()).agent.runs);
  } catch (error) {
    if (!(error instanceof RunStoreError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
}

async function startHttp(): Promise<void> {
  const runs = await openRunsOrExit();
  const app = await NestFactory.create(AgentAppModule.forRoot({ httpLogs: true, runs }), {
    bufferLogs: true,
    // app.close() destroys the sockets still open (half-sent requests, silent clients) instead of waiting
    forceCloseConnections: true,
  });
  app.useLogger(app.get(Logger));
  const { host, port, apiKeys, allowedHosts } = app.get<AgentConfigType>(agentConfig.KEY);
  configureAgentApp(app, { apiKeys, allowedHosts });
  await app.listen(port, host);
  const where = `${runs.mode} store ${runs.repository.location}, role ${runs.role}, worker ${runs.workerId}`;
  app.get(Logger).log(`agent listening on http://${host}:${port} (POST /v1/runs; ${where})`);
}

/** The built gateway over stdio; `env` is passed whole because the gateway reads its own configuration. */
function spawnedGateway(env: Record<string, string>): GatewayTarget {
  return { kind: 'stdio', command: process.execPath, args: [GATEWAY_MAIN, '--stdio'], env };
}

function inheritedEnvironment(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined),
  );
}

async function runConfiguredDemo(): Promise<number> {
  const app = await NestFactory.createApplicationContext(AgentAppModule.forRoot({ httpLogs: false }), {
    logger: ['error', 'warn'],
  });
  try {
    const planner = app.get<ModelClient>(PLANNER_MODEL);
    const problem = await plannerProblem(planner);
    if (problem) return explainDemoFailure(problem, write);
    const settings = app.get<AgentSettings>(AGENT_SETTINGS);
    const gateway = await chooseDemoGateway(
      app.get<ToolGateway>(TOOL_GATEWAY),
      spawnedGateway(inheritedEnvironment()),
      write,
    );
    const views = await runDemoScenarios(new AgentOrchestrator(planner, gateway, settings), write);
    const failure = views.find((v) => v.status !== 'succeeded');
    return failure ? explainDemoFailure(failure.error?.message ?? failure.status, write) : 0;
  } finally {
    await app.close();
  }
}

async function runReplay(): Promise<number> {
  const views = await runReplayDemo({
    write,
    gatewayTarget: (codeModelUrl) =>
      spawnedGateway({ ...getDefaultEnvironment(), STARCODER_ENDPOINT: codeModelUrl, LOG_LEVEL: 'warn' }),
  });
  return views.every((v) => v.status === 'succeeded') ? 0 : 1;
}

function wantsReplay(argv: readonly string[]): boolean {
  // DEMO_MODE is a CLI switch of this entry point, not service configuration: read here on purpose.
  return argv.includes('--replay') || process.env.DEMO_MODE === 'replay';
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (!argv.includes('--demo')) return startHttp();
  process.exitCode = wantsReplay(argv) ? await runReplay() : await runConfiguredDemo();
}

void runOrExitOnConfigError(main);
