// The shell's words: title, menu, header.
export const SHELL = {
  title: '访企拓岗促就业专项行动',
  subtitle: '电子台账',
  skip: '跳到主要内容',
  menu: {
    overview: '全国概览',
    province: '本省高校',
    university: '本校台账',
    employers: '用人单位',
    notices: '通报',
    operations: '运维',
  },
  campaign: '专项行动',
  asOf: '截至',
  logout: '退出登录',
  openMenu: '打开菜单',
  closeMenu: '收起菜单',
  loading: '加载中…',
  roles: {
    admin: '系统管理员',
    national: '教育部',
    province: '省级教育部门',
    university: '高校',
  },
  expired: '登录已超时，请重新登录。',
  noCampaign: '尚无专项行动：请先用 ledger campaign create 创建。',
};
