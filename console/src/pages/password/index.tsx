// 修改密码: the signed-in person changes their own password (POST /v1/session/password). Forced (in place of every
// page) while the session says the password must be changed: set by an administrator, or older than allowed.
import { Alert, App as AntApp, Button, Card, Form, Input, Typography } from 'antd';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { landingPath, useSession } from '../../app/session';
import { ApiError } from '../../services/client';
import { T } from './strings';

interface Values {
  current: string;
  next: string;
  confirm: string;
}

export default function PasswordPage({ forced = false }: { forced?: boolean }) {
  const { user, passwordChange, changePassword, logout } = useSession();
  const { message } = AntApp.useApp();
  const navigate = useNavigate();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [form] = Form.useForm<Values>();

  const submit = async (values: Values) => {
    setBusy(true);
    setError(null);
    try {
      await changePassword(values.current, values.next);
      form.resetFields();
      void message.success(T.done);
      if (forced && user) void navigate(landingPath(user), { replace: true });
    } catch (err) {
      const e = err instanceof ApiError ? err : new ApiError(0, '', String(err));
      setError(
        e.status === 403
          ? T.wrongCurrent
          : e.status === 422 || e.status === 400
            ? T.refused + (e.errors.map((x) => x.message.split(' / ')[0]).join('；') || e.detail)
            : T.failed + (e.detail || e.title),
      );
    } finally {
      setBusy(false);
    }
  };

  const body = (
    <>
      <Typography.Title level={1} className={forced ? 'login-heading' : 'page-title'}>
        {T.title}
      </Typography.Title>
      {forced ? (
        <Alert
          type="warning"
          showIcon
          className="login-alert"
          title={passwordChange === 'expired' ? T.forcedExpired : T.forcedTemporary}
        />
      ) : null}
      <Typography.Paragraph className="hint">{T.intro}</Typography.Paragraph>
      {error ? <Alert type="error" showIcon title={error} className="login-alert" role="alert" /> : null}
      <Form<Values> form={form} layout="vertical" onFinish={(v) => void submit(v)} requiredMark={false}>
        {/* The name, for password managers: they file the new password under it. */}
        <input type="text" autoComplete="username" value={user?.name ?? ''} readOnly hidden />
        <Form.Item label={T.current} name="current" rules={[{ required: true, message: T.currentRequired }]}>
          <Input.Password autoComplete="current-password" />
        </Form.Item>
        <Form.Item label={T.next} name="next" rules={[{ required: true, message: T.nextRequired }]}>
          <Input.Password autoComplete="new-password" />
        </Form.Item>
        <Form.Item
          label={T.confirm}
          name="confirm"
          dependencies={['next']}
          rules={[
            { required: true, message: T.confirmRequired },
            ({ getFieldValue }) => ({
              validator: (_, v) =>
                !v || v === getFieldValue('next') ? Promise.resolve() : Promise.reject(new Error(T.mismatch)),
            }),
          ]}
        >
          <Input.Password autoComplete="new-password" />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={busy} block={forced}>
          {T.submit}
        </Button>
      </Form>
      {forced ? (
        <Button type="link" className="login-footer" onClick={() => void logout().then(() => navigate('/login'))}>
          {T.logout}
        </Button>
      ) : null}
    </>
  );

  return forced ? (
    <main className="login-page" data-page="password">
      <Card className="login-card">{body}</Card>
    </main>
  ) : (
    <div className="page password-page" data-page="password">
      {body}
    </div>
  );
}
