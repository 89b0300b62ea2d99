// The console's entry: Ant Design in Simplified Chinese (zh_CN, dayjs zh-cn), a theme whose colours keep text
// readable (WCAG AA contrast), and the app.
import { App as AntApp, ConfigProvider } from 'antd';
import zhCN from 'antd/locale/zh_CN';
import dayjs from 'dayjs';
import 'dayjs/locale/zh-cn';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App';
import { prefersReducedMotion } from './components/motion';
import './styles.css';

dayjs.locale('zh-cn');

const theme = {
  token: {
    motion: !prefersReducedMotion(),
    // antd's default blue (#1677ff) and its grey secondary text fall short of 4.5:1 on white; these do not.
    colorPrimary: '#0b57d0',
    colorLink: '#0b57d0',
    colorError: '#c62828',
    colorTextDescription: 'rgba(0, 0, 0, 0.65)',
    colorTextTertiary: 'rgba(0, 0, 0, 0.65)',
    colorTextPlaceholder: 'rgba(0, 0, 0, 0.55)',
    fontFamily:
      "-apple-system, BlinkMacSystemFont, 'PingFang SC', 'Microsoft YaHei', 'Noto Sans CJK SC', 'Noto Sans SC', 'Source Han Sans SC', sans-serif",
  },
};

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <ConfigProvider locale={zhCN} theme={theme}>
      <AntApp>
        <App />
      </AntApp>
    </ConfigProvider>
  </StrictMode>,
);
