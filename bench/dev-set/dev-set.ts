// The labelled development set (pure): every employer of the source list spelled several ways, some of them with
// branches that are employers of their own, each record labelled with the employer it means. Built from a source list
// (by default the repository's data/employers-sample.csv, see dev-set-file.ts) at test or bench time with a fixed
// seed, so the set is the same everywhere.
import { creditCodeCheckChar } from '../../shared/domain/credit-code.ts';
import { citiesOf, regionByName } from '../../shared/domain/employers/regions.ts';
import {
  creditCodeVariant,
  pick,
  seededRandom,
  spellingVariant,
  type Rng,
  type VariantKind,
} from '../../shared/domain/employers/spelling-variants.ts';

export const DEV_SET_SEED = 20220301;

export interface SourceEmployer {
  name: string;
  creditCode: string | null;
  /** Province of registration as written in the source (广东省). */
  province: string;
}

export interface DevRecord {
  /** The employer this spelling means (index of the source row, or `<row>b<n>` for a branch). */
  entity: string;
  name: string;
  creditCode: string | null;
  kinds: VariantKind[];
}

export interface DevSetOptions {
  seed?: number;
  /** Spellings per employer besides the name as written. */
  variantsPerEmployer?: number;
  /** Share of employers that also get branches. */
  branchShare?: number;
  /** Use only the first n source rows (after a seeded shuffle): smaller sets for tests. */
  limit?: number;
}

const ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';

/** A syntactically valid credit code for a synthetic branch (91 = enterprise, then a region and a random body). */
export function syntheticCreditCode(rng: Rng): string {
  let s = '91440300';
  while (s.length < 17) s += ALPHABET[Math.floor(rng() * ALPHABET.length)];
  return s + creditCodeCheckChar(s)!;
}

function shuffle<T>(rng: Rng, xs: T[]): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [xs[i], xs[j]] = [xs[j]!, xs[i]!];
  }
  return xs;
}

function branchesOf(src: SourceEmployer, rng: Rng): Array<{ name: string; creditCode: string | null }> {
  const short = src.province.replace(/(省|市|壮族自治区|回族自治区|维吾尔自治区|自治区|特别行政区)$/u, '');
  const cities = citiesOf(short);
  const places =
    cities.length >= 2 ? cities : regionByName(short) ? [short, '北京', '上海', '深圳'] : ['北京', '上海', '深圳'];
  const marker = /银行/.test(src.name) ? pick(rng, ['分行', '支行']) : pick(rng, ['分公司', '分公司', '办事处']);
  const n = rng() < 0.4 ? 2 : 1;
  const chosen = shuffle(rng, [...new Set(places)]).slice(0, n);
  return chosen.map((city) => ({
    name: `${src.name}${city}${rng() < 0.5 ? '市' : ''}${marker}`,
    creditCode: src.creditCode && rng() < 0.6 ? syntheticCreditCode(rng) : null,
  }));
}

/** Records in a seeded random order, as they would arrive. */
export function buildDevSet(source: SourceEmployer[], options: DevSetOptions = {}): DevRecord[] {
  const rng = seededRandom(options.seed ?? DEV_SET_SEED);
  const variants = options.variantsPerEmployer ?? 5;
  const branchShare = options.branchShare ?? 0.1;
  let rows = source.map((s, i) => ({ s, i }));
  if (options.limit !== undefined) rows = shuffle(rng, rows).slice(0, options.limit);
  const records: DevRecord[] = [];
  const spell = (entity: string, name: string, code: string | null, count: number) => {
    records.push({ entity, name, creditCode: code, kinds: [] });
    for (let k = 0; k < count; k++) {
      const v = spellingVariant(name, rng);
      records.push({
        entity,
        name: v.spelling,
        creditCode: code ? creditCodeVariant(code, rng) : null,
        kinds: v.kinds,
      });
    }
  };
  for (const { s, i } of rows) {
    spell(String(i), s.name, s.creditCode, variants);
    if (rng() < branchShare) {
      branchesOf(s, rng).forEach((b, n) =>
        spell(`${i}b${n}`, b.name, b.creditCode, Math.max(1, Math.floor(variants / 2))),
      );
    }
  }
  return shuffle(rng, records);
}

export interface PairwiseScores {
  precision: number;
  recall: number;
  truePairs: number;
  predictedPairs: number;
}

const pairs = (n: number) => (n * (n - 1)) / 2;

/** Pairwise precision and recall of a clustering (`predicted[i]`, the employer id given to record i) against labels. */
export function pairwiseScores(truth: string[], predicted: Array<number | string>): PairwiseScores {
  const byTruth = new Map<string, number>();
  const byPred = new Map<string, number>();
  const both = new Map<string, number>();
  truth.forEach((t, i) => {
    const p = String(predicted[i]);
    byTruth.set(t, (byTruth.get(t) ?? 0) + 1);
    byPred.set(p, (byPred.get(p) ?? 0) + 1);
    const k = `${t}\u0000${p}`;
    both.set(k, (both.get(k) ?? 0) + 1);
  });
  let tp = 0;
  for (const n of both.values()) tp += pairs(n);
  let truePairs = 0;
  for (const n of byTruth.values()) truePairs += pairs(n);
  let predictedPairs = 0;
  for (const n of byPred.values()) predictedPairs += pairs(n);
  return {
    precision: predictedPairs ? tp / predictedPairs : 1,
    recall: truePairs ? tp / truePairs : 1,
    truePairs,
    predictedPairs,
  };
}
