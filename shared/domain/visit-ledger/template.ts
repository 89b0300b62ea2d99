// The ledger template (走访台账模板.xlsx): a 走访台账 sheet with the columns the importer reads first, drop-down lists
// for the closed choices, date and number validation, a frozen header, and a 填写说明 sheet with one filled example.
// Pure: returns the workbook's bytes.
import ExcelJS from 'exceljs';
import { MODE_LABELS, PLACE_KIND_LABELS } from './cells.ts';

export const LEDGER_SHEET = '走访台账';
export const INSTRUCTIONS_SHEET = '填写说明';
/** Rows of the template that carry the validations (a ledger may go beyond them: they are a help, not a limit). */
const VALIDATED_ROWS = 5000;

type Validation = { list: string[] } | { date: true } | { whole: [number, number] } | { textLength: [number, number] };

export interface TemplateColumn {
  header: string;
  required: boolean;
  /** What to write, for the header's comment and the instructions. */
  rule: string;
  example: string | number;
  width: number;
  validation?: Validation;
  /** Excel number format of the column's cells. */
  numFmt?: string;
}

const YES_NO = { list: ['是', '否'] };
const ROLES = { list: ['书记', '校长', '校领导'] };

export const TEMPLATE_COLUMNS: TemplateColumn[] = [
  {
    header: '走访编号',
    required: true,
    rule: '本校自编、每次走访唯一的编号，如 2022-001；改正后重新上交时保持不变（同一编号视为同一次走访）',
    example: '2022-001',
    width: 14,
    validation: { textLength: [1, 128] },
    numFmt: '@',
  },
  {
    header: '走访日期',
    required: true,
    rule: '如 2022-04-01、2022/4/1、2022年4月1日，或 4月1日（按专项行动年份）',
    example: '2022-04-01',
    width: 12,
    validation: { date: true },
    numFmt: 'yyyy-mm-dd',
  },
  {
    header: '走访形式',
    required: true,
    rule: `${Object.values(MODE_LABELS).join(' / ')}（下拉选择）`,
    example: '实地走访',
    width: 10,
    validation: { list: Object.values(MODE_LABELS) },
  },
  {
    header: '带队校领导1姓名',
    required: true,
    rule: '至少一位带队校领导；也可在一列中写 张三（书记）；李四（校长）',
    example: '张三',
    width: 12,
  },
  {
    header: '带队校领导1职务',
    required: true,
    rule: '书记 / 校长 / 校领导（下拉选择；副书记、副校长等选 校领导）',
    example: '书记',
    width: 10,
    validation: ROLES,
  },
  { header: '带队校领导2姓名', required: false, rule: '第二位带队校领导（可空）', example: '李四', width: 12 },
  {
    header: '带队校领导2职务',
    required: false,
    rule: '书记 / 校长 / 校领导',
    example: '校长',
    width: 10,
    validation: ROLES,
  },
  { header: '带队校领导3姓名', required: false, rule: '第三位带队校领导（可空）', example: '', width: 12 },
  {
    header: '带队校领导3职务',
    required: false,
    rule: '书记 / 校长 / 校领导',
    example: '',
    width: 10,
    validation: ROLES,
  },
  {
    header: '用人单位名称',
    required: true,
    rule: '用人单位全称，如 华为技术有限公司',
    example: '华为技术有限公司',
    width: 28,
    validation: { textLength: [1, 200] },
  },
  {
    header: '统一社会信用代码',
    required: false,
    rule: '18 位统一社会信用代码（可空；填写时校验位须正确）',
    example: '914403001922038216',
    width: 22,
    numFmt: '@',
  },
  {
    header: '用人单位所在地区代码',
    required: false,
    rule: '6 位行政区划代码，如 440300（可空）',
    example: '440300',
    width: 12,
    numFmt: '@',
  },
  {
    header: '提供岗位数',
    required: false,
    rule: '0 或正整数（可空，空为 0）',
    example: 120,
    width: 10,
    validation: { whole: [0, 1_000_000] },
  },
  {
    header: '建立实习实践基地',
    required: false,
    rule: '是 / 否（可空，空为 否）',
    example: '是',
    width: 10,
    validation: YES_NO,
  },
  { header: '邀请来校招聘', required: false, rule: '是 / 否', example: '是', width: 10, validation: YES_NO },
  { header: '开展用人需求调研', required: false, rule: '是 / 否', example: '否', width: 10, validation: YES_NO },
  {
    header: '跟踪回访毕业生人数',
    required: false,
    rule: '0 或正整数（可空）',
    example: 5,
    width: 10,
    validation: { whole: [0, 1_000_000] },
  },
  {
    header: '用人单位满意度',
    required: false,
    rule: '1–5 的整数，5 为非常满意（可空）',
    example: 5,
    width: 10,
    validation: { whole: [1, 5] },
  },
  // Issue 15 (optional): 全员联动, 走进园区/行业/企业, 开拓增量岗位, 用人单位需求台账.
  {
    header: '参与教职工',
    required: false,
    rule: '参加走访的专任教师、辅导员、行政管理人员，如 王五（辅导员）；赵六（专任教师），也可只写身份（可空；没有校领导参加的走访必填，此时带队校领导可空）',
    example: '王五（辅导员）',
    width: 20,
  },
  {
    header: '走访单位类型',
    required: false,
    rule: `${Object.values(PLACE_KIND_LABELS).join(' / ')}（下拉选择，可空）`,
    example: '企业',
    width: 10,
    validation: { list: Object.values(PLACE_KIND_LABELS) },
  },
  {
    header: '新增岗位数',
    required: false,
    rule: '提供岗位中新开拓的增量岗位数，不超过提供岗位数（可空）',
    example: 30,
    width: 10,
    validation: { whole: [0, 1_000_000] },
  },
  {
    header: '录用毕业生人数',
    required: false,
    rule: '通过本次走访录用的毕业生人数（可空）',
    example: 3,
    width: 10,
    validation: { whole: [0, 1_000_000] },
  },
  {
    header: '需求专业或技能',
    required: false,
    rule: '用人单位需求的专业或技能，多项用 、 分隔，如 计算机科学与技术、电子信息工程（可空）',
    example: '计算机科学与技术、电子信息工程',
    width: 24,
  },
  {
    header: '备注',
    required: false,
    rule: '不超过 2000 字（可空）',
    example: '签订校企合作协议',
    width: 30,
    validation: { textLength: [0, 2000] },
  },
  {
    header: '高校代码',
    required: false,
    rule: '10 位教育部高校代码；高校自己上交时可空，省级汇总上交时每行必填',
    example: '',
    width: 13,
    numFmt: '@',
  },
];

const colLetter = (n: number): string =>
  (n > 26 ? colLetter(Math.floor((n - 1) / 26)) : '') + String.fromCharCode(65 + ((n - 1) % 26));

function dataValidation(v: Validation, title: string): ExcelJS.DataValidation {
  const common = { allowBlank: true, showErrorMessage: true, errorStyle: 'stop' as const, errorTitle: title };
  if ('list' in v)
    return {
      ...common,
      type: 'list',
      formulae: [`"${v.list.join(',')}"`],
      error: `请从下拉列表中选择：${v.list.join('、')}`,
    };
  if ('date' in v)
    return {
      ...common,
      type: 'date',
      operator: 'between',
      formulae: [new Date(Date.UTC(2000, 0, 1)), new Date(Date.UTC(2099, 11, 31))],
      error: '请填写日期，如 2022-04-01',
    };
  if ('whole' in v)
    return {
      ...common,
      type: 'whole',
      operator: 'between',
      formulae: v.whole,
      error: `请填写 ${v.whole[0]} 到 ${v.whole[1]} 的整数`,
    };
  return {
    ...common,
    type: 'textLength',
    operator: 'between',
    formulae: v.textLength,
    error: `长度应为 ${v.textLength[0]}–${v.textLength[1]} 个字`,
  };
}

type RangeValidations = { dataValidations: { add(address: string, validation: ExcelJS.DataValidation): void } };

const HEADER_FILL: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFDDEBF7' } };

/** The template as .xlsx bytes. */
export async function buildLedgerTemplate(): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'ledger';
  const sheet = wb.addWorksheet(LEDGER_SHEET, { views: [{ state: 'frozen', xSplit: 0, ySplit: 1 }] });
  sheet.columns = TEMPLATE_COLUMNS.map((c) => ({
    header: c.header,
    width: c.width,
    ...(c.numFmt ? { style: { numFmt: c.numFmt } } : {}),
  }));
  const header = sheet.getRow(1);
  header.height = 30;
  TEMPLATE_COLUMNS.forEach((c, i) => {
    const cell = header.getCell(i + 1);
    cell.font = { bold: true, color: { argb: c.required ? 'FFC00000' : 'FF000000' } };
    cell.fill = HEADER_FILL;
    cell.alignment = { vertical: 'middle', horizontal: 'center', wrapText: true };
    cell.numFmt = 'General';
    cell.note = `${c.required ? '必填' : '选填'}：${c.rule}`;
    if (c.validation) {
      const letter = colLetter(i + 1);
      // exceljs has Worksheet.dataValidations (a range address is kept whole) but its typings leave it out.
      (sheet as unknown as RangeValidations).dataValidations.add(
        `${letter}2:${letter}${VALIDATED_ROWS + 1}`,
        dataValidation(c.validation, c.header),
      );
    }
  });

  const help = wb.addWorksheet(INSTRUCTIONS_SHEET);
  help.columns = [{ width: 22 }, { width: 8 }, { width: 70 }, { width: 22 }];
  const lines = [
    '全国高校书记校长访企拓岗促就业专项行动 · 走访台账填写说明',
    '',
    '1. 在“走访台账”工作表中每行填写一次走访；第一行为表头，请勿修改表头文字（列的顺序可以调整，表头上方可加标题行）。',
    '2. 红色表头为必填列。走访编号由本校自编，每次走访唯一；改正后重新上交时请保持编号不变：同一编号的记录会被更正，未改动的行不会重复计数。',
    '3. 上交方式：登录系统上传本文件，或由管理员执行 ledger visits import --file 文件 --university 高校代码。也接受 UTF-8 或 GBK 编码的 .csv 文件。',
    '4. 系统逐行给出结果，并返回一份带“状态”列的检查副本：有问题的单元格标为红色并附批注说明原因，改正后重新上交即可。',
    '5. 选择“整本台账”方式上交时，本校本专项行动中不在文件里的走访记录将被撤回（提交前会先显示将撤回的条数）。',
    '6. 日期可写 2022-04-01、2022/4/1、2022年4月1日 或 4月1日；是/否 可写 是/否、Y/N、√/×、1/0；数字可用全角。',
    '',
    '各列说明与填写示例（示例为一行完整的走访记录）：',
  ];
  lines.forEach((text) => help.addRow([text]));
  help.getRow(1).font = { bold: true, size: 14 };
  const tableHead = help.addRow(['列名', '必填', '填写要求', '示例']);
  tableHead.font = { bold: true };
  tableHead.eachCell((cell) => (cell.fill = HEADER_FILL));
  for (const c of TEMPLATE_COLUMNS) {
    const row = help.addRow([c.header, c.required ? '是' : '', c.rule, c.example]);
    row.getCell(3).alignment = { wrapText: true };
    if (c.required) row.getCell(1).font = { color: { argb: 'FFC00000' } };
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}
