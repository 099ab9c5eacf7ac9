export interface ImportRowError {
  sheet?: string | null;
  row: number;
  column?: string | null;
  code: string;
  message: string;
}

export interface ImportErrorLabels {
  errors: string;
  row: string;
  column: string;
  code: string;
  message: string;
  /** set for workbook imports: adds the sheet column */
  sheet?: string;
}

/** The API's per-row import errors (CSV and XLSX) as a keyboard-reachable scrollable table. */
export function ImportErrorsTable({
  errors,
  labels,
  testId,
}: {
  errors: readonly ImportRowError[] | undefined;
  labels: ImportErrorLabels;
  testId: string;
}) {
  if (!errors || errors.length === 0) return null;
  const withSheet = labels.sheet !== undefined;
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: scrollable region must be keyboard reachable
    <section className="table-wrap" tabIndex={0} aria-label={labels.errors} data-testid={testId}>
      <table>
        <caption className="visually-hidden">{labels.errors}</caption>
        <thead>
          <tr>
            {withSheet ? <th scope="col">{labels.sheet}</th> : null}
            <th scope="col" className="num">
              {labels.row}
            </th>
            <th scope="col">{labels.column}</th>
            <th scope="col">{labels.code}</th>
            <th scope="col">{labels.message}</th>
          </tr>
        </thead>
        <tbody>
          {errors.map((e) => (
            <tr key={`${e.sheet ?? ''}-${e.row}-${e.column ?? ''}-${e.code}`}>
              {withSheet ? <td>{e.sheet ?? '—'}</td> : null}
              <td className="num">{e.row}</td>
              <td>{e.column ?? '—'}</td>
              <td className="mono">{`✗ ${e.code}`}</td>
              <td>{e.message}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
