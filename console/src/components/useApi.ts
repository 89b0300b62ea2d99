// Pages fetch through this hook: the answer, the error (an ApiError) and a reload, with stale answers dropped when
// the inputs change before the previous call returned.
import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError } from '../services/client';

export interface ApiState<T> {
  data: T | undefined;
  error: ApiError | undefined;
  loading: boolean;
  reload: () => void;
}

export function useApi<T>(load: () => Promise<T>, deps: ReadonlyArray<unknown>): ApiState<T> {
  const [state, setState] = useState<{ data?: T; error?: ApiError; loading: boolean }>({ loading: true });
  const [tick, setTick] = useState(0);
  const call = useRef(0);
  useEffect(() => {
    const mine = ++call.current;
    setState((s) => ({ data: s.data, loading: true }));
    load().then(
      (data) => {
        if (mine === call.current) setState({ data, loading: false });
      },
      (err: unknown) => {
        if (mine !== call.current) return;
        const error = err instanceof ApiError ? err : new ApiError(0, '错误', String(err));
        setState({ error, loading: false });
      },
    );
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data: state.data, error: state.error, loading: state.loading, reload };
}
