// Routes under /console/: the login page, and the signed-in pages inside the shell, each loaded on demand.
import { Spin } from 'antd';
import { lazy, Suspense, type ReactNode } from 'react';
import { BrowserRouter, Navigate, Route, Routes, useLocation } from 'react-router';
import { CampaignProvider } from './campaign';
import { landingPath, roleOf, SessionProvider, useSession, type Role } from './session';
import { Shell } from './Shell';
import { SHELL } from './strings';

const Login = lazy(() => import('../pages/login'));
const Overview = lazy(() => import('../pages/overview'));
const Province = lazy(() => import('../pages/province'));
const Central = lazy(() => import('../pages/central'));
const University = lazy(() => import('../pages/university'));
const Employers = lazy(() => import('../pages/employers'));
const Notices = lazy(() => import('../pages/notices'));
const Operations = lazy(() => import('../pages/operations'));
const NotFound = lazy(() => import('../pages/not-found'));
const Password = lazy(() => import('../pages/password'));
const Audit = lazy(() => import('../pages/audit'));

const loading = <Spin className="page-loading" tip={SHELL.loading} fullscreen />;

/** Signed-in pages: without a session, the login page (and back here after it). */
function RequireSession({ children }: { children: ReactNode }) {
  const { user, passwordChange } = useSession();
  const location = useLocation();
  if (user === undefined) return loading;
  if (user === null) return <Navigate to="/login" replace state={{ from: location.pathname + location.search }} />;
  // The API refuses everything else until the password is changed: the change is the only page.
  if (passwordChange) return <Password forced />;
  return <CampaignProvider>{children}</CampaignProvider>;
}

/**
 * Pages of some roles only. Others see the API's own 403 on the pages it guards; these pages are made of admin (or
 * national) calls alone, so the console does not offer them at all.
 */
function RequireRole({ roles, children }: { roles: Role[]; children: ReactNode }) {
  const { user } = useSession();
  if (!user || !roles.includes(roleOf(user))) return <Navigate to="/" replace />;
  return children;
}

function Landing() {
  const { user } = useSession();
  return user ? <Navigate to={landingPath(user)} replace /> : null;
}

export function App() {
  return (
    <BrowserRouter basename="/console">
      <SessionProvider>
        <Suspense fallback={loading}>
          <Routes>
            <Route path="/login" element={<Login />} />
            <Route
              element={
                <RequireSession>
                  <Shell />
                </RequireSession>
              }
            >
              <Route index element={<Landing />} />
              <Route path="/overview" element={<Overview />} />
              <Route path="/provinces/:code" element={<Province />} />
              <Route
                path="/central"
                element={
                  <RequireRole roles={['admin', 'national', 'central']}>
                    <Central />
                  </RequireRole>
                }
              />
              <Route path="/universities/:code" element={<University />} />
              <Route
                path="/employers"
                element={
                  <RequireRole roles={['admin']}>
                    <Employers />
                  </RequireRole>
                }
              />
              <Route path="/notices" element={<Notices />} />
              <Route path="/password" element={<Password />} />
              <Route
                path="/audit"
                element={
                  <RequireRole roles={['auditor']}>
                    <Audit />
                  </RequireRole>
                }
              />
              <Route
                path="/operations"
                element={
                  <RequireRole roles={['admin', 'security']}>
                    <Operations />
                  </RequireRole>
                }
              />
              <Route path="*" element={<NotFound />} />
            </Route>
          </Routes>
        </Suspense>
      </SessionProvider>
    </BrowserRouter>
  );
}
