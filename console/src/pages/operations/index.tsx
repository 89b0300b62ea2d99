// 运维 (admin): queue depth and inbox lag with a link to bull-board, dead letters with replay, API keys, users and
// notice recipients.
import {
  App,
  Button,
  Card,
  Col,
  Form,
  Input,
  Popconfirm,
  Row,
  Select,
  Space,
  Table,
  Tabs,
  Tag,
  Typography,
} from 'antd';
import { useState } from 'react';
import { formatDateTime, formatNumber } from '../../components/format';
import { ProblemResult } from '../../components/ProblemResult';
import { scopeLabel } from '../../components/provinces';
import { useApi } from '../../components/useApi';
import {
  addRecipient,
  createApiClient,
  createUser,
  disableUser,
  listClients,
  listDeadLetters,
  listRecipients,
  listUsers,
  queueState,
  removeRecipient,
  replayDeadLetter,
  resetPassword,
  revokeApiClient,
  type NewRecipient,
} from '../../services/operations';
import type { ApiClientRow, DeadLetter, RecipientRow, UserRow } from '../../services/types';
import { roleOf, useSession } from '../../app/session';
import { OneTimeSecret } from './OneTimeSecret';
import { T } from './strings';

const scopeText = (s: string) => (s.includes(':') ? `${scopeLabel(s)}（${s}）` : scopeLabel(s));

/** A generated password as the modal shows it: once, with the end of its temporary validity. */
const passwordSecret = (res: { user: UserRow; password: string }) => ({
  label: T.passwordOnce(res.user.name),
  value: res.password,
  ...(res.user.temporaryUntil ? { note: T.temporaryNote(formatDateTime(res.user.temporaryUntil)) } : {}),
});

export default function OperationsPage() {
  const { message } = App.useApp();
  const { user } = useSession();
  // 三员分立: the system administrator runs the queues, dead letters and recipients; the security administrator the
  // keys and accounts. Each loads only its own tabs (the API refuses the others').
  const system = user ? roleOf(user) === 'admin' : false;
  const only =
    <R,>(mine: boolean, load: () => Promise<R>) =>
    () =>
      mine ? load() : Promise.resolve(undefined);
  const queues = useApi(only(system, queueState), [system]);
  const dead = useApi(only(system, listDeadLetters), [system]);
  const clients = useApi(only(!system, listClients), [system]);
  const users = useApi(only(!system, listUsers), [system]);
  const recipients = useApi(only(system, listRecipients), [system]);
  const [secret, setSecret] = useState<{ label: string; value: string } | null>(null);
  const [clientForm] = Form.useForm<{ name: string; scope: string }>();
  const [userForm] = Form.useForm<{ name: string; scope: string; email?: string }>();
  const [recipientForm] = Form.useForm<{
    scope: string;
    kind: 'email' | 'webhook';
    address: string;
    secret?: string;
    format?: 'json' | 'wecom' | 'dingtalk';
  }>();

  const act = async (fn: () => Promise<unknown>, after: () => void, done?: string) => {
    try {
      await fn();
      if (done) void message.success(done);
      after();
    } catch (err) {
      void message.error(err instanceof Error ? err.message : String(err));
    }
  };

  const q = T.queueColumns;
  const queuesTab = queues.error ? (
    <ProblemResult error={queues.error} onRetry={queues.reload} />
  ) : (
    <>
      <Row gutter={[12, 12]} className="section">
        <Col xs={12} md={6}>
          <Card size="small" className="figure" data-figure="inboxAccepted">
            <div className="figure-label">{T.inboxAccepted}</div>
            <div className="figure-value">{formatNumber(queues.data?.inbox.accepted)}</div>
          </Card>
        </Col>
        <Col xs={12} md={6}>
          <Card size="small" className="figure" data-figure="inboxLag">
            <div className="figure-label">{T.inboxLag}</div>
            <div className="figure-value">
              {queues.data ? T.seconds(formatNumber(queues.data.inbox.lagSeconds)) : '—'}
            </div>
          </Card>
        </Col>
      </Row>
      <Space className="filters section">
        <Button onClick={queues.reload}>{T.refresh}</Button>
        <Button href={queues.data?.boardUrl ?? '/admin/queues'} target="_blank" rel="noopener">
          {T.board}
        </Button>
      </Space>
      <Table
        size="small"
        rowKey="name"
        loading={queues.loading}
        pagination={false}
        dataSource={queues.data?.queues ?? []}
        data-testid="queues"
        scroll={{ x: 600 }}
        columns={[
          { title: q.name, dataIndex: 'name' },
          ...(['waiting', 'active', 'delayed', 'failed', 'completed'] as const).map((k) => ({
            title: q[k],
            dataIndex: k,
            align: 'right' as const,
            render: formatNumber,
          })),
        ]}
      />
    </>
  );

  const d = T.dlColumns;
  const deadTab = dead.error ? (
    <ProblemResult error={dead.error} onRetry={dead.reload} />
  ) : (
    <Table<DeadLetter>
      size="small"
      rowKey="id"
      loading={dead.loading}
      dataSource={dead.data ?? []}
      locale={{ emptyText: T.noDeadLetters }}
      scroll={{ x: 900 }}
      data-testid="dead-letters"
      columns={[
        { title: d.id, dataIndex: 'id', width: 70 },
        { title: d.eventId, dataIndex: 'eventId' },
        { title: d.university, dataIndex: 'universityCode' },
        { title: d.reason, dataIndex: 'reason' },
        { title: d.attempts, dataIndex: 'attempts', align: 'right' },
        { title: d.createdAt, dataIndex: 'createdAt', render: (t: string) => formatDateTime(t) },
        {
          title: '',
          key: 'replay',
          render: (_, r) =>
            r.replayedAt ? (
              formatDateTime(r.replayedAt)
            ) : (
              <Button size="small" onClick={() => void act(() => replayDeadLetter(r.id), dead.reload, T.replayed('1'))}>
                {T.replay}
              </Button>
            ),
        },
      ]}
    />
  );

  const c = T.clientColumns;
  const clientsTab = (
    <>
      <Form
        form={clientForm}
        layout="inline"
        className="filters"
        name="client"
        onFinish={(v) =>
          void act(async () => {
            const res = await createApiClient(v.name, v.scope);
            setSecret({ label: `${T.newClient}：${res.name}`, value: res.key });
            clientForm.resetFields();
          }, clients.reload)
        }
      >
        <Form.Item name="name" label={T.form.name} rules={[{ required: true, message: T.form.required }]}>
          <Input />
        </Form.Item>
        <Form.Item
          name="scope"
          label={T.form.scope}
          tooltip={T.form.scopeHelp}
          rules={[{ required: true, message: T.form.required }]}
        >
          <Input placeholder="province:440000" />
        </Form.Item>
        <Button type="primary" htmlType="submit">
          {T.newClient}
        </Button>
      </Form>
      {clients.error ? (
        <ProblemResult error={clients.error} onRetry={clients.reload} />
      ) : (
        <Table<ApiClientRow>
          size="small"
          rowKey="id"
          loading={clients.loading}
          dataSource={clients.data ?? []}
          scroll={{ x: 800 }}
          columns={[
            { title: c.id, dataIndex: 'id', width: 70 },
            { title: c.name, dataIndex: 'name' },
            { title: c.scope, dataIndex: 'scope', render: scopeText },
            { title: c.createdAt, dataIndex: 'createdAt', render: (t: string) => formatDateTime(t) },
            {
              title: c.state,
              key: 'state',
              render: (_, r) =>
                r.revokedAt ? (
                  <Tag>{`${T.revoked} ${formatDateTime(r.revokedAt)}`}</Tag>
                ) : (
                  <Space>
                    <Tag color="green">{T.active}</Tag>
                    <Popconfirm
                      title={T.revokeConfirm}
                      onConfirm={() => void act(() => revokeApiClient(r.id), clients.reload, T.revoked)}
                    >
                      <Button size="small" danger>
                        {T.revoke}
                      </Button>
                    </Popconfirm>
                  </Space>
                ),
            },
          ]}
        />
      )}
    </>
  );

  const u = T.userColumns;
  const usersTab = (
    <>
      <Form
        form={userForm}
        layout="inline"
        className="filters"
        name="user"
        onFinish={(v) =>
          void act(async () => {
            const res = await createUser(v.name, v.scope, v.email);
            setSecret(passwordSecret(res));
            userForm.resetFields();
          }, users.reload)
        }
      >
        <Form.Item name="name" label={T.form.name} rules={[{ required: true, message: T.form.required }]}>
          <Input />
        </Form.Item>
        <Form.Item
          name="scope"
          label={T.form.scope}
          tooltip={T.form.scopeHelp}
          rules={[{ required: true, message: T.form.required }]}
        >
          <Input placeholder="university:4144010558" />
        </Form.Item>
        <Form.Item name="email" label={T.form.email}>
          <Input type="email" />
        </Form.Item>
        <Button type="primary" htmlType="submit">
          {T.newUser}
        </Button>
      </Form>
      {users.error ? (
        <ProblemResult error={users.error} onRetry={users.reload} />
      ) : (
        <Table<UserRow>
          size="small"
          rowKey="id"
          loading={users.loading}
          dataSource={users.data ?? []}
          scroll={{ x: 900 }}
          data-testid="users"
          columns={[
            { title: u.id, dataIndex: 'id', width: 70 },
            { title: u.name, dataIndex: 'name' },
            { title: u.scope, dataIndex: 'scope', render: scopeText },
            { title: u.email, dataIndex: 'email', render: (e: string | null) => e ?? '—' },
            { title: u.lastLogin, dataIndex: 'lastLoginAt', render: (t: string | null) => formatDateTime(t) },
            {
              title: u.state,
              key: 'state',
              render: (_, r) =>
                r.disabledAt ? (
                  <Tag>{T.disabled}</Tag>
                ) : (
                  <Space size={4} wrap>
                    <Tag color="green">{T.active}</Tag>
                    <Popconfirm
                      title={T.resetConfirm}
                      onConfirm={() =>
                        void act(async () => {
                          const res = await resetPassword(r.id);
                          setSecret(passwordSecret(res));
                        }, users.reload)
                      }
                    >
                      <Button size="small">{T.resetPassword}</Button>
                    </Popconfirm>
                    <Popconfirm
                      title={T.disableConfirm}
                      onConfirm={() => void act(() => disableUser(r.id), users.reload, T.disabled)}
                    >
                      <Button size="small" danger>
                        {T.disable}
                      </Button>
                    </Popconfirm>
                  </Space>
                ),
            },
          ]}
        />
      )}
    </>
  );

  const r = T.recipientColumns;
  const recipientsTab = (
    <>
      <Form
        form={recipientForm}
        layout="inline"
        className="filters"
        name="recipient"
        initialValues={{ kind: 'email', format: 'json' }}
        onFinish={(v) =>
          void act(async () => {
            const body: NewRecipient =
              v.kind === 'email'
                ? { scope: v.scope, email: v.address }
                : { scope: v.scope, webhook: v.address, ...(v.secret ? { secret: v.secret } : {}), format: v.format };
            await addRecipient(body);
            recipientForm.resetFields();
          }, recipients.reload)
        }
      >
        <Form.Item name="scope" label={T.form.scope} rules={[{ required: true, message: T.form.required }]}>
          <Input placeholder="national" />
        </Form.Item>
        <Form.Item name="kind" label={T.form.kind}>
          <Select
            style={{ width: 110 }}
            options={[
              { value: 'email', label: T.kinds.email },
              { value: 'webhook', label: T.kinds.webhook },
            ]}
          />
        </Form.Item>
        <Form.Item name="address" label={T.form.address} rules={[{ required: true, message: T.form.required }]}>
          <Input style={{ width: 260 }} />
        </Form.Item>
        <Form.Item name="secret" label={T.form.secret}>
          <Input.Password />
        </Form.Item>
        <Form.Item name="format" label={T.form.format}>
          <Select style={{ width: 110 }} options={['json', 'wecom', 'dingtalk'].map((f) => ({ value: f, label: f }))} />
        </Form.Item>
        <Button type="primary" htmlType="submit">
          {T.newRecipient}
        </Button>
      </Form>
      {recipients.error ? (
        <ProblemResult error={recipients.error} onRetry={recipients.reload} />
      ) : (
        <Table<RecipientRow>
          size="small"
          rowKey="id"
          loading={recipients.loading}
          dataSource={recipients.data ?? []}
          scroll={{ x: 900 }}
          columns={[
            { title: r.id, dataIndex: 'id', width: 70 },
            { title: r.scope, dataIndex: 'scope', render: scopeText },
            { title: r.kind, dataIndex: 'kind', render: (k: string) => T.kinds[k] ?? k },
            { title: r.address, dataIndex: 'address' },
            { title: r.format, dataIndex: 'format', render: (f: string | null) => f ?? '—' },
            { title: r.secret, dataIndex: 'hasSecret', render: (s: boolean) => (s ? T.yes : T.no) },
            {
              title: '',
              key: 'remove',
              render: (_, row) => (
                <Popconfirm
                  title={T.removeConfirm}
                  onConfirm={() => void act(() => removeRecipient(row.id), recipients.reload)}
                >
                  <Button size="small" danger>
                    {T.remove}
                  </Button>
                </Popconfirm>
              ),
            },
          ]}
        />
      )}
    </>
  );

  return (
    <div className="page" data-page="operations">
      <Typography.Title level={1} className="page-title">
        {system ? T.title : T.accountsTitle}
      </Typography.Title>
      <Tabs
        items={
          system
            ? [
                { key: 'queues', label: T.tabs.queues, children: queuesTab },
                { key: 'dead', label: T.tabs.deadLetters, children: deadTab },
                { key: 'recipients', label: T.tabs.recipients, children: recipientsTab },
              ]
            : [
                { key: 'users', label: T.tabs.users, children: usersTab },
                { key: 'clients', label: T.tabs.clients, children: clientsTab },
              ]
        }
      />
      <OneTimeSecret secret={secret} onClose={() => setSecret(null)} />
    </div>
  );
}
