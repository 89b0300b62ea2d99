// A decision that needs a reason (confirm, reject, merge, split): a modal with the reason, and extra fields when the
// decision needs them (merge: the employer to merge into).
import { Alert, Form, Input, InputNumber, Modal } from 'antd';
import { useEffect, useState } from 'react';
import { T } from './strings';

export interface ReasonRequest {
  title: string;
  defaultReason?: string;
  /** Ask for the id of the employer to merge into. */
  askInto?: boolean;
  run: (values: { reason: string; into?: number }) => Promise<void>;
}

export function ReasonModal({ request, onClose }: { request: ReasonRequest | null; onClose: () => void }) {
  const [form] = Form.useForm<{ reason: string; into?: number }>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (!request) return;
    setError(null);
    form.resetFields();
    form.setFieldsValue({ reason: request.defaultReason ?? '' });
  }, [request, form]);

  const finish = async (values: { reason: string; into?: number }) => {
    if (!request) return;
    setBusy(true);
    setError(null);
    try {
      await request.run(values);
      onClose();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      open={request !== null}
      title={request?.title}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={T.submit}
      confirmLoading={busy}
      forceRender
      // Above the employer drawer it is opened from (merge, split): both sit at antd's default z-index, and the modal,
      // rendered first, would otherwise lie under the drawer with its buttons out of reach.
      zIndex={1100}
    >
      <Form form={form} layout="vertical" onFinish={(v) => void finish(v)} name="decision">
        {request?.askInto ? (
          <Form.Item label={T.mergeInto} name="into" rules={[{ required: true, message: T.mergeInto }]}>
            <InputNumber min={1} precision={0} style={{ width: '100%' }} />
          </Form.Item>
        ) : null}
        <Form.Item
          label={T.reason}
          name="reason"
          rules={[{ required: true, whitespace: true, max: 2000, message: T.reasonRequired }]}
        >
          <Input.TextArea rows={2} />
        </Form.Item>
      </Form>
      {error ? <Alert type="error" showIcon title={error} role="alert" /> : null}
    </Modal>
  );
}
