// `ledger import universities | placement-rates | province-averages | prior-employers`: reference data from CSV.
// A file with any bad line is refused whole, naming every bad line; --skip-invalid imports the good lines and
// still names the bad ones. Validation is pure (shared/domain/reference-rows.ts); storing is one statement.
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { Db } from '../../../shared/db/database.ts';
import {
  lineList,
  parseCsv,
  universityCodesIn,
  validatePlacementRates,
  validatePriorEmployers,
  validateProvinceAverages,
  validateUniversities,
  type LineError,
  type ParsedCsv,
  type Validated,
} from '../../../shared/domain/reference-rows.ts';
import { createEmployerResolver } from '../../../shared/use-cases/resolve-employer.ts';
import { canonicalText } from '../../../shared/domain/employers/normalize.ts';
import { findCampaignOrFail } from '../../../shared/use-cases/find-campaign.ts';
import { linkPriorEmployers } from '../../../shared/use-cases/link-prior-employers.ts';
import { UserError, output, withDb, type CommandContext } from '../context.ts';
import { rostersByUniversity, validateRosterRows } from '../../../shared/domain/people.ts';
import { importRosters } from '../../../shared/use-cases/people.ts';
import {
  existingUniversityCodes,
  listProvinces,
  universityStats,
  upsertPlacementRates,
  insertPriorEmployers,
  upsertProvinceAverages,
  upsertUniversities,
  type UpsertCounts,
} from '../../../shared/use-cases/reference-data.ts';
import { listCampaigns } from '../../../shared/use-cases/campaigns.ts';

/** The 部省合建 list the universities import marks (RULES.md "Reporting units"; its source beside it). */
export const JOINT_LIST = new URL('../../../data/central-joint-universities.csv', import.meta.url);

/** The codes of a `code,name` list of 部省合建 universities. */
async function jointCodes(file: string | URL): Promise<Set<string>> {
  const parsed = await readCsv(file);
  const at = parsed.header.indexOf('code');
  if (at < 0) throw new UserError(`${String(file)}: no "code" column (header code,name)`);
  return new Set(parsed.records.map((r) => r.fields[at] ?? '').filter((c) => /^\d{10}$/.test(c)));
}

interface ImportOptions {
  file: string;
  skipInvalid?: boolean;
  json?: boolean;
}

export interface ImportReport extends Partial<UpsertCounts> {
  kind: string;
  file: string;
  /** Data lines in the file (header and blank lines not counted). */
  lines: number;
  /** true when bad lines made the command store nothing. */
  refused: boolean;
  imported: number;
  skipped: number;
  errors: LineError[];
  elapsedMs: number;
  [extra: string]: unknown;
}

async function readCsv(file: string | URL): Promise<ParsedCsv> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (err) {
    throw new UserError(`cannot read ${file}: ${(err as Error).message}`);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new UserError(
      `${String(file)} is not UTF-8 text: save it as "CSV UTF-8" (e.g. iconv -f GBK -t UTF-8 ${String(file)})`,
    );
  }
  try {
    return parseCsv(text);
  } catch (err) {
    throw new UserError(`${String(file)}: ${(err as Error).message}`);
  }
}

/** The shared flow: read, validate, refuse or store, report. */
async function runImport<T>(
  kind: string,
  opts: ImportOptions,
  validate: (db: Db, parsed: ParsedCsv) => Promise<Validated<T>>,
  store: (ctx: CommandContext, rows: T[]) => Promise<UpsertCounts>, // may carry extra report fields (linked, database)
): Promise<void> {
  const started = performance.now();
  const parsed = await readCsv(opts.file);
  await withDb(async (ctx) => {
    const { db } = ctx;
    const v = await validate(db, parsed);
    if (v.fatal) throw new UserError(`${opts.file}: ${v.fatal}`);
    const base = { kind, file: opts.file, lines: parsed.records.length, skipped: v.errors.length, errors: v.errors };
    const refuse = v.errors.length > 0 && !opts.skipInvalid;
    if (refuse) {
      const report: ImportReport = {
        ...base,
        refused: true,
        imported: 0,
        elapsedMs: Math.round(performance.now() - started),
      };
      if (opts.json) output(true, report, '');
      reportBadLines(
        `refused ${opts.file}: ${v.errors.length} bad line${v.errors.length === 1 ? '' : 's'} (${lineList(v.errors)}); nothing imported. Fix them, or import the good lines with --skip-invalid`,
        v.errors,
      );
      process.exitCode = 1;
      return;
    }
    const stored = await store(ctx, v.rows);
    const report: ImportReport = {
      ...base,
      refused: false,
      imported: v.rows.length,
      ...stored,
      elapsedMs: Math.round(performance.now() - started),
    };
    output(opts.json, report, () => human(report));
    if (v.errors.length) {
      reportBadLines(
        `skipped ${v.errors.length} bad line${v.errors.length === 1 ? '' : 's'} of ${opts.file} (${lineList(v.errors)})`,
        v.errors,
      );
    }
  });
}

/** One-line reason first (the CLI contract), then every bad line. */
function reportBadLines(summary: string, errors: LineError[]): void {
  process.stderr.write(`ledger: ${summary}\n` + errors.map((e) => `  line ${e.line}: ${e.reason}\n`).join(''));
}

function human(r: ImportReport): string {
  const extra =
    typeof r.linked === 'number'
      ? `; ${r.linked} linked to employers through employer resolution`
      : typeof r.universities === 'number'
        ? `; the rosters of ${r.universities} universit${r.universities === 1 ? 'y' : 'ies'} replaced (${String(r.replaced)} leaders before)`
        : '';
  return `${r.kind}: ${r.imported} line${r.imported === 1 ? '' : 's'} imported (${r.inserted} inserted, ${r.updated} updated, ${r.unchanged} unchanged)${
    r.skipped ? `, ${r.skipped} skipped` : ''
  }${extra} in ${(r.elapsedMs / 1000).toFixed(2)} s`;
}

/** The university-known check needs the database: one query for every code the file mentions. */
async function knownUniversities(db: Db, parsed: ParsedCsv): Promise<(code: string) => boolean> {
  const known = await existingUniversityCodes(db, universityCodesIn(parsed));
  return (code) => known.has(code);
}

export function register(program: Command): void {
  const group = program
    .command('import')
    .description('import reference data from CSV files (UTF-8, header line first)');

  group
    .command('universities')
    .description(
      'upsert universities: header code,name,province,city,authority,level,private[,new_undergrad][,vocational]',
    )
    .requiredOption('--file <path>', 'CSV file')
    .option('--skip-invalid', 'import the good lines of a file with bad lines (bad lines are still reported)')
    .option('--json', 'print the import report as JSON')
    .option(
      '--joint-list <path>',
      'the 部省合建 universities (header code,name); default data/central-joint-universities.csv',
    )
    .addHelpText(
      'after',
      '\nprovince: a name (北京市 or 北京) or a code (110000); level: 本科 or 专科; flags: 1/0, 是/否 or true/false.\n' +
        'An absent or empty new_undergrad / vocational keeps the stored value; a new university gets\n' +
        'new_undergrad = 0 and vocational = 1 exactly when its level is 专科.\n' +
        "Authority 新疆生产建设兵团 puts a university in 兵团's reporting unit (660000) instead of its province; a\n" +
        'central authority (教育部, 工业和信息化部, …) marks it 部属, the --joint-list marks it 部省合建 (scope central).',
    )
    .action((opts: ImportOptions & { jointList?: string }) =>
      runImport(
        'universities',
        opts,
        async (db, parsed) =>
          validateUniversities(parsed, await listProvinces(db), await jointCodes(opts.jointList ?? JOINT_LIST)),
        async ({ db }, rows) => ({ ...(await upsertUniversities(db, rows)), database: await universityStats(db) }),
      ),
    );

  group
    .command('placement-rates')
    .description('upsert placement rates (就业去向落实率) of a campaign: header university_code,placement_rate (0..1)')
    .requiredOption('--campaign <id>', 'campaign id')
    .requiredOption('--file <path>', 'CSV file')
    .option('--skip-invalid', 'import the good lines of a file with bad lines (bad lines are still reported)')
    .option('--json', 'print the import report as JSON')
    .action((opts: ImportOptions & { campaign: string }) =>
      runImport(
        'placement-rates',
        opts,
        async (db, parsed) => {
          await findCampaignOrFail(db, opts.campaign);
          return validatePlacementRates(parsed, await knownUniversities(db, parsed));
        },
        ({ db }, rows) => upsertPlacementRates(db, opts.campaign, rows),
      ),
    );

  group
    .command('province-averages')
    .description(
      'upsert explicit provincial average placement rates (used instead of the mean): header province_code,placement_rate',
    )
    .requiredOption('--campaign <id>', 'campaign id')
    .requiredOption('--file <path>', 'CSV file')
    .option('--skip-invalid', 'import the good lines of a file with bad lines (bad lines are still reported)')
    .option('--json', 'print the import report as JSON')
    .action((opts: ImportOptions & { campaign: string }) =>
      runImport(
        'province-averages',
        opts,
        async (db, parsed) => {
          await findCampaignOrFail(db, opts.campaign);
          return validateProvinceAverages(parsed, await listProvinces(db));
        },
        ({ db }, rows) => upsertProvinceAverages(db, opts.campaign, rows),
      ),
    );

  group
    .command('prior-employers')
    .description(
      "store universities' relationships before the campaign and resolve each employer as the workers do: header university_code,employer_name,credit_code (may be empty)",
    )
    .requiredOption('--file <path>', 'CSV file')
    .option('--skip-invalid', 'import the good lines of a file with bad lines (bad lines are still reported)')
    .option('--json', 'print the import report as JSON')
    .action((opts: ImportOptions) =>
      runImport(
        'prior-employers',
        opts,
        async (db, parsed) => validatePriorEmployers(parsed, await knownUniversities(db, parsed)),
        async ({ db, config }, rows) => {
          const counts = await insertPriorEmployers(
            db,
            rows.map((r) => ({ ...r, normalizedName: canonicalText(r.employerName) })),
          );
          // Every unlinked row is resolved now, through the resolver the workers use (creating the employers it does
          // not know), so a list and the visits meet on employer ids whichever comes first; no manual link-prior step.
          // Rows left unlinked by an interrupted import are picked up here too.
          const link = await linkPriorEmployers(db, createEmployerResolver(config));
          return { ...counts, linked: link.linked, resolution: link.decisions, unresolvable: link.skipped };
        },
      ),
    );

  group
    .command('leaders')
    .alias('rosters')
    .description(
      "replace universities' leadership rosters (任务到人) for a campaign: header university_code,name,role[,title]",
    )
    .argument('[file]', 'CSV file (or --file)')
    .option('--file <path>', 'CSV file')
    .option('--campaign <id>', 'campaign id (may be left out when there is only one campaign)')
    .option('--skip-invalid', 'import the good lines of a file with bad lines (bad lines are still reported)')
    .option('--json', 'print the import report as JSON')
    .addHelpText(
      'after',
      '\nrole: secretary, president or leader (or 党委书记 / 书记, 校长 / 院长, 校级领导 / 校领导); title optional (e.g. 副校长).\n' +
        'Every university in the file gets exactly the leaders the file lists for it (its earlier roster for the\n' +
        'campaign is replaced); universities not in the file keep theirs. Names are matched to visits after NFKC\n' +
        'width normalisation, without spaces, every middle dot as ·.',
    )
    .action((file: string | undefined, opts: Omit<ImportOptions, 'file'> & { file?: string; campaign?: string }) => {
      const path = opts.file ?? file;
      if (!path) throw new UserError('give the roster file: `ledger import leaders --file F.csv`');
      let campaignId = opts.campaign;
      return runImport(
        'leaders',
        { ...opts, file: path },
        async (db, parsed) => {
          campaignId ??= await onlyCampaign(db);
          await findCampaignOrFail(db, campaignId);
          return validateRosterRows(parsed, await knownUniversities(db, parsed));
        },
        async ({ db }, rows) => {
          const r = await importRosters(db, campaignId!, rostersByUniversity(rows));
          return { inserted: r.leaders, updated: 0, unchanged: 0, universities: r.universities, replaced: r.replaced };
        },
      );
    });
}

/** The campaign a command means when it names none: the only one there is. */
async function onlyCampaign(db: Db): Promise<string> {
  const all = await listCampaigns(db);
  if (all.length === 1) return all[0]!.id;
  if (all.length === 0) throw new UserError('there is no campaign yet: create one with `ledger campaign create`');
  throw new UserError(`name the campaign with --campaign (one of ${all.map((c) => c.id).join(', ')})`);
}
