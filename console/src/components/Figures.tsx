// Headline figures: a row of cards, each a label and a value the API returned (formatted, never computed).
import { Card } from 'antd';
import type { ReactNode } from 'react';

export interface Figure {
  key: string;
  label: string;
  value: ReactNode;
  hint?: ReactNode;
}

export function Figures({ items }: { items: Figure[] }) {
  return (
    <div className="figures">
      {items.map((f) => (
        <Card key={f.key} size="small" className="figure" data-figure={f.key}>
          <div className="figure-label">{f.label}</div>
          <div className="figure-value">{f.value}</div>
          {f.hint ? <div className="figure-hint">{f.hint}</div> : null}
        </Card>
      ))}
    </div>
  );
}
