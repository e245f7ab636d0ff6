import { existsSync, readdirSync, readFileSync } from 'node:fs';

/**
 * What Linux's `/proc` tells of this machine's processes, for tests that check what is left running. A
 * process listed a moment ago may have exited since: what it can no longer tell reads as ''.
 */
export function procFile(pid: number, file: 'cmdline' | 'environ' | 'stat'): string {
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'utf8');
  } catch {
    return '';
  }
}

/** The fields of `/proc/<pid>/stat` after the command name: [state, ppid, pgrp, …]; [] once it is gone. */
function statFields(pid: number): string[] {
  const stat = procFile(pid, 'stat');
  return stat ? stat.replace(/^.*\) /, '').split(' ') : [];
}

/** Alive, and not a zombie waiting for its parent to reap it (without /proc: alive). */
export function isRunning(pid: number): boolean {
  if (!existsSync('/proc')) {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  }
  const state = statFields(pid)[0];
  return state !== undefined && state !== 'Z';
}

/** The process group `pid` belongs to. */
export function processGroup(pid: number): number {
  return Number(statFields(pid)[2]);
}

/** PIDs of the processes, zombies included, for which `matches` holds. */
export function processes(matches: (pid: number) => boolean): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .filter((pid) => matches(pid));
}

/** PIDs of running processes (not zombies) for which `matches` holds. */
export function liveProcesses(matches: (pid: number) => boolean): number[] {
  return processes((pid) => matches(pid) && isRunning(pid));
}
