// Option parsers shared by the commands: a bad value stops commander with a message saying what to write.
import { InvalidArgumentError } from 'commander';
import { isDate, parsePeriod } from '../../shared/domain/periods.ts';

export function dateArg(value: string): string {
  if (!isDate(value)) throw new InvalidArgumentError(`"${value}" is not a date: write YYYY-MM-DD, e.g. 2022-03-01`);
  return value;
}

export function periodArg(value: string): string {
  if (!parsePeriod(value)) throw new InvalidArgumentError(`"${value}" is not a period: write an ISO week like 2022-W14 or a month like 2022-04`);
  return value;
}
