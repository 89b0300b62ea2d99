// Spellings people type for one employer name (pure, seeded): traditional characters (Taiwan, Hong Kong), full-width
// characters, spaces, a missing or different legal form, a dropped 市/省, another bracket style, two neighbouring
// characters swapped, lower-case Latin; and credit codes present, absent, in lower case or spaced. Used by the
// development set and by the demo.
import * as OpenCC from 'opencc-js/cn2t';
import { employerFeatures } from './normalize.ts';
import { REGION_NAMES } from './regions.ts';
import { seededRandom, type Rng } from '../random.ts';

export { seededRandom, type Rng };
export const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)]!;

let toTraditional: { tw: (s: string) => string; hk: (s: string) => string } | undefined;
function traditional(): { tw: (s: string) => string; hk: (s: string) => string } {
  return (toTraditional ??= {
    tw: OpenCC.Converter({ from: 'cn', to: 'tw' }),
    hk: OpenCC.Converter({ from: 'cn', to: 'hk' }),
  });
}

export const VARIANT_KINDS = [
  'traditional-tw',
  'traditional-hk',
  'full-width',
  'spaces',
  'no-legal-form',
  'other-legal-form',
  'drop-region-suffix',
  'brackets',
  'typo',
  'lower-latin',
] as const;
export type VariantKind = (typeof VARIANT_KINDS)[number];

/** How often each kind is chosen (typing slips are rarer than omissions and script differences). */
const WEIGHTS: Record<VariantKind, number> = {
  'traditional-tw': 3,
  'traditional-hk': 2,
  'full-width': 2,
  spaces: 3,
  'no-legal-form': 3,
  'other-legal-form': 2,
  'drop-region-suffix': 3,
  brackets: 2,
  typo: 1,
  'lower-latin': 2,
};

const LEGAL_FORMS = ['股份有限公司', '有限责任公司', '股份公司', '有限公司'];

function toFullWidth(s: string): string {
  return s.replace(/[\x21-\x7e]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0)).replace(/ /g, '\u3000');
}

function legalFormAt(name: string): { index: number; form: string } | null {
  // The first legal form from the left ends the parent name (a branch follows it).
  let best: { index: number; form: string } | null = null;
  for (const form of LEGAL_FORMS) {
    const i = name.indexOf(form);
    if (i > 0 && (best === null || i < best.index || (i === best.index && form.length > best.form.length)))
      best = { index: i, form };
  }
  return best;
}

/** One spelling of `name` of the given kind, or null when the kind does not apply to it (no Latin letters, no brackets …). */
export function applyVariant(name: string, kind: VariantKind, rng: Rng): string | null {
  switch (kind) {
    case 'traditional-tw':
    case 'traditional-hk': {
      const t = kind === 'traditional-tw' ? traditional().tw(name) : traditional().hk(name);
      return t === name ? null : t;
    }
    case 'full-width': {
      const t = toFullWidth(name);
      return t === name ? name.replace(/\(/g, '（').replace(/\)/g, '）') + (rng() < 0.5 ? '' : '\u3000') : t;
    }
    case 'spaces': {
      const chars = [...name];
      const at = 1 + Math.floor(rng() * (chars.length - 1));
      chars.splice(at, 0, pick(rng, [' ', '  ', '\u3000']));
      return (rng() < 0.3 ? ' ' : '') + chars.join('');
    }
    case 'no-legal-form':
    case 'other-legal-form': {
      const at = legalFormAt(name);
      if (!at) return null;
      const others = LEGAL_FORMS.filter((f) => f !== at.form);
      const replacement = kind === 'no-legal-form' ? '' : pick(rng, others);
      const out = name.slice(0, at.index) + replacement + name.slice(at.index + at.form.length);
      return kind === 'no-legal-form' && out.length < 2 ? null : out;
    }
    case 'drop-region-suffix': {
      for (const r of REGION_NAMES) {
        if (!name.startsWith(r.name)) continue;
        const suffix = ['省', '市'].find((x) => name.startsWith(r.name + x));
        return suffix ? r.name + name.slice(r.name.length + suffix.length) : null;
      }
      return null;
    }
    case 'brackets': {
      if (!/[()（）]/.test(name)) return null;
      const [open, close] = pick(rng, [
        ['(', ')'],
        ['（', '）'],
        ['【', '】'],
        ['[', ']'],
      ] as const);
      return name.replace(/[(（]/g, open).replace(/[)）]/g, close);
    }
    case 'typo': {
      // Two neighbouring characters of the core swapped: where a slip changes the name and not its legal form.
      const core = employerFeatures(name).core;
      const start = name.indexOf(core);
      if (start < 0 || [...core].length < 2 || core.length !== [...core].length) return null;
      const i = start + Math.floor(rng() * (core.length - 1));
      if (name[i] === name[i + 1]) return null;
      return name.slice(0, i) + name[i + 1] + name[i] + name.slice(i + 2);
    }
    case 'lower-latin':
      return /[A-Z]/.test(name) ? name.toLowerCase() : null;
  }
}

const ORDER: VariantKind[] = [
  'no-legal-form',
  'other-legal-form',
  'drop-region-suffix',
  'typo',
  'brackets',
  'lower-latin',
  'traditional-tw',
  'traditional-hk',
  'full-width',
  'spaces',
];

function weightedKind(rng: Rng): VariantKind {
  const total = VARIANT_KINDS.reduce((s, k) => s + WEIGHTS[k], 0);
  let x = rng() * total;
  for (const k of VARIANT_KINDS) {
    x -= WEIGHTS[k];
    if (x < 0) return k;
  }
  return 'spaces';
}

/**
 * A spelling with one to three variations (each kind at most once), applied in a natural order: what is left out or
 * swapped first, then the script, then the spacing. `kinds` lists those that changed the name.
 */
export function spellingVariant(name: string, rng: Rng): { spelling: string; kinds: VariantKind[] } {
  const n = 1 + Math.floor(rng() * rng() * 3);
  const chosen = new Set<VariantKind>();
  for (let tries = 0; chosen.size < n && tries < 12; tries++) chosen.add(weightedKind(rng));
  let spelling = name;
  const kinds: VariantKind[] = [];
  for (const kind of ORDER) {
    if (!chosen.has(kind)) continue;
    const next = applyVariant(spelling, kind, rng);
    if (next === null || next === spelling) continue;
    spelling = next;
    kinds.push(kind);
  }
  // Nothing applied (e.g. only Latin folding chosen for a name without Latin letters): fall back to spacing.
  if (kinds.length === 0) return { spelling: applyVariant(name, 'spaces', rng)!, kinds: ['spaces'] };
  return { spelling, kinds };
}

/** How a credit code is typed: as it is, left out, in lower case, or with spaces. */
export function creditCodeVariant(code: string, rng: Rng): string | null {
  const x = rng();
  if (x < 0.35) return null;
  if (x < 0.5) return code.toLowerCase();
  if (x < 0.6) return `${code.slice(0, 6)} ${code.slice(6, 12)} ${code.slice(12)}`;
  return code;
}
