// 电子表格台账: the template, an upload (追加 or 整表: a dry run first, then the retractions confirmed with their
// count), and the answer row by row with the annotated copy. After an upload the page's figures are reloaded.
import { DownloadOutlined, UploadOutlined } from '@ant-design/icons';
import { Alert, App, Button, Radio, Space, Table, Tag, Typography, Upload } from 'antd';
import { useState } from 'react';
import { formatNumber } from '../../components/format';
import { useSession } from '../../app/session';
import { ApiError } from '../../services/client';
import {
  TEMPLATE_URL,
  uploadLedger,
  waitForLedger,
  type LedgerAnswer,
  type LedgerMode,
  type LedgerRowAnswer,
  type LedgerRowStatus,
} from '../../services/visit-ledgers';
import { SHEET } from './strings';

const COLOURS: Record<LedgerRowStatus, string> = {
  accepted: 'green',
  amended: 'blue',
  duplicate: 'default',
  invalid: 'red',
  unprocessable: 'orange',
};

interface LedgerSheetProps {
  campaignId: string;
  universityCode: string;
  onProcessed: () => void;
}

export function LedgerSheet({ campaignId, universityCode, onProcessed }: LedgerSheetProps) {
  const { user } = useSession();
  const ownAccount = user?.scope === `university:${universityCode}`;
  const { message, modal } = App.useApp();
  const [mode, setMode] = useState<LedgerMode>('append');
  const [busy, setBusy] = useState<string | null>(null);
  const [answer, setAnswer] = useState<LedgerAnswer | null>(null);
  const [refusal, setRefusal] = useState<string | null>(null);

  const handIn = async (file: File) => {
    setBusy(file.name);
    setAnswer(null);
    setRefusal(null);
    try {
      const base = { file, universityCode, campaignId, mode };
      let confirm: number | undefined;
      if (mode === 'whole') {
        const preview = await uploadLedger({ ...base, dryRun: true });
        const n = preview.summary.retracted;
        setAnswer(preview);
        if (n > 0) {
          const n$ = formatNumber(n);
          const agreed = await modal.confirm({
            title: SHEET.confirmTitle,
            content: SHEET.confirmText(n$),
            okText: SHEET.confirmOk(n$),
            okButtonProps: { danger: true },
            cancelText: SHEET.cancel,
          });
          if (!agreed) {
            setAnswer(preview);
            void message.info(SHEET.cancelled);
            return;
          }
          confirm = n;
        }
      }
      const done = await uploadLedger({ ...base, confirm });
      setAnswer(done);
      await waitForLedger(done);
      if (done.summary.accepted + done.summary.amended + done.summary.retracted > 0) {
        void message.success(ownAccount ? SHEET.processed : SHEET.processedFor(user?.name ?? ''));
      }
      onProcessed();
    } catch (err) {
      const e = err instanceof ApiError ? err : new ApiError(0, '', String(err));
      setRefusal(SHEET.refused(e.status, e.detail || e.title));
    } finally {
      setBusy(null);
    }
  };

  const s = answer?.summary;
  return (
    <div data-testid="ledger-sheet">
      <Typography.Paragraph type="secondary">{SHEET.hint}</Typography.Paragraph>
      <Space wrap size="middle">
        <Button icon={<DownloadOutlined />} href={TEMPLATE_URL} download data-testid="ledger-template">
          {SHEET.template}
        </Button>
        <Radio.Group
          aria-label={SHEET.mode}
          optionType="button"
          value={mode}
          onChange={(e) => setMode(e.target.value as LedgerMode)}
          disabled={busy !== null}
          options={[
            { value: 'append', label: SHEET.modes.append },
            { value: 'whole', label: SHEET.modes.whole },
          ]}
        />
        <Upload
          accept=".xlsx,.csv"
          maxCount={1}
          showUploadList={false}
          disabled={busy !== null}
          beforeUpload={(file) => {
            void handIn(file);
            return false;
          }}
        >
          <Button type="primary" icon={<UploadOutlined />} loading={busy !== null} data-testid="ledger-upload">
            {SHEET.upload}
          </Button>
        </Upload>
      </Space>
      <Typography.Paragraph type="secondary" className="ledger-mode-help" style={{ marginTop: 8 }}>
        {SHEET.modeHelp[mode]}
      </Typography.Paragraph>
      {busy ? <Alert type="info" showIcon title={SHEET.reading(busy)} /> : null}
      {refusal ? <Alert type="error" showIcon title={refusal} data-testid="ledger-refusal" /> : null}
      {answer && s ? (
        <>
          <Space wrap style={{ marginBottom: 8 }}>
            <span data-testid="ledger-summary">
              {SHEET.summary({
                file: s.file,
                rows: formatNumber(s.rows),
                accepted: formatNumber(s.accepted),
                amended: formatNumber(s.amended),
                duplicate: formatNumber(s.duplicate),
                invalid: formatNumber(s.invalid),
                unprocessable: formatNumber(s.unprocessable),
              })}
              {s.mode === 'whole' ? SHEET.retracted(formatNumber(s.retracted)) : ''}
              {s.dryRun ? SHEET.dryRun : ''}
            </span>
            {answer.annotated ? (
              <a href={answer.annotated} download data-testid="ledger-annotated">
                <DownloadOutlined /> {SHEET.annotated}
              </a>
            ) : null}
          </Space>
          <Table<LedgerRowAnswer>
            size="small"
            rowKey="row"
            dataSource={answer.rows}
            pagination={{ pageSize: 20, hideOnSinglePage: true, showSizeChanger: false }}
            scroll={{ x: 600 }}
            data-testid="ledger-rows"
            columns={[
              { title: SHEET.columns.row, dataIndex: 'row', width: 72, align: 'right' },
              { title: SHEET.columns.ref, dataIndex: 'ref', width: 160 },
              {
                title: SHEET.columns.status,
                dataIndex: 'status',
                width: 100,
                render: (st: LedgerRowStatus) => (
                  <Tag color={COLOURS[st]} data-status={st}>
                    {SHEET.status[st]}
                  </Tag>
                ),
              },
              {
                title: SHEET.columns.errors,
                dataIndex: 'errors',
                render: (errors: LedgerRowAnswer['errors']) =>
                  errors?.length ? (
                    <ul className="ledger-errors" style={{ margin: 0, paddingInlineStart: 16 }}>
                      {errors.map((e, i) => (
                        <li key={i}>
                          <span className="ledger-error-column">
                            {SHEET.errorColumn} {e.column}
                            {e.cell ? `（${e.cell}）` : ''}
                          </span>
                          ：<span className="ledger-error-message">{e.message}</span>
                        </li>
                      ))}
                    </ul>
                  ) : null,
              },
            ]}
          />
        </>
      ) : null}
    </div>
  );
}
