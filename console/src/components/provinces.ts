// The 31 provinces of the campaign (GB/T 2260 codes), for labels where an answer carries only a code (a university's
// province, a notice's scope). The same list as data/provinces.csv.
export const PROVINCE_NAMES: Readonly<Record<string, string>> = {
  '110000': '北京市',
  '120000': '天津市',
  '130000': '河北省',
  '140000': '山西省',
  '150000': '内蒙古自治区',
  '210000': '辽宁省',
  '220000': '吉林省',
  '230000': '黑龙江省',
  '310000': '上海市',
  '320000': '江苏省',
  '330000': '浙江省',
  '340000': '安徽省',
  '350000': '福建省',
  '360000': '江西省',
  '370000': '山东省',
  '410000': '河南省',
  '420000': '湖北省',
  '430000': '湖南省',
  '440000': '广东省',
  '450000': '广西壮族自治区',
  '460000': '海南省',
  '500000': '重庆市',
  '510000': '四川省',
  '520000': '贵州省',
  '530000': '云南省',
  '540000': '西藏自治区',
  '610000': '陕西省',
  '620000': '甘肃省',
  '630000': '青海省',
  '640000': '宁夏回族自治区',
  '650000': '新疆维吾尔自治区',
  // Not a GB/T 2260 province: the reporting unit of 新疆生产建设兵团 (docs/rules.md, Reporting units).
  '660000': '新疆生产建设兵团',
};

export const provinceName = (code: string): string => PROVINCE_NAMES[code] ?? code;

/** 'province:440000' → '广东省'; 'national' → '全国'. */
export function scopeLabel(scope: string): string {
  if (scope === 'national') return '全国';
  if (scope === 'admin') return '系统管理员';
  if (scope === 'security') return '安全管理员';
  if (scope === 'auditor') return '审计管理员';
  if (scope === 'central') return '部属和部省合建高校';
  if (scope.startsWith('province:')) return provinceName(scope.slice('province:'.length));
  if (scope.startsWith('university:')) return `高校 ${scope.slice('university:'.length)}`;
  return scope;
}
