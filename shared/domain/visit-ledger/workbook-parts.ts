// The parts of an .xlsx that say where its sheets are: the package relationships, the workbook (sheet names, order,
// hidden state, 1904 date system) and the workbook's relationships (sheet and shared-string paths). Small XML read
// with patterns that allow any namespace prefix (x:sheet, as .NET's Open XML SDK writes). Pure.

export interface SheetPart {
  name: string;
  /** Path of the sheet's XML inside the archive. */
  path: string;
  hidden: boolean;
}

export interface WorkbookParts {
  sheets: SheetPart[];
  sharedStringsPath: string | undefined;
  date1904: boolean;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
export function decodeXml(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos);/gi, (_, e: string) =>
    e[0] === '#'
      ? String.fromCodePoint(e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : Number(e.slice(1)))
      : ENTITIES[e.toLowerCase()]!,
  );
}

function attributes(tag: string): Map<string, string> {
  const attrs = new Map<string, string>();
  for (const m of tag.matchAll(/(?<![\w:.-])([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) {
    const name = m[1]!;
    const value = decodeXml(m[2] ?? m[3] ?? '');
    attrs.set(name, value);
    attrs.set(name.replace(/^[\w.-]+:/, ''), value); // r:id also as id (but keep the prefixed form first)
  }
  return attrs;
}

/** Every start tag named `local` (any prefix), as attribute maps. */
function tags(xml: string, local: string): Array<Map<string, string>> {
  const found: Array<Map<string, string>> = [];
  const pattern = new RegExp(`<(?:[\\w.-]+:)?${local}\\b([^>]*)>`, 'g');
  for (const m of xml.matchAll(pattern)) found.push(attributes(m[1]!));
  return found;
}

/** Resolves a relationship target against the folder of the part that holds the relationship. */
export function resolvePartPath(baseFolder: string, target: string): string {
  const parts = (target.startsWith('/') ? target.slice(1) : `${baseFolder}${target}`).split('/');
  const out: string[] = [];
  for (const p of parts) {
    if (p === '..') out.pop();
    else if (p !== '.' && p !== '') out.push(p);
  }
  return out.join('/');
}

const folderOf = (path: string) => (path.includes('/') ? path.slice(0, path.lastIndexOf('/') + 1) : '');
const relsPathOf = (path: string) => `${folderOf(path)}_rels/${path.slice(path.lastIndexOf('/') + 1)}.rels`;

/** Where the workbook part is: the package relationship of type officeDocument (xl/workbook.xml by default). */
export function workbookPathOf(packageRels: string | undefined): string {
  for (const rel of tags(packageRels ?? '', 'Relationship')) {
    if ((rel.get('Type') ?? '').endsWith('/officeDocument')) return resolvePartPath('', rel.get('Target') ?? '');
  }
  return 'xl/workbook.xml';
}

export const workbookRelsPathOf = relsPathOf;

/** The sheets in workbook order with their paths and hidden state, the shared strings' path and the date system. */
export function readWorkbookParts(workbookPath: string, workbookXml: string, workbookRels: string): WorkbookParts {
  const base = folderOf(workbookPath);
  const targets = new Map<string, { type: string; path: string }>();
  for (const rel of tags(workbookRels, 'Relationship'))
    targets.set(rel.get('Id') ?? '', {
      type: rel.get('Type') ?? '',
      path: resolvePartPath(base, rel.get('Target') ?? ''),
    });
  const sheets: SheetPart[] = [];
  for (const sheet of tags(workbookXml, 'sheet')) {
    const id = sheet.get('r:id') ?? sheet.get('id') ?? '';
    const target = targets.get(id);
    if (!target || !target.type.endsWith('/worksheet')) continue; // chart sheets, dialog sheets: no rows to read
    const state = sheet.get('state') ?? 'visible';
    sheets.push({ name: sheet.get('name') ?? id, path: target.path, hidden: state !== 'visible' });
  }
  const shared = [...targets.values()].find((t) => t.type.endsWith('/sharedStrings'));
  const pr = tags(workbookXml, 'workbookPr')[0];
  const date1904 = ['1', 'true'].includes((pr?.get('date1904') ?? '').toLowerCase());
  return { sheets, sharedStringsPath: shared?.path, date1904 };
}
