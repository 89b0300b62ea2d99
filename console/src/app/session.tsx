// Who is signed in (GET /v1/session on start), sign in and out, and the page a user lands on for their scope.
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { SESSION_ENDED_EVENT } from '../services/client';
import {
  changePassword as postPassword,
  currentSession,
  login as postLogin,
  logout as deleteSession,
} from '../services/session';
import type { Session, SessionUser } from '../services/types';

export type Role = 'admin' | 'security' | 'auditor' | 'national' | 'province' | 'central' | 'university';

export interface SessionState {
  /** undefined while the first GET /v1/session is under way; null when nobody is signed in. */
  user: SessionUser | null | undefined;
  /** True when the last session ended by itself (timeout) rather than by logout. */
  expired: boolean;
  /** Set: nothing but a password change (or logout) until the password is changed; why: set by an admin, or too old. */
  passwordChange: Session['passwordChange'];
  login(name: string, password: string): Promise<SessionUser>;
  logout(): Promise<void>;
  changePassword(currentPassword: string, newPassword: string): Promise<void>;
}

const SessionContext = createContext<SessionState | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [user, setUser] = useState<SessionUser | null | undefined>(undefined);
  const [expired, setExpired] = useState(false);
  const [passwordChange, setPasswordChange] = useState<Session['passwordChange']>(null);

  useEffect(() => {
    currentSession().then(
      (s) => {
        setPasswordChange(s?.passwordChange ?? null);
        setUser(s?.user ?? null);
      },
      () => setUser(null),
    );
    const ended = () => {
      setUser((u) => {
        if (u) setExpired(true);
        return null;
      });
    };
    window.addEventListener(SESSION_ENDED_EVENT, ended);
    return () => window.removeEventListener(SESSION_ENDED_EVENT, ended);
  }, []);

  const login = useCallback(async (name: string, password: string) => {
    const s = await postLogin(name, password);
    setExpired(false);
    setPasswordChange(s.passwordChange);
    setUser(s.user);
    return s.user;
  }, []);

  const changePassword = useCallback(async (currentPassword: string, newPassword: string) => {
    const s = await postPassword(currentPassword, newPassword);
    setPasswordChange(s.passwordChange);
  }, []);

  const logout = useCallback(async () => {
    await deleteSession().catch(() => {});
    setExpired(false);
    setUser(null);
  }, []);

  const value = useMemo(
    () => ({ user, expired, passwordChange, login, logout, changePassword }),
    [user, expired, passwordChange, login, logout, changePassword],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionState {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside SessionProvider');
  return s;
}

export function roleOf(user: SessionUser): Role {
  if (['admin', 'security', 'auditor', 'national', 'central'].includes(user.scope)) return user.scope as Role;
  return user.scope.startsWith('province:') ? 'province' : 'university';
}

/**
 * The page of the user's scope: national and admin → the overview, a province (or 兵团) → its page, central → the
 * central ranking, a university → its page; the security administrator → accounts and keys, the auditor → the trail.
 */
export function landingPath(user: SessionUser): string {
  if (user.scope === 'central') return '/central';
  if (user.scope === 'security') return '/operations';
  if (user.scope === 'auditor') return '/audit';
  const [kind, code] = user.scope.split(':');
  if (kind === 'province') return `/provinces/${code}`;
  if (kind === 'university') return `/universities/${code}`;
  return '/overview';
}
