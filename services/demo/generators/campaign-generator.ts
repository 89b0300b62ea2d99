// The demo's campaign: the Ministry's list of universities (data/universities.csv, read by campaign-setup.ts) or
// synthetic ones over the 31 provinces, each with its leadership team; a pool of employers (companies, bank branches,
// industrial parks, industry associations, public institutions); visits in realistic shapes. Pure and seeded: the
// same options give the same campaign.
import { creditCodeCheckChar } from '../../../shared/domain/credit-code.ts';
import { BINGTUAN_AUTHORITY, BINGTUAN_CODE, centralKindOf, reportingUnitOf } from '../../../shared/domain/scope.ts';
import { createRandom, cumulative, type Random } from './random.ts';

/** One member of a university's leadership team (任务到人), as its roster lists them. */
export interface DemoLeader {
  name: string;
  role: 'secretary' | 'president' | 'leader';
  title: string;
}

export interface DemoUniversity {
  code: string;
  name: string;
  /** The province it stands in (the list's section): where its local employers are. */
  provinceCode: string;
  provinceName: string;
  /** Its reporting unit: the province, or 660000 (兵团) when its authority is 新疆生产建设兵团. */
  unitCode: string;
  /** 部属 (a central authority) or 部省合建 (the joint list): the central scope. */
  central: boolean;
  city: string;
  authority: string;
  level: '本科' | '专科';
  private: boolean;
  newUndergrad: boolean;
  vocational: boolean;
  placementRate: number;
  /** Relative activity: a few universities far ahead, many behind. */
  activity: number;
  /** Its leadership team: 党委书记, 校长 and several 校级领导 (the roster the demo imports). */
  team: DemoLeader[];
}

/** What kind of place an employer is (a visit's placeKind): 走进企业、走进园区、走进行业, public institutions. */
export type DemoPlaceKind = 'enterprise' | 'park' | 'association' | 'institution';

export interface DemoEmployer {
  kind: DemoPlaceKind;
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
// Surnames with a character people mistype them as (同音字): a visit's leader typed so is not on the roster.
const SURNAMES: ReadonlyArray<[string, string]> = [
  ['王', '汪'],
  ['李', '黎'],
  ['张', '章'],
  ['刘', '柳'],
  ['陈', '程'],
  ['杨', '阳'],
  ['赵', '肇'],
  ['黄', '皇'],
  ['周', '邹'],
  ['吴', '伍'],
  ['徐', '许'],
  ['孙', '荪'],
  ['胡', '扈'],
  ['朱', '诸'],
  ['高', '郜'],
  ['林', '蔺'],
  ['何', '贺'],
  ['郭', '国'],
  ['马', '麻'],
  ['罗', '骆'],
  ['梁', '良'],
  ['宋', '送'],
  ['郑', '正'],
  ['谢', '解'],
  ['韩', '含'],
  ['唐', '汤'],
  ['冯', '逢'],
  ['于', '余'],
  ['董', '懂'],
  ['曹', '操'],
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
  '卫东',
  '永刚',
  '树林',
  '凤英',
  '新民',
  '学军',
  '庆丰',
  '晓燕',
  '宏伟',
  '俊峰',
  '亚平',
  '长江',
  '继红',
  '若愚',
  '明远',
  '敏',
  '勇',
  '静',
  '涛',
  '军',
  '磊',
];
// The other members of a team, by their title on the roster (role 校级领导).
const DEPUTY_TITLES = [
  '党委副书记',
  '副校长',
  '副校长',
  '党委常委、副校长',
  '纪委书记',
  '党委副书记、副校长',
  '总会计师',
  '副校长',
  '党委常委、组织部部长',
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

/** The 32 reporting units the notices go to: the 31 provinces and 新疆生产建设兵团 (660000). */
export const DEMO_REPORTING_UNITS: ReadonlyArray<ProvinceInfo> = [
  ...DEMO_PROVINCES,
  { code: BINGTUAN_CODE, name: BINGTUAN_AUTHORITY, shortName: '兵团' },
];

export function leaderName(rnd: Random): string {
  return `${rnd.pick(SURNAMES)[0]}${rnd.pick(GIVEN)}`;
}

/**
 * The name as a visit's form may carry it by mistake: the surname typed as its homophone (王建国 → 汪建国), or, for
 * a name whose surname has none listed, the given name's first character doubled. Never the roster's name.
 */
export function mistypedLeader(name: string): string {
  const pair = SURNAMES.find(([s]) => name.startsWith(s));
  return pair ? `${pair[1]}${name.slice(1)}` : `${name.slice(0, 2)}${name.slice(1)}`;
}

/** A leadership team: 党委书记, 校长 (院长 at a 学院), and 3–8 校级领导, distinct names. */
export function makeTeam(rnd: Random, universityName: string, undergrad: boolean): DemoLeader[] {
  const head = /大学$/.test(universityName) ? '校长' : '院长';
  const names = new Set<string>();
  const name = () => {
    let n = leaderName(rnd);
    while (names.has(n)) n = leaderName(rnd);
    names.add(n);
    return n;
  };
  const team: DemoLeader[] = [
    { name: name(), role: 'secretary', title: '党委书记' },
    { name: name(), role: 'president', title: `党委副书记、${head}` },
  ];
  const deputies = undergrad ? rnd.int(5, 8) : rnd.int(3, 6);
  for (let i = 0; i < deputies; i++)
    team.push({ name: name(), role: 'leader', title: rnd.pick(DEPUTY_TITLES).replace('校长', head) });
  return team;
}

const activityDraw = (rnd: Random): number =>
  // Pareto-like activity: most near 1, a few far ahead, some far behind.
  Math.min(4, Math.exp(rnd.normal() * 0.55) * (rnd.chance(0.03) ? 2.5 : 1));

const placementRate = (rnd: Random, provinceMean: number): number =>
  Math.round(Math.min(0.99, Math.max(0.55, provinceMean + rnd.normal() * 0.06)) * 10000) / 10000;

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
      const activity = activityDraw(rnd);
      out.push({
        code: `41${provinceCode.slice(0, 2)}${String(i + 1).padStart(6, '0')}`,
        name,
        provinceCode,
        provinceName,
        unitCode: provinceCode,
        central: false,
        city: cities.length === 1 ? provinceName : `${city}市`,
        // As the Ministry's list writes a local authority: the province, or its education department.
        authority: rnd.chance(0.5) ? provinceName : `${provinceName}${provinceName.endsWith('市') ? '教委' : '教育厅'}`,
        level: undergrad ? '本科' : '专科',
        private: rnd.chance(0.25),
        newUndergrad: undergrad && rnd.chance(0.3),
        vocational,
        placementRate: placementRate(rnd, provinceMeanRate),
        activity,
        team: makeTeam(rnd, name, undergrad),
      });
    }
  }
  return out;
}

/** A line of the Ministry's list (data/universities.csv): code,name,province,city,authority,level,private. */
export interface ListedUniversity {
  code: string;
  name: string;
  province: string;
  city: string;
  authority: string;
  level: string;
  private: string;
}

/**
 * The demo's universities from the Ministry's 2021 list: its codes, names, provinces, cities, authorities (兵团's 8,
 * the 部属) and levels; `jointCodes` are the 部省合建 (data/central-joint-universities.csv). What the list does not
 * say is drawn: 新建本科 and vocational flags, placement rates, activity (central ones a little ahead) and the team.
 */
export function universitiesFromList(
  list: readonly ListedUniversity[],
  jointCodes: ReadonlySet<string>,
  seed: number,
): DemoUniversity[] {
  const rnd = createRandom(seed);
  const byName = new Map(PROVINCES.map(([code, name]) => [name, code]));
  const provinceNames = PROVINCES.flatMap(([, name, shortName]) => [name, shortName]);
  const meanRate = new Map(PROVINCES.map(([code]) => [code, 0.82 + rnd.next() * 0.08]));
  return list.map((u) => {
    const provinceCode = byName.get(u.province);
    if (!provinceCode) throw new Error(`university ${u.code}: unknown province ${u.province}`);
    const undergrad = u.level === '本科';
    const central = centralKindOf(u.code, u.authority, jointCodes, provinceNames) !== null;
    const isPrivate = u.private === '1';
    return {
      code: u.code,
      name: u.name,
      provinceCode,
      provinceName: u.province,
      unitCode: reportingUnitOf(u.authority, provinceCode),
      central,
      city: u.city,
      authority: u.authority,
      level: undergrad ? '本科' : '专科',
      private: isPrivate,
      newUndergrad: undergrad && !central && rnd.chance(isPrivate ? 0.5 : 0.2),
      vocational: !undergrad || u.name.includes('职业'),
      placementRate: placementRate(rnd, meanRate.get(provinceCode)!),
      activity: activityDraw(rnd) * (central ? 1.4 : 1),
      team: makeTeam(rnd, u.name, undergrad),
    };
  });
}

/** A valid unified social credit code: `kind` 91 (enterprise), 12 (public institution), 51 (association), 11 (an office). */
export function makeCreditCode(rnd: Random, regionCode: string, kind = '91'): string {
  const alphabet = '0123456789ABCDEFGHJKLMNPQRTUWXY';
  let body = `${kind}${regionCode}`;
  while (body.length < 17) body += alphabet[rnd.int(0, alphabet.length - 1)];
  return body + creditCodeCheckChar(body)!;
}

const PARK_KINDS = ['高新技术产业开发区', '经济技术开发区', '软件园', '科技园', '工业园区', '大学科技园'];
const ASSOCIATIONS = [
  '软件行业协会',
  '机械工业联合会',
  '电子信息行业协会',
  '物流与采购联合会',
  '建筑业协会',
  '医药行业协会',
  '人力资源服务行业协会',
  '电子商务协会',
  '食品工业协会',
  '企业联合会',
];
const INSTITUTIONS = [
  '第一人民医院',
  '中心医院',
  '疾病预防控制中心',
  '教育科学研究院',
  '农业科学院',
  '规划设计研究院',
  '气象局',
  '图书馆',
  '广播电视台',
  '实验中学',
];

/**
 * A pool of distinct employers spread over the provinces: companies (some with credit codes) and bank branches, and
 * about 11 % other places: industrial parks (their 管理委员会), industry associations, public institutions.
 */
export function generateEmployers(seed: number, count: number): DemoEmployer[] {
  const rnd = createRandom(seed);
  const weights = cumulative(PROVINCES.map(([, , , approx]) => approx));
  const names = new Set<string>();
  const out: DemoEmployer[] = [];
  while (out.length < count) {
    const [provinceCode, provinceName, , , cities] = PROVINCES[rnd.weighted(weights)]!;
    const city = rnd.pick(cities);
    const cityName = cities.length === 1 ? provinceName : `${city}市`;
    const regionCode = `${provinceCode.slice(0, 2)}${String(rnd.int(1, 9)).padStart(2, '0')}00`;
    const draw = rnd.next();
    let kind: DemoPlaceKind = 'enterprise';
    let name: string;
    if (draw < 0.04) {
      kind = 'park';
      name = `${cityName}${rnd.pick(PARK_KINDS)}管理委员会`;
    } else if (draw < 0.07) {
      kind = 'association';
      name = `${rnd.chance(0.6) ? provinceName : cityName}${rnd.pick(ASSOCIATIONS)}`;
    } else if (draw < 0.11) {
      kind = 'institution';
      name = `${cityName}${rnd.pick(INSTITUTIONS)}`;
    } else if (draw < 0.13) {
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
    const codeKind = { enterprise: '91', park: '11', association: '51', institution: '12' }[kind];
    out.push({
      kind,
      name,
      creditCode: rnd.chance(kind === 'enterprise' ? 0.4 : 0.3) ? makeCreditCode(rnd, regionCode, codeKind) : null,
      provinceCode,
      regionCode,
    });
  }
  return out;
}
