/**
 * docker-compose.yml without a Docker engine: schema + lint (dclint), the wiring between services, the
 * GPU profile, and that every variable it references is documented and accepted by the apps' own
 * configuration validation.
 */
import { getMetadataStorage } from 'class-validator';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EnvironmentVariables, validateEnvironment } from '@app/config';
import { loadCompose, readEnvFile, referencedVariables, type ComposeService } from './support/compose';
import { lastInstruction, loadDockerfile, parseHealthcheck } from './support/dockerfile';
import { REPO_ROOT } from './support/paths';
import { run } from './support/processes';

const COMPOSE_PATH = join(REPO_ROOT, 'docker-compose.yml');
const ENV_EXAMPLE = join(REPO_ROOT, '.env.example');
const compose = loadCompose(COMPOSE_PATH);
const services = compose.services;
const stages = loadDockerfile(join(REPO_ROOT, 'docker', 'Dockerfile'));

/** Variables the apps validate (class-validator metadata of the config's EnvironmentVariables). */
const APP_VARIABLES = new Set(
  getMetadataStorage()
    .getTargetValidationMetadatas(EnvironmentVariables, '', true, false)
    .map((metadata) => metadata.propertyName),
);

function service(name: string): ComposeService {
  const found = services[name];
  if (!found) throw new Error(`service ${name} missing`);
  return found;
}

function environmentOf(name: string, variables: Record<string, string> = {}): Record<string, string> {
  return loadCompose(COMPOSE_PATH, variables).services[name]?.environment ?? {};
}

describe('docker-compose.yml', () => {
  it('passes dclint (Compose Specification schema + best-practice rules), warnings included', async () => {
    const result = await run(process.execPath, [
      'node_modules/dclint/bin/dclint.cjs',
      '--config',
      'docker/dclint.yml',
      '--max-warnings',
      '0',
      '--color',
      'false',
      'docker-compose.yml',
    ]);
    expect(result.stdout + result.stderr).not.toMatch(/error|warning/);
    expect(result.code).toBe(0);
  });

  // Debian's docker-compose (v1.29) is optional: CI machines may not have it; dclint is the schema check.
  const hasDockerCompose = spawnSync('docker-compose', ['version'], { encoding: 'utf8' }).status === 0;
  (hasDockerCompose ? it : it.skip)(
    'passes `docker-compose config` (Debian docker-compose 1.29), gpu profile too',
    () => {
      for (const profileArgs of [[], ['--profile', 'gpu']]) {
        const result = spawnSync('docker-compose', ['-f', COMPOSE_PATH, ...profileArgs, 'config', '-q'], {
          encoding: 'utf8',
          env: { PATH: process.env.PATH },
        });
        expect(result.stderr).toBe('');
        expect(result.status).toBe(0);
      }
    },
  );

  it('builds the gateway and the agent from the Dockerfile targets', () => {
    for (const name of ['gateway', 'agent']) {
      expect(service(name).build).toEqual({ context: '.', dockerfile: 'docker/Dockerfile', target: name });
    }
  });

  it('wires the agent to the gateway service and starts it once the gateway is healthy', () => {
    const gateway = service('gateway');
    const agent = service('agent');
    expect(agent.depends_on).toEqual({ gateway: { condition: 'service_healthy' } });
    const gatewayUrl = new URL(agent.environment?.MCP_GATEWAY_URL ?? '');
    expect(gatewayUrl.hostname).toBe('gateway');
    expect(gatewayUrl.port).toBe(gateway.environment?.GATEWAY_PORT);
    expect(gatewayUrl.pathname).toBe('/mcp');
    expect(gateway.environment?.GATEWAY_ALLOWED_HOSTS?.split(',')).toContain('gateway');
  });

  it('listens on all interfaces inside the containers but publishes on loopback only', () => {
    expect(service('gateway').environment?.GATEWAY_HOST).toBe('0.0.0.0');
    expect(service('agent').environment?.AGENT_HOST).toBe('0.0.0.0');
    for (const name of ['gateway', 'agent']) {
      const ports = service(name).ports ?? [];
      expect(ports.length).toBe(1);
      for (const port of ports) expect(port).toMatch(/^127\.0\.0\.1:\d+:\d+$/);
    }
    for (const name of ['starcoder', 'mistral']) expect(service(name).ports).toBeUndefined();
  });

  it("runs the same healthcheck commands as the images' HEALTHCHECKs", () => {
    for (const name of ['gateway', 'agent']) {
      const image = parseHealthcheck(lastInstruction(stages, name, 'HEALTHCHECK')?.args ?? '');
      expect(service(name).healthcheck?.test).toEqual(['CMD', ...image.command]);
    }
  });

  it('serves StarCoder2-7B (completions) and Mistral-7B-Instruct-v0.3 (tool calls) on vLLM under the gpu profile', () => {
    const starcoder = service('starcoder');
    const mistral = service('mistral');
    expect(starcoder.command).toEqual(expect.arrayContaining(['--model', 'bigcode/starcoder2-7b']));
    expect(mistral.command).toEqual(
      expect.arrayContaining(['--model', 'mistralai/Mistral-7B-Instruct-v0.3', '--enable-auto-tool-choice']),
    );
    const parserAt = mistral.command?.indexOf('--tool-call-parser') ?? -1;
    expect(mistral.command?.[parserAt + 1]).toBe('mistral');
    for (const model of [starcoder, mistral]) {
      expect(model.image).toMatch(/^vllm\/vllm-openai:v\d+\.\d+\.\d+$/);
      expect(model.profiles).toEqual(['gpu']);
      expect(model.command).toEqual(expect.arrayContaining(['--host', '0.0.0.0', '--port', '8000']));
      expect(model.healthcheck?.test.join(' ')).toContain('http://127.0.0.1:8000/health');
      expect(model.volumes).toContain('hf-cache:/root/.cache/huggingface');
    }
  });

  it('reserves NVIDIA GPUs for the model services only', () => {
    for (const name of ['starcoder', 'mistral']) {
      const devices = service(name).deploy?.resources?.reservations?.devices ?? [];
      expect(devices).toHaveLength(1);
      expect(devices[0]?.capabilities).toEqual(['gpu']);
      expect(devices[0]?.driver).toBe('nvidia');
    }
    for (const name of ['gateway', 'agent']) expect(service(name).deploy).toBeUndefined();
    expect(Object.keys(compose.volumes ?? {}).sort()).toEqual(['hf-cache', 'model-cache', 'redis-data']);
  });

  it('the example endpoints of .env.example reach the gpu-profile services on their served paths', () => {
    const text = readFileSync(ENV_EXAMPLE, 'utf8');
    expect(text).toContain('STARCODER_ENDPOINT=http://starcoder:8000/v1/completions');
    expect(text).toContain('MISTRAL_ENDPOINT=http://mistral:8000/v1/chat/completions');
    const withGpu = environmentOf('gateway', {
      STARCODER_ENDPOINT: 'http://starcoder:8000/v1/completions',
      MISTRAL_ENDPOINT: 'http://mistral:8000/v1/chat/completions',
    });
    expect(withGpu.STARCODER_ENDPOINT).toBe('http://starcoder:8000/v1/completions');
    expect(service('mistral').expose).toContain('8000');
    expect(service('starcoder').expose).toContain('8000');
  });
});

describe('configuration passed by docker-compose.yml', () => {
  const documented = readEnvFile(ENV_EXAMPLE, true);

  it('references only variables documented in .env.example', () => {
    const referenced = referencedVariables(readFileSync(COMPOSE_PATH, 'utf8'));
    expect(referenced.length).toBeGreaterThan(20);
    expect(referenced.filter((name) => !documented.has(name))).toEqual([]);
  });

  it('bakes in no secret: tokens and keys are empty unless the operator sets them', () => {
    for (const [name, definition] of Object.entries(services)) {
      for (const [key, value] of Object.entries(definition.environment ?? {})) {
        if (/_TOKEN$|API_KEYS?$|SECRET|PASSWORD/.test(key))
          expect({ name, key, value }).toEqual({ name, key, value: '' });
      }
    }
    const raw = readFileSync(COMPOSE_PATH, 'utf8');
    expect(raw).toMatch(/HF_TOKEN: \$\{HF_TOKEN:-\}/);
    expect(raw).not.toMatch(/hf_[A-Za-z0-9]{20,}|sk-[A-Za-z0-9]{20,}/);
  });

  it.each(['gateway', 'agent'])('%s: sets only variables the apps know', (name) => {
    const unknown = Object.keys(service(name).environment ?? {}).filter((key) => !APP_VARIABLES.has(key));
    expect(unknown).toEqual([]);
  });

  it.each(['gateway', 'agent'])(
    '%s: its environment passes the config validation with compose defaults',
    (name) => {
      expect(() => validateEnvironment(environmentOf(name))).not.toThrow();
    },
  );

  it.each(['gateway', 'agent'])('%s: and with the values of .env.example copied to .env', (name) => {
    const values = Object.fromEntries(readEnvFile(ENV_EXAMPLE));
    expect(() => validateEnvironment(environmentOf(name, values))).not.toThrow();
    expect(() => validateEnvironment(values)).not.toThrow();
  });

  it('with the gpu set-up (set-up B) the gateway validates and points at both vLLM services', () => {
    const env = environmentOf('gateway', {
      STARCODER_ENDPOINT: 'http://starcoder:8000/v1/completions',
      MISTRAL_ENDPOINT: 'http://mistral:8000/v1/chat/completions',
      GATEWAY_MCP_MODE: 'stateless',
    });
    const validated = validateEnvironment(env);
    expect(validated.GATEWAY_MCP_MODE).toBe('stateless');
    expect(validated.GATEWAY_HOST).toBe('0.0.0.0');
  });

  it('a bad value set through .env is refused by the apps, naming the variable', () => {
    const env = environmentOf('gateway', { STARCODER_ENDPOINT: 'not-a-url' });
    expect(() => validateEnvironment(env)).toThrow(/STARCODER_ENDPOINT/);
  });
});
