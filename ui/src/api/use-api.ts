// Runs an API call whenever its key changes, cancelling the previous one.
// `slow` turns true once a call has taken over a second, so pages show a
// loading indicator only for queries people actually wait on; `stale` says
// the data shown answers an earlier key (pages dim it).

import { useEffect, useState, useCallback } from 'preact/hooks';

export const SLOW_QUERY_MS = 1000;

export interface ApiState<T> {
  data: T | undefined;
  error: Error | undefined;
  loading: boolean;
  /** loading for more than SLOW_QUERY_MS */
  slow: boolean;
  /** `data` answers another key than the current one, or a reload is running */
  stale: boolean;
  reload: () => void;
}

interface Held<T> {
  data: T | undefined;
  /** the key `data` answers */
  dataKey: string | undefined;
  error: Error | undefined;
  loading: boolean;
  slow: boolean;
}

/** `key` identifies the call (e.g. its URL); undefined skips it. */
export function useApi<T>(key: string | undefined, call: (signal: AbortSignal) => Promise<T>): ApiState<T> {
  const [state, setState] = useState<Held<T>>({ data: undefined, dataKey: undefined, error: undefined, loading: key !== undefined, slow: false });
  const [generation, setGeneration] = useState(0);
  const reload = useCallback(() => setGeneration((g) => g + 1), []);

  useEffect(() => {
    if (key === undefined) {
      setState({ data: undefined, dataKey: undefined, error: undefined, loading: false, slow: false });
      return undefined;
    }
    const abort = new AbortController();
    setState((s) => ({ ...s, loading: true, slow: false, error: undefined }));
    const slowTimer = setTimeout(() => setState((s) => (s.loading ? { ...s, slow: true } : s)), SLOW_QUERY_MS);
    call(abort.signal).then(
      (data) => {
        if (!abort.signal.aborted) setState({ data, dataKey: key, error: undefined, loading: false, slow: false });
      },
      (error: Error) => {
        if (!abort.signal.aborted) setState((s) => ({ ...s, error, loading: false, slow: false }));
      },
    );
    return () => {
      clearTimeout(slowTimer);
      abort.abort();
    };
    // `call` is recreated each render; the key says when it means something new.
  }, [key, generation]);

  const { dataKey, ...rest } = state;
  return { ...rest, stale: state.loading || (state.data !== undefined && dataKey !== key), reload };
}
