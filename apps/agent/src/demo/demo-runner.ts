import type { AgentOrchestrator } from '../core/agent-orchestrator.service';
import type { RunView } from '../core/agent.types';
import { RunRecord } from '../runs/run-record';
import { DEMO_SCENARIOS, type DemoScenario } from './demo-scenarios';
import { TranscriptPrinter, type Write } from './transcript-printer';

/** A planner or gateway that cannot be reached fails every scenario alike. */
function isInfrastructureFailure(view: RunView): boolean {
  const outcome = view.result?.outcome;
  return outcome === 'planner_error' || outcome === 'gateway_error';
}

/** Runs the demo scenarios one after the other, printing each step as it happens. */
export async function runDemoScenarios(
  orchestrator: AgentOrchestrator,
  write: Write,
  scenarios: readonly DemoScenario[] = DEMO_SCENARIOS,
): Promise<RunView[]> {
  const printer = new TranscriptPrinter(write);
  const views: RunView[] = [];
  for (const scenario of scenarios) {
    printer.header(scenario.title, scenario.task);
    const record = new RunRecord({ task: scenario.task, language: scenario.language });
    record.subscribe((event) => {
      if (event.type === 'activity') printer.activity(event.activity);
      else if (event.type === 'step') printer.step(event.step);
      else if (event.type === 'end') printer.end(event.run);
    });
    await orchestrator.execute(record);
    views.push(record.view());
    if (isInfrastructureFailure(record.view())) {
      write('\nSkipping the remaining scenarios: the same failure would repeat.\n');
      break;
    }
  }
  const succeeded = views.filter((v) => v.status === 'succeeded').length;
  write(`\n${succeeded}/${views.length} scenarios succeeded.\n`);
  return views;
}
