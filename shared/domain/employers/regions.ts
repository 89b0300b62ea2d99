// Region names that open (or sit in brackets inside) Chinese organisation names: provinces and the prefecture-level
// cities (plus a few county-level cities common in company names), by province. Public administrative names (GB/T 2260);
// kept here rather than in the database because normalisation is pure and runs before any query.

/** Province short name → the suffixes its full name takes (北京 → 市, 广西 → 壮族自治区 …). */
const PROVINCES: Record<string, string[]> = {
  北京: ['市'],
  天津: ['市'],
  上海: ['市'],
  重庆: ['市'],
  河北: ['省'],
  山西: ['省'],
  辽宁: ['省'],
  吉林: ['省'],
  黑龙江: ['省'],
  江苏: ['省'],
  浙江: ['省'],
  安徽: ['省'],
  福建: ['省'],
  江西: ['省'],
  山东: ['省'],
  河南: ['省'],
  湖北: ['省'],
  湖南: ['省'],
  广东: ['省'],
  海南: ['省'],
  四川: ['省'],
  贵州: ['省'],
  云南: ['省'],
  陕西: ['省'],
  甘肃: ['省'],
  青海: ['省'],
  台湾: ['省'],
  内蒙古: ['自治区'],
  广西: ['壮族自治区', '自治区'],
  西藏: ['自治区'],
  宁夏: ['回族自治区', '自治区'],
  新疆: ['维吾尔自治区', '自治区'],
  香港: ['特别行政区'],
  澳门: ['特别行政区'],
};

const CITIES: Record<string, string> = {
  河北: '石家庄 唐山 秦皇岛 邯郸 邢台 保定 张家口 承德 沧州 廊坊 衡水',
  山西: '太原 大同 阳泉 长治 晋城 朔州 晋中 运城 忻州 临汾 吕梁',
  内蒙古: '呼和浩特 包头 乌海 赤峰 通辽 鄂尔多斯 呼伦贝尔 巴彦淖尔 乌兰察布',
  辽宁: '沈阳 大连 鞍山 抚顺 本溪 丹东 锦州 营口 阜新 辽阳 盘锦 铁岭 朝阳 葫芦岛',
  吉林: '长春 吉林 四平 辽源 通化 白山 松原 白城 延边',
  黑龙江: '哈尔滨 齐齐哈尔 鸡西 鹤岗 双鸭山 大庆 伊春 佳木斯 七台河 牡丹江 黑河 绥化',
  江苏: '南京 无锡 徐州 常州 苏州 南通 连云港 淮安 盐城 扬州 镇江 泰州 宿迁 昆山 江阴 张家港 常熟 宜兴 太仓 溧阳 丹阳 海门 启东 如皋',
  浙江: '杭州 宁波 温州 嘉兴 湖州 绍兴 金华 衢州 舟山 台州 丽水 义乌 慈溪 余姚 诸暨 海宁 桐乡 乐清 瑞安 温岭 东阳 永康',
  安徽: '合肥 芜湖 蚌埠 淮南 马鞍山 淮北 铜陵 安庆 黄山 滁州 阜阳 宿州 六安 亳州 池州 宣城',
  福建: '福州 厦门 莆田 三明 泉州 漳州 南平 龙岩 宁德 晋江 石狮',
  江西: '南昌 景德镇 萍乡 九江 新余 鹰潭 赣州 吉安 宜春 抚州 上饶',
  山东: '济南 青岛 淄博 枣庄 东营 烟台 潍坊 济宁 泰安 威海 日照 临沂 德州 聊城 滨州 菏泽 莱芜',
  河南: '郑州 开封 洛阳 平顶山 安阳 鹤壁 新乡 焦作 濮阳 许昌 漯河 三门峡 南阳 商丘 信阳 周口 驻马店 济源',
  湖北: '武汉 黄石 十堰 宜昌 襄阳 鄂州 荆门 孝感 荆州 黄冈 咸宁 随州 恩施 仙桃 潜江 天门',
  湖南: '长沙 株洲 湘潭 衡阳 邵阳 岳阳 常德 张家界 益阳 郴州 永州 怀化 娄底 湘西',
  广东: '广州 韶关 深圳 珠海 汕头 佛山 江门 湛江 茂名 肇庆 惠州 梅州 汕尾 河源 阳江 清远 东莞 中山 潮州 揭阳 云浮 顺德',
  广西: '南宁 柳州 桂林 梧州 北海 防城港 钦州 贵港 玉林 百色 贺州 河池 来宾 崇左',
  海南: '海口 三亚 三沙 儋州',
  四川: '成都 自贡 攀枝花 泸州 德阳 绵阳 广元 遂宁 内江 乐山 南充 眉山 宜宾 广安 达州 雅安 巴中 资阳 阿坝 甘孜 凉山',
  贵州: '贵阳 六盘水 遵义 安顺 毕节 铜仁 黔西南 黔东南 黔南',
  云南: '昆明 曲靖 玉溪 保山 昭通 丽江 普洱 临沧 楚雄 红河 文山 西双版纳 大理 德宏 怒江 迪庆',
  西藏: '拉萨 日喀则 昌都 林芝 山南 那曲 阿里',
  陕西: '西安 铜川 宝鸡 咸阳 渭南 延安 汉中 榆林 安康 商洛 杨凌',
  甘肃: '兰州 嘉峪关 金昌 白银 天水 武威 张掖 平凉 酒泉 庆阳 定西 陇南 临夏 甘南',
  青海: '西宁 海东 海北 黄南 果洛 玉树 海西',
  宁夏: '银川 石嘴山 吴忠 固原 中卫',
  新疆: '乌鲁木齐 克拉玛依 吐鲁番 哈密 昌吉 博尔塔拉 巴音郭楞 阿克苏 克孜勒苏 喀什 和田 伊犁 塔城 阿勒泰 石河子',
};

export interface RegionName {
  /** Short name without suffix: 广东, 深圳. */
  name: string;
  kind: 'province' | 'city';
  /** The province a city belongs to (its own name for a province). */
  province: string;
  /** Suffixes the full name may take (省, 市, 自治区 …). */
  suffixes: string[];
}

const byName = new Map<string, RegionName>();
for (const [name, suffixes] of Object.entries(PROVINCES))
  byName.set(name, { name, kind: 'province', province: name, suffixes });
for (const [province, list] of Object.entries(CITIES)) {
  for (const name of list.split(' ')) {
    // 吉林 is both a province and a city: the province reading wins (its city is 吉林市, the same text).
    if (!byName.has(name)) byName.set(name, { name, kind: 'city', province, suffixes: ['市', '地区', '州'] });
  }
}

/** Region names, longest first so that 黑龙江 is tried before 黑河-like prefixes. */
export const REGION_NAMES: ReadonlyArray<RegionName> = [...byName.values()].sort(
  (a, b) => b.name.length - a.name.length,
);

export function regionByName(name: string): RegionName | undefined {
  return byName.get(name);
}

/** City short names of a province (for generating branches in the development set). */
export function citiesOf(province: string): string[] {
  return CITIES[province]?.split(' ') ?? [];
}
