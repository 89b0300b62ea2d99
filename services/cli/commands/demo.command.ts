// `ledger demo`: not built yet.
import type { Command } from 'commander';

export function register(_program: Command): void {}
