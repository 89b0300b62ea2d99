// The frame of every signed-in page: a menu of what the user's role may open, the campaign and cut-off date, the user
// and logout. On a narrow screen the menu folds away behind a button.
import { KeyOutlined, LogoutOutlined, MenuOutlined } from '@ant-design/icons';
import { Alert, Button, DatePicker, Layout, Menu, Select, Space, Spin, Typography } from 'antd';
import dayjs from 'dayjs';
import { useState } from 'react';
import { Outlet, useLocation, useNavigate } from 'react-router';
import { ProblemResult } from '../components/ProblemResult';
import { scopeLabel } from '../components/provinces';
import { useCampaign } from './campaign';
import { landingPath, roleOf, useSession, type Role } from './session';
import { SHELL } from './strings';

interface Item {
  key: string;
  label: string;
  path: string;
}

function menuFor(role: Role, home: string): Item[] {
  const m = SHELL.menu;
  switch (role) {
    case 'admin':
      return [
        { key: 'overview', label: m.overview, path: '/overview' },
        { key: 'central', label: m.central, path: '/central' },
        { key: 'employers', label: m.employers, path: '/employers' },
        { key: 'notices', label: m.notices, path: '/notices' },
        { key: 'operations', label: m.operations, path: '/operations' },
      ];
    case 'security':
      return [{ key: 'operations', label: m.accounts, path: '/operations' }];
    case 'auditor':
      return [{ key: 'audit', label: m.audit, path: '/audit' }];
    case 'national':
      return [
        { key: 'overview', label: m.overview, path: '/overview' },
        { key: 'central', label: m.central, path: '/central' },
        { key: 'notices', label: m.notices, path: '/notices' },
      ];
    case 'central':
      return [
        { key: 'central', label: m.central, path: home },
        { key: 'notices', label: m.notices, path: '/notices' },
      ];
    case 'province':
      return [
        { key: 'province', label: m.province, path: home },
        { key: 'notices', label: m.notices, path: '/notices' },
      ];
    case 'university':
      return [{ key: 'university', label: m.university, path: home }];
  }
}

export function Shell() {
  const { user, logout } = useSession();
  const { campaigns, loaded, campaign, asOf, setAsOf, setCampaignId, error } = useCampaign();
  const navigate = useNavigate();
  const location = useLocation();
  const [collapsed, setCollapsed] = useState(() => window.innerWidth < 992);
  if (!user) return null;
  const role = roleOf(user);
  const items = menuFor(role, landingPath(user));
  const selected = items.find((i) => location.pathname === i.path || location.pathname.startsWith(`${i.path}/`));

  const body = error ? (
    <ProblemResult error={error} />
  ) : !campaign ? (
    !loaded ? (
      <Spin tip={SHELL.loading} />
    ) : (
      <Alert type="warning" title={SHELL.noCampaign} />
    )
  ) : (
    <Outlet />
  );

  return (
    <Layout className="shell">
      <a className="skip-link" href="#main">
        {SHELL.skip}
      </a>
      <Layout.Sider
        breakpoint="lg"
        collapsedWidth={0}
        collapsed={collapsed}
        onBreakpoint={(broken) => setCollapsed(broken)}
        trigger={null}
        width={200}
        className="shell-sider"
      >
        <div className="shell-brand">
          <div className="shell-brand-title">{SHELL.title}</div>
          <div className="shell-brand-sub">{SHELL.subtitle}</div>
        </div>
        <nav aria-label="主菜单">
          <Menu
            theme="dark"
            mode="inline"
            selectedKeys={selected ? [selected.key] : []}
            items={items.map((i) => ({ key: i.key, label: i.label }))}
            onClick={({ key }) => {
              const item = items.find((i) => i.key === key);
              if (item) void navigate(item.path);
              if (window.innerWidth < 992) setCollapsed(true);
            }}
          />
        </nav>
      </Layout.Sider>
      <Layout>
        <Layout.Header className="shell-header">
          <Button
            type="text"
            className="shell-toggle"
            icon={<MenuOutlined />}
            aria-label={collapsed ? SHELL.openMenu : SHELL.closeMenu}
            aria-expanded={!collapsed}
            onClick={() => setCollapsed((c) => !c)}
          />
          <Space wrap size={[12, 4]} className="shell-controls">
            {campaigns.length > 1 ? (
              <Select
                aria-label={SHELL.campaign}
                value={campaign?.id}
                options={campaigns.map((c) => ({ value: c.id, label: c.name }))}
                onChange={setCampaignId}
                style={{ minWidth: 200 }}
              />
            ) : (
              <Typography.Text strong className="shell-campaign">
                {campaign?.name}
              </Typography.Text>
            )}
            <Space size={4}>
              <label htmlFor="as-of">{SHELL.asOf}</label>
              <DatePicker
                id="as-of"
                allowClear={false}
                value={dayjs(asOf)}
                format="YYYY年M月D日"
                disabledDate={(d) =>
                  campaign ? d.isBefore(dayjs(campaign.start)) || d.isAfter(dayjs(campaign.end)) : false
                }
                onChange={(d) => d && setAsOf(d.format('YYYY-MM-DD'))}
              />
            </Space>
          </Space>
          <Space className="shell-user">
            <span data-testid="user">
              {user.name}（{SHELL.roles[role]}
              {role === 'province' ? `·${scopeLabel(user.scope)}` : ''}
              {role === 'university' ? `·${user.scope.slice('university:'.length)}` : ''}）
            </span>
            <Button icon={<KeyOutlined />} onClick={() => void navigate('/password')}>
              {SHELL.password}
            </Button>
            <Button
              icon={<LogoutOutlined />}
              onClick={() => {
                void logout().then(() => navigate('/login'));
              }}
            >
              {SHELL.logout}
            </Button>
          </Space>
        </Layout.Header>
        <Layout.Content id="main" className="shell-content" tabIndex={-1}>
          {body}
        </Layout.Content>
      </Layout>
    </Layout>
  );
}
