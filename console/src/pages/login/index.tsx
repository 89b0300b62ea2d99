// 登录: name and password → POST /v1/session → the page of the user's scope (or the page that sent them here).
import { Alert, Button, Card, Form, Input, Typography } from 'antd';
import { useState } from 'react';
import { Navigate, useLocation, useNavigate } from 'react-router';
import { landingPath, useSession } from '../../app/session';
import { ApiError } from '../../services/client';
import { T } from './strings';

export default function LoginPage() {
  const { user, expired, login } = useSession();
  const navigate = useNavigate();
  const location = useLocation();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const from = (location.state as { from?: string } | null)?.from;

  if (user) return <Navigate to={from ?? landingPath(user)} replace />;

  const submit = async (values: { name: string; password: string }) => {
    setBusy(true);
    setError(null);
    try {
      const u = await login(values.name, values.password);
      void navigate(from ?? landingPath(u), { replace: true });
    } catch (err) {
      const e = err instanceof ApiError ? err : new ApiError(0, '', String(err));
      setError(
        e.status === 401 ? T.wrong : e.status === 429 ? T.tooMany(e.retryAfter) : T.failed + (e.detail || e.title),
      );
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="login-page">
      <Card className="login-card">
        <Typography.Title level={1} className="login-title">
          {T.title}
        </Typography.Title>
        <Typography.Paragraph className="login-subtitle">{T.subtitle}</Typography.Paragraph>
        <Typography.Title level={2} className="login-heading">
          {T.heading}
        </Typography.Title>
        {expired ? <Alert type="info" showIcon title={T.expired} className="login-alert" /> : null}
        {error ? <Alert type="error" showIcon title={error} className="login-alert" role="alert" /> : null}
        <Form
          layout="vertical"
          onFinish={(v: { name: string; password: string }) => void submit(v)}
          requiredMark={false}
        >
          <Form.Item label={T.name} name="name" rules={[{ required: true, message: T.nameRequired }]}>
            <Input autoComplete="username" autoFocus size="large" />
          </Form.Item>
          <Form.Item label={T.password} name="password" rules={[{ required: true, message: T.passwordRequired }]}>
            <Input.Password autoComplete="current-password" size="large" />
          </Form.Item>
          <Button type="primary" htmlType="submit" block size="large" loading={busy}>
            {T.submit}
          </Button>
        </Form>
        <Typography.Paragraph className="login-footer">{T.footer}</Typography.Paragraph>
      </Card>
    </main>
  );
}
