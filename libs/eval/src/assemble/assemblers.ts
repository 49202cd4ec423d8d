import type { EvalLanguage } from '../datasets/problem';
import type { ProgramAssembler } from './assembly';
import { javascriptAssembler, typescriptAssembler } from './ecmascript.assembler';
import { pythonAssembler } from './python.assembler';

const ASSEMBLERS: Record<EvalLanguage, ProgramAssembler> = {
  python: pythonAssembler,
  javascript: javascriptAssembler,
  typescript: typescriptAssembler,
};

export function assemblerFor(language: EvalLanguage): ProgramAssembler {
  return ASSEMBLERS[language];
}
