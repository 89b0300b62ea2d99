// The visit form (new or amend): posts one event to POST /v1/visit-events, shows the API's answer as it is (accepted,
// duplicate, or the refusal with its field errors on the fields), then follows the event until the workers have
// processed it and tells the page to reload its figures.
import { MinusCircleOutlined, PlusOutlined } from '@ant-design/icons';
import {
  Alert,
  Button,
  Checkbox,
  Col,
  DatePicker,
  Form,
  Input,
  InputNumber,
  Modal,
  Radio,
  Row,
  Select,
  Space,
} from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useEffect, useState } from 'react';
import { useSession } from '../../app/session';
import { ApiError } from '../../services/client';
import type { Campaign, PlaceKind, StaffRole, VisitRow } from '../../services/types';
import { submitVisitEvent, waitForProcessing } from '../../services/universities';
import { FORM, MODES, PLACE_KINDS, ROLES, STAFF_ROLES, T } from './strings';
import { formValuesOf, newEventId, newVisitRef, visitEvent, type VisitFormValues } from './visit-events';

export interface Answer {
  type: 'info' | 'success' | 'warning' | 'error';
  text: string;
  errors?: string[];
}

type FormShape = Omit<VisitFormValues, 'visitedOn'> & { visitedOn: Dayjs };

export interface VisitFormProps {
  open: boolean;
  campaign: Campaign;
  universityCode: string;
  today: string;
  /** The visit to amend; absent for a new one. */
  amends?: VisitRow;
  onClose: () => void;
  /** After the workers processed (or rejected) the event. */
  onProcessed: () => void;
}

/** The API's answer to a refused event, as words, with its field errors on the form's fields. */
export function refusalOf(err: unknown): Answer {
  const e = err instanceof ApiError ? err : new ApiError(0, '', String(err));
  const errors = e.errors.map((x) => {
    const field = Object.entries(FORM.fieldNames).find(([p]) => x.path.startsWith(p))?.[1];
    return `${field ?? x.path}：${x.message}`;
  });
  return { type: 'error', text: T.answer.refused(e.status, e.detail || e.title), errors };
}

export function VisitForm({ open, campaign, universityCode, today, amends, onClose, onProcessed }: VisitFormProps) {
  const { user } = useSession();
  // Someone else's account writing for the university (代录) is told so, not that "its own" data changed.
  const ownAccount = user?.scope === `university:${universityCode}`;
  const [form] = Form.useForm<FormShape>();
  const [eventId, setEventId] = useState(newEventId);
  const [busy, setBusy] = useState(false);
  const [answer, setAnswer] = useState<Answer | null>(null);

  useEffect(() => {
    if (!open) return;
    setEventId(newEventId());
    setAnswer(null);
    const initial = amends
      ? formValuesOf(amends)
      : {
          ref: newVisitRef(today),
          visitedOn: today,
          mode: 'onsite' as const,
          leaders: [{ role: 'secretary' as const, name: '' }],
          staff: [],
          majors: [],
          employerName: '',
        };
    form.resetFields();
    form.setFieldsValue({ ...initial, visitedOn: dayjs(initial.visitedOn) });
  }, [open, amends, today, form]);

  const submit = async (shape: FormShape) => {
    setBusy(true);
    setAnswer(null);
    const values: VisitFormValues = { ...shape, visitedOn: shape.visitedOn.format('YYYY-MM-DD') };
    const event = visitEvent(values, { eventId, campaignId: campaign.id, universityCode, amends });
    try {
      const res = await submitVisitEvent(event);
      if (res.status === 'duplicate') {
        setAnswer({ type: 'warning', text: T.answer.duplicate(res.eventId) });
        return;
      }
      setAnswer({ type: 'info', text: T.answer.accepted(res.eventId) });
      const done = await waitForProcessing(res.eventId);
      if (done.status === 'processed')
        setAnswer({ type: 'success', text: ownAccount ? T.answer.processed : T.answer.processedFor(user?.name ?? '') });
      else if (done.status === 'rejected') setAnswer({ type: 'error', text: T.answer.rejected(done.error ?? '') });
      else setAnswer({ type: 'warning', text: T.answer.pending });
      setEventId(newEventId()); // this event is stored: the next submission is another one
      onProcessed();
    } catch (err) {
      setAnswer(refusalOf(err));
    } finally {
      setBusy(false);
    }
  };

  const inWindow = (d: Dayjs) => d.isBefore(dayjs(campaign.start)) || d.isAfter(dayjs(campaign.end));

  return (
    <Modal
      open={open}
      title={amends ? FORM.titleAmend(amends.ref) : FORM.titleNew}
      onCancel={onClose}
      width={760}
      destroyOnHidden
      footer={[
        <Button key="cancel" onClick={onClose}>
          {FORM.cancel}
        </Button>,
        <Button key="submit" type="primary" loading={busy} onClick={() => form.submit()} data-testid="visit-submit">
          {FORM.submit}
        </Button>,
      ]}
    >
      <Form<FormShape> form={form} layout="vertical" onFinish={(v) => void submit(v)} name="visit" requiredMark>
        <Row gutter={12}>
          <Col xs={24} md={8}>
            <Form.Item
              label={FORM.ref}
              name="ref"
              tooltip={FORM.refHelp}
              rules={[{ required: true, whitespace: true, max: 128, message: FORM.required(FORM.ref) }]}
            >
              <Input disabled={!!amends} />
            </Form.Item>
          </Col>
          <Col xs={24} md={8}>
            <Form.Item
              label={FORM.visitedOn}
              name="visitedOn"
              rules={[{ required: true, message: FORM.required(FORM.visitedOn) }]}
            >
              <DatePicker format="YYYY年M月D日" disabledDate={inWindow} style={{ width: '100%' }} allowClear={false} />
            </Form.Item>
          </Col>
          <Col xs={24} md={8}>
            <Form.Item label={FORM.mode} name="mode" rules={[{ required: true }]}>
              <Radio.Group
                options={(Object.keys(MODES) as Array<keyof typeof MODES>).map((m) => ({ value: m, label: MODES[m] }))}
              />
            </Form.Item>
          </Col>
        </Row>
        <Form.List
          name="leaders"
          rules={[
            {
              // The API's rule: at least one leader, or staff alone (a staff-only visit).
              validator: async (_, leaders?: unknown[]) => {
                const staff = (form.getFieldValue('staff') as unknown[] | undefined) ?? [];
                if (!leaders?.length && !staff.length) throw new Error(FORM.leadersOrStaff);
              },
            },
          ]}
        >
          {(fields, { add, remove }, { errors }) => (
            <fieldset className="leaders">
              <legend>{FORM.leaders}</legend>
              <div className="hint">{FORM.leadersHint}</div>
              {fields.map((field, i) => (
                <Space key={field.key} align="baseline" wrap>
                  <Form.Item name={[field.name, 'role']} rules={[{ required: true }]} label={`${FORM.role} ${i + 1}`}>
                    <Select
                      style={{ width: 140 }}
                      options={(Object.keys(ROLES) as Array<keyof typeof ROLES>).map((r) => ({
                        value: r,
                        label: ROLES[r],
                      }))}
                    />
                  </Form.Item>
                  <Form.Item
                    name={[field.name, 'name']}
                    rules={[{ required: true, whitespace: true, max: 100, message: FORM.required(FORM.name) }]}
                    label={`${FORM.name} ${i + 1}`}
                  >
                    <Input style={{ width: 180 }} />
                  </Form.Item>
                  <Button
                    type="text"
                    icon={<MinusCircleOutlined />}
                    aria-label={`${FORM.removeLeader} ${i + 1}`}
                    onClick={() => remove(field.name)}
                  />
                </Space>
              ))}
              {fields.length < 20 ? (
                <Button type="dashed" icon={<PlusOutlined />} onClick={() => add({ role: 'leader', name: '' })}>
                  {FORM.addLeader}
                </Button>
              ) : null}
              <Form.ErrorList errors={errors} />
            </fieldset>
          )}
        </Form.List>
        <Form.List name="staff">
          {(fields, { add, remove }) => (
            <fieldset className="leaders">
              <legend>{FORM.staff}</legend>
              {fields.map((field, i) => (
                <Space key={field.key} align="baseline" wrap>
                  <Form.Item
                    name={[field.name, 'role']}
                    rules={[{ required: true }]}
                    label={`${FORM.staffRole} ${i + 1}`}
                  >
                    <Select<StaffRole>
                      style={{ width: 140 }}
                      options={(Object.keys(STAFF_ROLES) as StaffRole[]).map((r) => ({
                        value: r,
                        label: STAFF_ROLES[r],
                      }))}
                    />
                  </Form.Item>
                  <Form.Item name={[field.name, 'name']} rules={[{ max: 100 }]} label={`${FORM.staffName} ${i + 1}`}>
                    <Input style={{ width: 180 }} placeholder={FORM.optional} />
                  </Form.Item>
                  <Button
                    type="text"
                    icon={<MinusCircleOutlined />}
                    aria-label={`${FORM.removeStaff} ${i + 1}`}
                    onClick={() => {
                      remove(field.name);
                      void form.validateFields([['leaders']]).catch(() => {});
                    }}
                  />
                </Space>
              ))}
              {fields.length < 50 ? (
                <Button
                  type="dashed"
                  icon={<PlusOutlined />}
                  onClick={() => {
                    add({ role: 'teacher', name: '' });
                    void form.validateFields([['leaders']]).catch(() => {});
                  }}
                  data-testid="add-staff"
                >
                  {FORM.addStaff}
                </Button>
              ) : null}
            </fieldset>
          )}
        </Form.List>
        <Row gutter={12}>
          <Col xs={24} md={12}>
            <Form.Item
              label={FORM.employer}
              name="employerName"
              rules={[{ required: true, whitespace: true, max: 200, message: FORM.required(FORM.employer) }]}
            >
              <Input />
            </Form.Item>
          </Col>
          <Col xs={24} md={7}>
            <Form.Item label={FORM.creditCode} name="creditCode" rules={[{ max: 40 }]}>
              <Input />
            </Form.Item>
          </Col>
          <Col xs={24} md={5}>
            <Form.Item
              label={FORM.regionCode}
              name="regionCode"
              rules={[{ pattern: /^\d{6}$/, message: FORM.regionCode }]}
            >
              <Input inputMode="numeric" />
            </Form.Item>
          </Col>
        </Row>
        <Row gutter={12}>
          <Col xs={12} md={6}>
            <Form.Item label={FORM.positions} name="positions">
              <InputNumber min={0} max={1_000_000} precision={0} style={{ width: '100%' }} />
            </Form.Item>
          </Col>
          <Col xs={12} md={6}>
            <Form.Item label={FORM.placeKind} name="placeKind">
              <Select<PlaceKind>
                allowClear
                placeholder={FORM.placeKindNone}
                options={(Object.keys(PLACE_KINDS) as PlaceKind[]).map((k) => ({ value: k, label: PLACE_KINDS[k] }))}
              />
            </Form.Item>
          </Col>
          <Col xs={12} md={6}>
            <Form.Item label={FORM.newPositions} name="newPositions" tooltip={FORM.newPositionsHelp}>
              <InputNumber min={0} max={1_000_000} precision={0} style={{ width: '100%' }} />
            </Form.Item>
          </Col>
          <Col xs={12} md={6}>
            <Form.Item label={FORM.hired} name="hired">
              <InputNumber min={0} max={1_000_000} precision={0} style={{ width: '100%' }} />
            </Form.Item>
          </Col>
          <Col xs={12} md={6}>
            <Form.Item label={FORM.graduatesTracked} name="graduatesTracked">
              <InputNumber min={0} max={1_000_000} precision={0} style={{ width: '100%' }} />
            </Form.Item>
          </Col>
          <Col xs={12} md={6}>
            <Form.Item label={FORM.satisfaction} name="satisfaction">
              <Select
                allowClear
                placeholder={FORM.satisfactionNone}
                options={[5, 4, 3, 2, 1].map((n) => ({ value: n, label: `${n}` }))}
              />
            </Form.Item>
          </Col>
        </Row>
        <Space wrap size={[16, 0]}>
          <Form.Item name="internshipBase" valuePropName="checked">
            <Checkbox>{FORM.internshipBase}</Checkbox>
          </Form.Item>
          <Form.Item name="recruitmentInvite" valuePropName="checked">
            <Checkbox>{FORM.recruitmentInvite}</Checkbox>
          </Form.Item>
          <Form.Item name="demandSurvey" valuePropName="checked">
            <Checkbox>{FORM.demandSurvey}</Checkbox>
          </Form.Item>
        </Space>
        <Form.Item label={FORM.majors} name="majors" tooltip={FORM.majorsHelp}>
          <Select<string[]> mode="tags" open={false} tokenSeparators={[',', '，', '、', ';', '；']} suffixIcon={null} />
        </Form.Item>
        <Form.Item label={FORM.notes} name="notes" rules={[{ max: 2000 }]}>
          <Input.TextArea rows={2} />
        </Form.Item>
      </Form>
      {answer ? (
        <Alert
          type={answer.type}
          showIcon
          role="status"
          data-testid="visit-answer"
          data-answer={answer.type}
          title={answer.text}
          description={
            answer.errors?.length ? (
              <ul>
                {answer.errors.map((e) => (
                  <li key={e}>{e}</li>
                ))}
              </ul>
            ) : undefined
          }
        />
      ) : null}
    </Modal>
  );
}
