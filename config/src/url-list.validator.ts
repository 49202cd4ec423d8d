import { registerDecorator, type ValidationArguments, type ValidationOptions } from 'class-validator';

function isHttpUrl(candidate: string): boolean {
  try {
    const url = new URL(candidate);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

/** Splits "a, b,c" into trimmed, non-empty items. */
export function splitList(value: string | undefined): string[] {
  if (value === undefined) return [];
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

/**
 * An http(s) URL, or (unless `single`) several separated by commas (replicas of one model).
 * The message starts with the variable's name, so the operator sees exactly what to fix.
 */
export function IsUrlList(options: { single?: boolean } = {}, validationOptions?: ValidationOptions) {
  return (target: object, propertyName: string): void => {
    registerDecorator({
      name: 'isUrlList',
      target: target.constructor,
      propertyName,
      options: validationOptions,
      validator: {
        validate(value: unknown): boolean {
          if (typeof value !== 'string') return false;
          const items = splitList(value);
          if (items.length === 0 || (options.single && items.length > 1)) return false;
          return items.every(isHttpUrl);
        },
        defaultMessage(args: ValidationArguments): string {
          const what = options.single ? 'an http(s) URL' : 'an http(s) URL or a comma-separated list of them';
          return `${args.property} must be ${what}, e.g. http://10.0.0.5:8000/v1`;
        },
      },
    });
  };
}
