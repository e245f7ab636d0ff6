import { InvalidArgumentError } from 'commander';
import { parseDuration, DURATION_PATTERN } from '../core/duration';

/*
 * Parsers for commander arguments and options: a value that cannot work is a usage error (exit 2)
 * before any request is made.
 */

/** The rule of repository and environment names in release.config.yaml (core/config.ts). */
const NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;

export function parseName(value: string): string {
  if (!NAME.test(value)) throw new InvalidArgumentError('a name is lowercase letters, digits and dashes, as in release.config.yaml.');
  return value;
}

/** `api,web`: names as in release.config.yaml, at least one. */
export function parseNameList(value: string): string[] {
  const names = value.split(',').map((name) => name.trim()).filter((name) => name !== '');
  if (names.length === 0) throw new InvalidArgumentError('name at least one repository, comma-separated.');
  return names.map(parseName);
}

export function parseNonBlank(value: string): string {
  if (value.trim() === '') throw new InvalidArgumentError('it must not be empty.');
  return value.trim();
}

export function parsePositiveInteger(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new InvalidArgumentError('a whole number of at least 1 is needed.');
  return Number(value);
}

export function parsePort(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) > 65_535) throw new InvalidArgumentError('a port is a whole number from 0 to 65535.');
  return Number(value);
}

/** Milliseconds in a duration written like the config's: 90s, 30m, 12h, 3d. */
export function parseTimeout(value: string): number {
  if (!DURATION_PATTERN.test(value) || parseDuration(value) === 0) throw new InvalidArgumentError('write a duration such as 90s, 30m, 12h or 3d.');
  return parseDuration(value) * 1000;
}
