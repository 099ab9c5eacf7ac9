import type { ReactNode } from 'react';

/** A titled section of a page; `id` gives the heading an anchor for aria-labelledby. */
export function Panel({
  id,
  title,
  wide,
  actions,
  children,
}: {
  id: string;
  title: string;
  wide?: boolean;
  actions?: ReactNode;
  children: ReactNode;
}) {
  return (
    <section
      className={`panel${wide ? ' wide' : ''}`}
      aria-labelledby={`${id}-title`}
      data-testid={`panel-${id}`}
    >
      <div className="page-header">
        <h2 id={`${id}-title`}>{title}</h2>
        {actions}
      </div>
      {children}
    </section>
  );
}

export interface Column<T> {
  key: string;
  header: string;
  numeric?: boolean;
  render: (row: T) => ReactNode;
}

/** Accessible data table with a caption; scrolls horizontally on phones. */
export function DataTable<T>({
  caption,
  columns,
  rows,
  rowKey,
  empty,
}: {
  caption: string;
  columns: Column<T>[];
  rows: T[];
  rowKey: (row: T) => string;
  empty: string;
}) {
  if (rows.length === 0) {
    return (
      <p className="state" role="status">
        {empty}
      </p>
    );
  }
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: scrollable region must be keyboard reachable (axe scrollable-region-focusable)
    <section className="table-wrap" tabIndex={0} aria-label={caption}>
      <table>
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c.key} scope="col" className={c.numeric ? 'num' : undefined}>
                {c.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={rowKey(row)}>
              {columns.map((c) => (
                <td key={c.key} className={c.numeric ? 'num' : undefined}>
                  {c.render(row)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
