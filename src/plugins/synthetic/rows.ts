import { addMonths, daysInMonth } from '../../domain/time.js';
import type { ChangedInfo, CostInfo, TaskInfo } from '../plugin.js';
import type { SyntheticOptions } from './options.js';

/**
 * Deterministic synthetic cost data: the same options give the same rows (for the current
 * month, the same rows up to the same day). A small seeded PRNG per (account, day) keeps each
 * day's rows independent of how the work is split into pages.
 */

const PROVIDERS = ['aws', 'google_cloud', 'azure'] as const;
const REGIONS: Record<(typeof PROVIDERS)[number], string[]> = {
  aws: ['us-east-1', 'us-west-2', 'eu-west-1', 'ap-northeast-2'],
  google_cloud: ['us-central1', 'europe-west1', 'asia-northeast3'],
  azure: ['eastus', 'westeurope', 'koreacentral'],
};
const PRODUCTS = ['Compute', 'Storage', 'Database', 'Network', 'Analytics', 'Kubernetes'];
const USAGE = [
  { type: 'BoxUsage', unit: 'Hrs' },
  { type: 'TimedStorage-ByteHrs', unit: 'GB-Mo' },
  { type: 'DataTransfer-Out-Bytes', unit: 'GB' },
  { type: 'Requests-Tier1', unit: 'Requests' },
];
const ENVS = ['prod', 'stage', 'dev'];
const TEAMS = ['platform', 'data', 'web', 'ml'];

export function accountId(options: SyntheticOptions, index: number): string {
  return String(100_000_000_000 + (options.seed % 1000) * 1_000_000 + index);
}

export function monthsOf(options: SyntheticOptions): string[] {
  return Array.from({ length: options.months }, (_, i) => addMonths(options.startMonth, i));
}

/** One task per (account, month), in that order; the task index is its position. */
export function planTasks(options: SyntheticOptions): { tasks: TaskInfo[]; changed: ChangedInfo[] } {
  const months = monthsOf(options);
  const tasks: TaskInfo[] = [];
  for (let a = 0; a < options.accounts; a++) {
    for (const month of months) tasks.push({ task_options: { account_id: accountId(options, a), month } });
  }
  return { tasks, changed: [{ start: months[0], end: months[months.length - 1] }] };
}

export function taskIndex(options: SyntheticOptions, account: string, month: string): number {
  const a = Number(account) - Number(accountId(options, 0));
  const m = monthsOf(options).indexOf(month);
  if (!Number.isInteger(a) || a < 0 || a >= options.accounts || m < 0) return -1;
  return a * options.months + m;
}

/** Days of `month` that have data: all of them, up to `today` for the current month. */
export function daysWithData(month: string, today: string): string[] {
  const days: string[] = [];
  for (let d = 1; d <= daysInMonth(month); d++) {
    const date = `${month}-${String(d).padStart(2, '0')}`;
    if (date > today) break;
    days.push(date);
  }
  return days;
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function hash(...parts: (string | number)[]): number {
  let h = 2166136261;
  for (const part of parts) {
    const s = String(part);
    for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
    h = Math.imul(h ^ 0x7c, 16777619);
  }
  return h >>> 0;
}

const pick = <T>(random: () => number, list: readonly T[]): T => list[Math.floor(random() * list.length)];

/** The rows of one account on one day. */
export function rowsOfDay(options: SyntheticOptions, account: string, date: string): CostInfo[] {
  const random = mulberry32(hash(options.seed, account, date));
  const provider = PROVIDERS[Number(account) % PROVIDERS.length];
  const rows: CostInfo[] = new Array(options.rowsPerDay);
  for (let i = 0; i < options.rowsPerDay; i++) {
    const usage = pick(random, USAGE);
    const cost = Math.round(random() * 100_000_000) / 1_000_000;
    const quantity = Math.round(random() * 10_000_000) / 1_000;
    rows[i] = {
      billed_date: date,
      cost,
      usage_quantity: quantity,
      usage_unit: usage.unit,
      provider,
      region_code: pick(random, REGIONS[provider]),
      product: pick(random, PRODUCTS),
      usage_type: usage.type,
      resource: `res-${account.slice(-4)}-${(i % 97).toString(16).padStart(2, '0')}`,
      tags: { env: pick(random, ENVS), team: pick(random, TEAMS) },
      additional_info: { 'Account ID': account },
      data: { 'Usage Quantity': quantity, Cost: cost },
    };
  }
  return rows;
}
