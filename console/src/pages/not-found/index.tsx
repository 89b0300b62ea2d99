// Any other path under /console/.
import { ProblemResult } from '../../components/ProblemResult';
import { ApiError } from '../../services/client';

export default function NotFoundPage() {
  return <ProblemResult error={new ApiError(404, '未找到', '没有这个页面。')} />;
}
