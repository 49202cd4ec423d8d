import { Transform } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min, MinLength } from 'class-validator';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

/** Body of `POST /v1/runs`. */
export class CreateRunDto {
  @Transform(trim)
  @IsString()
  @MinLength(1, { message: 'task must not be empty' })
  @MaxLength(20_000)
  task!: string;

  @IsOptional()
  @Transform(trim)
  @IsString()
  @MinLength(1)
  @MaxLength(40)
  language?: string;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(200)
  max_steps?: number;
}
