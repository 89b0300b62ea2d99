// A key or password shown once, right after the API generated it, with copying made easy.
import { Alert, Modal, Typography } from 'antd';
import { T } from './strings';

export function OneTimeSecret({
  secret,
  onClose,
}: {
  /** `note`: what else the reader must know (a temporary password's end). */
  secret: { label: string; value: string; note?: string } | null;
  onClose: () => void;
}) {
  return (
    <Modal
      open={secret !== null}
      title={secret?.label}
      onOk={onClose}
      onCancel={onClose}
      okText={T.done}
      cancelButtonProps={{ style: { display: 'none' } }}
    >
      <Alert type="warning" showIcon title={T.keyOnce} />
      {secret?.note ? <Typography.Paragraph className="secret-note">{secret.note}</Typography.Paragraph> : null}
      <Typography.Paragraph copyable code className="secret" data-testid="one-time-secret">
        {secret?.value}
      </Typography.Paragraph>
    </Modal>
  );
}
