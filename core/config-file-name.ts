/**
 * The release configuration's file name when none is given. A module of its own: the CLI names it in its
 * help and options without loading the YAML parser and the schema (core/config-file.ts) on every start.
 */
export const DEFAULT_CONFIG_FILE = 'release.config.yaml';
