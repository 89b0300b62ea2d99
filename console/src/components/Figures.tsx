// Headline figures: a row of cards, each a label and a value the API returned (formatted, never computed).
import { Card, Col, Row } from 'antd';
import type { ReactNode } from 'react';

export interface Figure {
  key: string;
  label: string;
  value: ReactNode;
  hint?: ReactNode;
}

export function Figures({ items }: { items: Figure[] }) {
  return (
    <Row gutter={[12, 12]} className="figures">
      {items.map((f) => (
        <Col key={f.key} xs={12} md={8} xl={24 / Math.min(items.length, 6)}>
          <Card size="small" className="figure" data-figure={f.key}>
            <div className="figure-label">{f.label}</div>
            <div className="figure-value">{f.value}</div>
            {f.hint ? <div className="figure-hint">{f.hint}</div> : null}
          </Card>
        </Col>
      ))}
    </Row>
  );
}
