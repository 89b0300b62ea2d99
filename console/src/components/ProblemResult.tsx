// What a page shows when the API refused it: 403 (another province's page, say), 404, or any other error, with the
// API's own detail beneath.
import { Button, Result } from 'antd';
import { Link } from 'react-router';
import type { ApiError } from '../services/client';

const TEXT = {
  forbidden: '无权访问',
  forbiddenHint: '您的账号无权查看此页面。',
  notFound: '未找到',
  notFoundHint: '您要查看的内容不存在。',
  failed: '加载失败',
  retry: '重试',
  home: '返回首页',
};

export function ProblemResult({ error, onRetry }: { error: ApiError; onRetry?: () => void }) {
  const home = (
    <Link key="home" to="/">
      <Button type="primary">{TEXT.home}</Button>
    </Link>
  );
  if (error.status === 403)
    return (
      <Result
        status="403"
        title={`403 ${TEXT.forbidden}`}
        subTitle={TEXT.forbiddenHint}
        extra={home}
        data-testid="forbidden"
      >
        <p className="problem-detail">{error.detail}</p>
      </Result>
    );
  if (error.status === 404)
    return (
      <Result status="404" title={`404 ${TEXT.notFound}`} subTitle={error.detail || TEXT.notFoundHint} extra={home} />
    );
  return (
    <Result
      status="error"
      title={TEXT.failed}
      subTitle={error.detail || error.title}
      extra={[
        onRetry ? (
          <Button key="retry" onClick={onRetry}>
            {TEXT.retry}
          </Button>
        ) : null,
        home,
      ]}
    />
  );
}
