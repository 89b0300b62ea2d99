// The demo's synthetic campaign, made by the project itself (no outside data): universities over the 31 provinces,
// a pool of employers, and visits in realistic shapes. Pure and seeded: the same options give the same campaign.
import { creditCodeCheckChar } from '../../../shared/domain/credit-code.ts';
import { createRandom, cumulative, type Random } from './random.ts';

export interface DemoUniversity {
  code: string;
  name: string;
  provinceCode: string;
  provinceName: string;
  city: string;
  authority: string;
  level: '本科' | '专科';
  private: boolean;
  newUndergrad: boolean;
  vocational: boolean;
  placementRate: number;
  /** Relative activity: a few universities far ahead, many behind. */
  activity: number;
}

export interface DemoEmployer {
  name: string;
  creditCode: string | null;
  provinceCode: string;
  regionCode: string;
}

// [code, name, short name, approximate number of universities, cities]
const PROVINCES: ReadonlyArray<[string, string, string, number, string[]]> = [
  ['110000', '北京市', '北京', 92, ['北京']],
  ['120000', '天津市', '天津', 56, ['天津']],
  ['130000', '河北省', '河北', 125, ['石家庄', '保定', '唐山', '邯郸']],
  ['140000', '山西省', '山西', 85, ['太原', '大同', '长治']],
  ['150000', '内蒙古自治区', '内蒙古', 54, ['呼和浩特', '包头', '赤峰']],
  ['210000', '辽宁省', '辽宁', 114, ['沈阳', '大连', '鞍山', '锦州']],
  ['220000', '吉林省', '吉林', 66, ['长春', '吉林', '四平']],
  ['230000', '黑龙江省', '黑龙江', 78, ['哈尔滨', '齐齐哈尔', '大庆']],
  ['310000', '上海市', '上海', 64, ['上海']],
  ['320000', '江苏省', '江苏', 168, ['南京', '苏州', '无锡', '常州', '徐州', '扬州']],
  ['330000', '浙江省', '浙江', 109, ['杭州', '宁波', '温州', '金华']],
  ['340000', '安徽省', '安徽', 121, ['合肥', '芜湖', '蚌埠', '安庆']],
  ['350000', '福建省', '福建', 89, ['福州', '厦门', '泉州']],
  ['360000', '江西省', '江西', 106, ['南昌', '赣州', '九江']],
  ['370000', '山东省', '山东', 153, ['济南', '青岛', '烟台', '潍坊', '临沂']],
  ['410000', '河南省', '河南', 156, ['郑州', '洛阳', '开封', '新乡', '南阳']],
  ['420000', '湖北省', '湖北', 130, ['武汉', '宜昌', '襄阳', '荆州']],
  ['430000', '湖南省', '湖南', 128, ['长沙', '株洲', '湘潭', '衡阳']],
  ['440000', '广东省', '广东', 160, ['广州', '深圳', '珠海', '佛山', '东莞', '汕头']],
  ['450000', '广西壮族自治区', '广西', 85, ['南宁', '柳州', '桂林']],
  ['460000', '海南省', '海南', 21, ['海口', '三亚']],
  ['500000', '重庆市', '重庆', 70, ['重庆']],
  ['510000', '四川省', '四川', 134, ['成都', '绵阳', '南充', '宜宾']],
  ['520000', '贵州省', '贵州', 75, ['贵阳', '遵义', '六盘水']],
  ['530000', '云南省', '云南', 82, ['昆明', '曲靖', '大理']],
  ['540000', '西藏自治区', '西藏', 7, ['拉萨']],
  ['610000', '陕西省', '陕西', 97, ['西安', '宝鸡', '咸阳']],
  ['620000', '甘肃省', '甘肃', 49, ['兰州', '天水']],
  ['630000', '青海省', '青海', 12, ['西宁']],
  ['640000', '宁夏回族自治区', '宁夏', 20, ['银川']],
  ['650000', '新疆维吾尔自治区', '新疆', 56, ['乌鲁木齐', '克拉玛依', '喀什']],
];

const UNDERGRAD_FIELDS = [
  '理工',
  '师范',
  '医科',
  '财经',
  '工业',
  '农业',
  '科技',
  '交通',
  '外国语',
  '政法',
  '艺术',
  '中医药',
  '工程',
  '商学',
  '林业',
  '电子科技',
  '建筑',
  '海洋',
  '体育',
  '传媒',
];
const VOCATIONAL_FIELDS = [
  '职业技术',
  '信息职业技术',
  '工业职业技术',
  '轻工职业技术',
  '交通职业技术',
  '电力职业技术',
  '建筑职业技术',
  '卫生职业',
  '商贸职业',
  '旅游职业',
  '机电职业技术',
  '农业职业技术',
  '财经职业',
  '科技职业',
  '工程职业技术',
  '铁道职业技术',
  '幼儿师范高等专科',
  '医学高等专科',
  '艺术职业',
  '水利水电职业技术',
];
const AUTHORITIES = ['省教育厅', '市人民政府', '省卫生健康委员会', '省交通运输厅'];

const CORE_WORDS = [
  '华',
  '中',
  '新',
  '恒',
  '达',
  '科',
  '信',
  '瑞',
  '德',
  '安',
  '盛',
  '宏',
  '天',
  '海',
  '金',
  '通',
  '泰',
  '博',
  '明',
  '远',
  '鑫',
  '诚',
  '辉',
  '联',
  '云',
  '智',
  '创',
  '佳',
  '和',
  '东',
  '方',
  '正',
  '凯',
  '隆',
  '源',
  '丰',
  '嘉',
  '祥',
  '兴',
  '永',
  '世',
  '纪',
  '光',
  '启',
  '宇',
  '航',
  '峰',
  '锦',
  '荣',
  '豪',
];
const INDUSTRIES = [
  '科技',
  '电子',
  '信息技术',
  '软件',
  '医药',
  '生物科技',
  '建设工程',
  '食品',
  '物流',
  '教育科技',
  '新能源',
  '机械制造',
  '汽车零部件',
  '化工',
  '环保科技',
  '网络科技',
  '智能装备',
  '材料',
  '电气',
  '通信技术',
  '数据服务',
  '文化传媒',
  '农业发展',
  '检测技术',
  '精密仪器',
];
const LEGAL_FORMS = ['有限公司', '有限公司', '有限公司', '股份有限公司', '有限责任公司', '集团有限公司'];
const BANKS = [
  '中国工商银行股份有限公司',
  '中国建设银行股份有限公司',
  '中国农业银行股份有限公司',
  '招商银行股份有限公司',
];
const LEADER_NAMES = [
  '王',
  '李',
  '张',
  '刘',
  '陈',
  '杨',
  '赵',
  '黄',
  '周',
  '吴',
  '徐',
  '孙',
  '胡',
  '朱',
  '高',
  '林',
  '何',
  '郭',
  '马',
  '罗',
];
const GIVEN = [
  '建国',
  '志强',
  '海燕',
  '晓明',
  '红梅',
  '立新',
  '文博',
  '丽华',
  '国栋',
  '春生',
  '秀英',
  '振华',
  '玉兰',
  '德明',
  '慧敏',
];

export interface ProvinceInfo {
  code: string;
  name: string;
  shortName: string;
}

export const DEMO_PROVINCES: ReadonlyArray<ProvinceInfo> = PROVINCES.map(([code, name, shortName]) => ({
  code,
  name,
  shortName,
}));

/** About 2,800 universities with plausible names, 10-digit codes, levels, flags, placement rates and activity. */
export function generateUniversities(seed: number, scale = 1): DemoUniversity[] {
  const rnd = createRandom(seed);
  const out: DemoUniversity[] = [];
  for (const [provinceCode, provinceName, shortName, approx, cities] of PROVINCES) {
    const n = Math.max(2, Math.round(approx * scale));
    const names = new Set<string>();
    const provinceMeanRate = 0.82 + rnd.next() * 0.08;
    for (let i = 0; i < n; i++) {
      const undergrad = rnd.chance(0.45);
      const city = rnd.pick(cities);
      const prefix = rnd.chance(0.5) ? shortName : city;
      let name = '';
      for (let attempt = 0; attempt < 50 && (name === '' || names.has(name)); attempt++) {
        name = undergrad
          ? `${prefix}${rnd.pick(UNDERGRAD_FIELDS)}${rnd.chance(0.5) ? '大学' : '学院'}`
          : `${prefix}${rnd.pick(VOCATIONAL_FIELDS)}${rnd.chance(0.8) ? '学院' : '学校'}`;
        if (attempt > 20)
          name = `${prefix}${rnd.pick(UNDERGRAD_FIELDS)}${rnd.pick(['学院', '大学'])}（${rnd.pick(cities)}校区${attempt}）`;
      }
      names.add(name);
      const vocational = !undergrad || name.includes('职业');
      // Pareto-like activity: most near 1, a few far ahead, some far behind.
      const activity = Math.min(4, Math.exp(rnd.normal() * 0.55) * (rnd.chance(0.03) ? 2.5 : 1));
      out.push({
        code: `41${provinceCode.slice(0, 2)}${String(i + 1).padStart(6, '0')}`,
        name,
        provinceCode,
        provinceName,
        city: cities.length === 1 ? provinceName : `${city}市`,
        authority: rnd.pick(AUTHORITIES).replace('省', provinceName.endsWith('市') ? '市' : '省'),
        level: undergrad ? '本科' : '专科',
        private: rnd.chance(0.25),
        newUndergrad: undergrad && rnd.chance(0.3),
        vocational,
        placementRate:
          Math.round(Math.min(0.99, Math.max(0.55, provinceMeanRate + rnd.normal() * 0.06)) * 10000) / 10000,
        activity,
      });
    }
  }
  return out;
}

/** A valid unified social credit code for an enterprise registered in `regionCode`. */
export function makeCreditCode(rnd: Random, regionCode: string): string {
  const alphabet = '0123456789ABCDEFGHJKLMNPQRTUWXY';
  let body = `91${regionCode}`;
  while (body.length < 17) body += alphabet[rnd.int(0, alphabet.length - 1)];
  return body + creditCodeCheckChar(body)!;
}

/** A pool of distinct employers: companies (some with credit codes) and bank branches, spread over the provinces. */
export function generateEmployers(seed: number, count: number): DemoEmployer[] {
  const rnd = createRandom(seed);
  const weights = cumulative(PROVINCES.map(([, , , approx]) => approx));
  const names = new Set<string>();
  const out: DemoEmployer[] = [];
  while (out.length < count) {
    const [provinceCode, provinceName, , , cities] = PROVINCES[rnd.weighted(weights)]!;
    const city = rnd.pick(cities);
    const regionCode = `${provinceCode.slice(0, 2)}${String(rnd.int(1, 9)).padStart(2, '0')}00`;
    let name: string;
    if (rnd.chance(0.02)) {
      name = `${rnd.pick(BANKS)}${city}${rnd.chance(0.7) ? '分行' : `${rnd.pick(CORE_WORDS)}${rnd.pick(CORE_WORDS)}支行`}`;
    } else {
      const core = Array.from({ length: rnd.int(2, 3) }, () => rnd.pick(CORE_WORDS)).join('');
      const prefix = rnd.chance(0.55)
        ? cities.length === 1
          ? provinceName
          : `${city}${rnd.chance(0.5) ? '市' : ''}`
        : '';
      const bracket = !prefix && rnd.chance(0.1) ? `（${city}）` : '';
      name = `${prefix}${core}${rnd.pick(INDUSTRIES)}${bracket}${rnd.pick(LEGAL_FORMS)}`;
    }
    if (names.has(name)) continue;
    names.add(name);
    out.push({ name, creditCode: rnd.chance(0.4) ? makeCreditCode(rnd, regionCode) : null, provinceCode, regionCode });
  }
  return out;
}

export function leaderName(rnd: Random): string {
  return `${rnd.pick(LEADER_NAMES)}${rnd.pick(GIVEN)}`;
}
