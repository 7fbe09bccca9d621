// One titled block of the overview.

import type { ReactNode } from "react";
import { Heading, View } from "@adobe/react-spectrum";

export function Section({ title, testId, children }: { title: string; testId: string; children: ReactNode }) {
  return (
    <View borderWidth="thin" borderColor="default" borderRadius="medium" padding="size-150" data-testid={testId}>
      <Heading level={3} marginTop={0}>
        {title}
      </Heading>
      {children}
    </View>
  );
}

/** A plain table: header cells and rows of cells (numbers right-aligned). */
export function Table({ head, rows, numeric = [], empty, testId }: { head: string[]; rows: ReactNode[][]; numeric?: number[]; empty: string; testId: string }) {
  if (rows.length === 0) return <p className="admin-empty">{empty}</p>;
  const cls = (i: number) => (numeric.includes(i) ? "num" : undefined);
  return (
    <table className="admin-table" data-testid={testId}>
      <thead>
        <tr>
          {head.map((h, i) => (
            <th key={h} className={cls(i)} scope="col">
              {h}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((cells, r) => (
          <tr key={r}>
            {cells.map((c, i) => (
              <td key={i} className={cls(i)}>
                {c}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
